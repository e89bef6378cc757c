"""Declaration frame -> PyG HeteroData (risk.hetero): entity edges, window features that count
only earlier cases and declarations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk.hetero import DECL, build_hetero, window_to_hetero
from risk.kcs import to_tables
from training.simulate import simulate_frame

pytestmark = pytest.mark.unit


def test_build_hetero_has_declaration_and_entity_edges():
    f = simulate_frame(200, seed=2)
    data = build_hetero(f, np.zeros((len(f), 4)), f["label"].to_numpy())
    assert data[DECL].x.shape == (200, 4)
    ei = data[DECL, "importer", "importer"].edge_index
    assert ei.shape[1] == 200 and int(ei[1].max()) < data["importer"].num_nodes
    assert int(data[DECL].labelled.sum()) == 200


def test_window_to_hetero_counts_only_earlier_cases_and_declarations():
    f = simulate_frame(300, seed=9)
    t = to_tables(f)
    imp = "KCS:IMP:" + f["importer"].iloc[-1]
    mid = str(f["date"].iloc[150].date())
    t.nodes["Case"] = pd.DataFrame({"key": ["CASE1"], "date": [mid]})
    t.relationships["INVOLVED_IN"] = pd.DataFrame({"start_key": [imp], "end_key": ["CASE1"]})
    data, g = window_to_hetero(t)
    rows = g[g["importer"] == imp]
    assert (rows.loc[rows["date"] <= pd.Timestamp(mid), "importer_prior_cases"] == 0).all()
    assert (rows.loc[rows["date"] > pd.Timestamp(mid), "importer_prior_cases"] == 1).all()
    first = g.groupby("importer").head(1)
    assert (first["importer_prior_decl"] == 0).all()
    assert data["declaration"].x.shape[0] == len(g)
    assert "importer_prior_cases" in data["declaration"].feature_names

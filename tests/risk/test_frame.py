"""Graph export -> declaration frame -> HeteroData, labels from inspections, no leakage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk.kcs import to_tables
from training.hetero import declaration_frame
from training.simulate import simulate_frame

pytestmark = pytest.mark.unit


def test_tables_round_trip_to_the_declaration_frame_with_inspection_labels():
    f = simulate_frame(300, seed=9)
    t = to_tables(f)
    key = f["key"].iloc[5]
    t.nodes["Inspection"] = pd.DataFrame({"key": ["INSP:1"], "result": ["hit"]})
    t.relationships["INSPECTED"] = pd.DataFrame({"start_key": ["INSP:1"], "end_key": [key]})
    g = declaration_frame(t)
    assert len(g) == len(f)
    row = g.set_index("key").loc[key]
    assert row["label"] == 1.0
    orig = f.set_index("key")
    assert row["importer"] == "KCS:IMP:" + orig.loc[key, "importer"]
    assert row["hs6"] == orig.loc[key, "hs6"]
    # prior counts only count earlier days
    first_day = g[g["date"] == g["date"].min()]
    assert (first_day["importer_prior_ins"] == 0).all()
    later = g.sort_values("date").groupby("importer").tail(1)
    assert (later["importer_prior_ins"] <= g.groupby("importer")["key"].transform("count").max()).all()


def test_cutoff_drops_later_declarations():
    f = simulate_frame(300, seed=9)
    cut = str(f["date"].iloc[150].date())
    g = declaration_frame(to_tables(f), cutoff=cut)
    assert (g["date"] < pd.Timestamp(cut)).all() and len(g) < len(f)


def test_build_hetero_has_declaration_and_entity_edges():
    pytest.importorskip("torch_geometric")
    from training.hetero import DECL, build_hetero

    f = simulate_frame(200, seed=2)
    data = build_hetero(f, np.zeros((len(f), 4)), f["label"].to_numpy())
    assert data[DECL].x.shape == (200, 4)
    ei = data[DECL, "importer", "importer"].edge_index
    assert ei.shape[1] == 200 and int(ei[1].max()) < data["importer"].num_nodes
    assert int(data[DECL].labelled.sum()) == 200


def test_window_to_hetero_counts_only_earlier_cases_and_declarations():
    pytest.importorskip("torch_geometric")
    from training.hetero import window_to_hetero

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

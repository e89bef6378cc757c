"""The declaration frame contract (risk.frame): graph export -> frame with inspection labels
and no leakage from later rows; the one-row builder."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from risk.kcs import to_tables
from risk.frame import (CATEGORICAL, ENTITY_COLUMNS, EXPORT_RELS, NUMERIC, declaration_frame,
                        declaration_row)
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


def test_every_entity_relationship_is_exported():
    assert [r for _, r, _ in ENTITY_COLUMNS.values()] + ["INSPECTED"] == EXPORT_RELS


def test_declaration_row_fills_missing_fields_like_the_frame():
    f = declaration_row({"key": "D1", "date": "2024-05-01", "value": "12.5", "importer": "E1"})
    assert len(f) == 1 and f.loc[0, "key"] == "D1" and f.loc[0, "importer"] == "E1"
    assert f.loc[0, "date"] == pd.Timestamp("2024-05-01")
    assert f.loc[0, "value"] == 12.5 and np.isnan(f.loc[0, "tax_rate"])
    assert all(f.loc[0, c] == "<none>" for c in CATEGORICAL)
    assert f.loc[0, "seller"] is None and np.isnan(f.loc[0, "label"])
    assert set(NUMERIC) | set(CATEGORICAL) | set(ENTITY_COLUMNS) <= set(f.columns)

"""The entity graph read from a graph export (hand-made tables): canonical entities through
ALIAS_OF and the registration's USCC, labels only from inspections before the cut-off,
drivers named by cases; the warnings' baseline rule; levels on the canonical population."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.unit


def _tables():
    from graph.records import Tables

    N = lambda rows, cols: pd.DataFrame(rows, columns=cols)  # noqa: E731
    nodes = {
        "Declaration": N([("D1", "2024-01-05", "2", 10.0, 100.0, 0.1, "010101"),
                          ("D2", "2024-02-05", "4", 10.0, 100.0, 0.1, "010101"),
                          ("D3", "2024-03-05", "4", 10.0, 100.0, 0.1, "010101"),
                          ("D4", "2024-05-05", "4", 10.0, 100.0, 0.1, "010101")],
                         ["key", "date", "transport_mode", "net_mass", "value", "tax_rate",
                          "hs_code"]),
        "Enterprise": N([("U1", "U1", None), ("CC:1", "U1", None), ("CC:2", None, None),
                         ("U2", "U2", None)], ["key", "uscc", "risk_level"]),
        "Person": N([("H:a", None, None), ("PM:x", None, None)],
                    ["key", "risk_level", "model_version"]),
        "Vehicle": N([("V1", "高", "entity:v001")], ["key", "risk_level", "model_version"]),
        "Inspection": N([("I1", "2024-01-10", "hit"), ("I2", "2024-02-10", "no_hit"),
                         ("I3", "2024-04-20", "hit")], ["key", "date", "result"]),
        "Case": N([("C1", "2024-02-12"), ("C2", "2024-06-01")], ["key", "date"]),
        "Container": N([("K1",)], ["key"]), "Vessel": N([], ["key"]),
    }
    R = lambda rows: pd.DataFrame(rows, columns=["start_label", "start_key", "end_label",  # noqa: E731
                                                 "end_key"])
    rels = {
        "DECLARED": R([("Enterprise", "CC:1", "Declaration", "D1"),
                       ("Enterprise", "CC:2", "Declaration", "D2"),
                       ("Enterprise", "CC:2", "Declaration", "D3"),
                       ("Enterprise", "U2", "Declaration", "D4")]),
        "INSPECTED": R([("Inspection", "I1", "Declaration", "D1"),
                        ("Inspection", "I2", "Declaration", "D2"),
                        ("Inspection", "I3", "Declaration", "D3")]),
        "ALIAS_OF": R([("Person", "PM:x", "Person", "H:a"),
                       ("Enterprise", "CC:2", "Enterprise", "U2")]),
        "CARRIED_BY": R([("Declaration", "D2", "Vehicle", "V1"),
                         ("Declaration", "D3", "Vehicle", "V1")]),
        "DROVE": R([("Person", "PM:x", "Vehicle", "V1")]),
        "INVOLVED_IN": R([("Declaration", "D2", "Case", "C1"), ("Person", "PM:x", "Case", "C1")]),
        "LEGAL_REP_OF": R([("Person", "PM:x", "Enterprise", "CC:1")]),
        "IN_CONTAINER": R([("Declaration", "D1", "Container", "K1")]),
    }
    return Tables(nodes=nodes, relationships=rels)


def test_canonical_entities_cutoff_labels_and_case_drivers():
    from risk.entity.graph_frame import entity_graph

    eg = entity_graph(_tables(), cutoff="2024-04-01")
    h = eg.fr["hist"].set_index("key")
    assert list(h.index) == ["D1", "D2", "D3"]  # D4 is on/after the cut-off
    # CC:1 carries uscc U1; CC:2 is an ALIAS_OF U2
    assert h.loc["D1", "importer"] == "U1" and h.loc["D2", "importer"] == "U2"
    # D3's hit was recorded after the cut-off: no label
    assert h.loc["D1", "label"] == 1.0 and h.loc["D2", "label"] == 0.0
    assert np.isnan(h.loc["D3", "label"])
    # the case names the driver (a mention of H:a) on D2; the other crossing has no driver
    assert h.loc["D2", "driver"] == "H:a" and pd.isna(h.loc["D3", "driver"])
    assert eg.canon["Person"] == {"PM:x": "H:a"} and eg.canon["Enterprise"]["CC:1"] == "U1"
    E = eg.fr["enterprises"]
    assert ("U1", "H:a") in set(zip(E["uscc"], E["legal_rep_id"]))
    assert set(zip(eg.fr["drove"]["person"], eg.fr["drove"]["vehicle"])) == {("H:a", "V1")}
    assert eg.window["cases"] == 1  # C2 is after the cut-off
    assert eg.previous["Vehicle"] == {"V1": ("高", "entity:v001")}
    assert set(eg.fr["truth"]["id"]) >= {"U1", "U2", "H:a", "V1"}
    assert "CC:1" not in set(eg.fr["truth"]["id"])


def test_baseline_rule_raises_only_on_a_rise_between_entity_model_runs():
    from risk.entity.scoring import rises

    prev = {"a": ("低", "entity:v001"), "b": ("高", "entity:v001"), "c": ("低", "v003"),
            "e": ("中", "entity:v002")}
    upd = {k: {"risk_level": lv, "risk_score": 0.5} for k, lv in
           (("a", "中"), ("b", "高"), ("c", "高"), ("d", "高"), ("e", "低"))}
    out = rises(prev, upd)
    # a rose; b unchanged; c was last scored by the declaration model; d is first seen; e fell
    assert set(out) == {"a"} and out["a"]["previous_level"] == "低"


def test_levels_use_the_canonical_population_and_ties_share_a_score():
    from risk.entity.model import rank_avg
    from risk.entity.scoring import levels_by_population

    pop = np.linspace(0, 1, 100)
    vals = np.array([0.99] * 50 + [0.5])  # many mention copies of one high entity
    lv = levels_by_population(vals, pop)
    assert lv[:50] == ["高"] * 50 and lv[50] == "低"
    r = rank_avg([0.0, 0.0, 0.0, 1.0, 2.0])
    assert r[0] == r[1] == r[2] and r[3] < r[4] == 1.0

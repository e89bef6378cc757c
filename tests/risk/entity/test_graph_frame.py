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


def _crossings(extra_inspection: bool = False, late_case: bool = False):
    """Road crossings: manifests M1..M4 link declarations to the driver mention PM:y (an
    ALIAS_OF H:b) who drove V2 (D5, D6 - a hit - and, after the cut-off, D8) and V3 (D7)."""
    from graph.records import Tables

    t = _tables()
    n, r = dict(t.nodes), {k: v.copy() for k, v in t.relationships.items()}
    decl = pd.DataFrame([(f"D{i}", d, "4", 10.0, 100.0, 0.1, "010101") for i, d in
                         ((5, "2024-01-06"), (6, "2024-02-06"), (7, "2024-03-06"),
                          (8, "2024-05-06"))], columns=n["Declaration"].columns)
    n["Declaration"] = pd.concat([n["Declaration"], decl], ignore_index=True)
    n["Person"] = pd.concat([n["Person"], pd.DataFrame(
        [("H:b", None, None), ("PM:y", None, None)], columns=n["Person"].columns)])
    n["Vehicle"] = pd.concat([n["Vehicle"], pd.DataFrame(
        [("V2", None, None), ("V3", None, None)], columns=n["Vehicle"].columns)])
    n["Manifest"] = pd.DataFrame([(f"M{i}",) for i in range(5, 9)], columns=["key"])
    ins = [("I5", "2024-02-08", "hit")] + ([("I6", "2024-05-08", "hit")] if extra_inspection
                                           else [])
    n["Inspection"] = pd.concat([n["Inspection"], pd.DataFrame(ins, columns=["key", "date",
                                                                             "result"])])
    cases = [("C3", "2024-03-01")] + ([("C4", "2024-06-20")] if late_case else [])
    n["Case"] = pd.concat([n["Case"], pd.DataFrame(cases, columns=["key", "date"])])
    R = lambda rows: pd.DataFrame(rows, columns=["start_label", "start_key", "end_label",  # noqa: E731
                                                 "end_key"])
    add = {
        "ON_MANIFEST": R([("Declaration", f"D{i}", "Manifest", f"M{i}") for i in range(5, 9)]),
        "DRIVER_OF": R([("Person", "PM:y", "Manifest", f"M{i}") for i in range(5, 9)]),
        "CARRIED_BY": R([("Declaration", "D5", "Vehicle", "V2"), ("Declaration", "D6", "Vehicle",
                                                                   "V2"),
                         ("Declaration", "D7", "Vehicle", "V3"), ("Declaration", "D8", "Vehicle",
                                                                   "V2")]),
        "INSPECTED": R([("Inspection", "I5", "Declaration", "D6")]
                       + ([("Inspection", "I6", "Declaration", "D7")] if extra_inspection
                          else [])),
        "ALIAS_OF": R([("Person", "PM:y", "Person", "H:b")]),
        "INVOLVED_IN": R([("Person", "PM:y", "Case", c) for c, _ in cases]),
    }
    for k, v in add.items():
        r[k] = pd.concat([r.get(k, R([])), v], ignore_index=True)
    return Tables(nodes=n, relationships=r)


def test_crossing_drivers_come_from_road_manifests_and_nothing_after_the_cutoff_counts():
    from risk.entity import features as F
    from risk.entity.graph_frame import entity_graph

    eg = entity_graph(_crossings(), cutoff="2024-04-01")
    h = eg.fr["hist"].set_index("key")
    # each crossing's driver: the canonical person of the manifest's driver mention; the case
    # still names the driver of D2; D8 (after the cut-off) is not read
    assert h.loc[["D5", "D6", "D7"], "driver"].tolist() == ["H:b"] * 3
    assert h.loc["D2", "driver"] == "H:a" and "D8" not in h.index
    assert h.loc["D6", "label"] == 1.0

    def vehicle_features(tables):
        eg = entity_graph(tables, cutoff="2024-04-01")
        hist = eg.fr["hist"]
        sc = np.full(len(hist), 0.1)  # a fixed declaration score: only labels/links move it
        ids = F.index(eg.fr)
        X, L = F.features(eg.fr, hist, sc, ids)
        col = {c: X["vehicle"][:, F.FEATURES["vehicle"].index(c)] for c in
               ("drv_surprise_max", "drv_case_max", "drv_surprise")}
        return {c: {k: float(v[i]) for k, i in ids["vehicle"].items()} for c, v in col.items()}

    base = vehicle_features(_crossings())
    # V3's one crossing was driven by H:b, caught on D6 (hit - score 0.9): the most-caught
    # driver of any of its crossings; H:b's case C3 (before the cut-off) counts
    assert base["drv_surprise_max"]["V3"] == pytest.approx(0.9)
    assert base["drv_surprise_max"]["V2"] == pytest.approx(0.9)
    assert base["drv_case_max"]["V3"] == pytest.approx(np.log1p(1))
    assert base["drv_surprise_max"]["V1"] == 0.0  # its case-named driver H:a has no hit
    # an inspection and a case recorded after the cut-off change nothing
    late = vehicle_features(_crossings(extra_inspection=True, late_case=True))
    assert late == base


def test_cases_after_the_training_window_do_not_count_as_driver_evidence():
    from risk.entity import features as F
    from risk.entity.graph_frame import entity_graph

    eg = entity_graph(_crossings(), cutoff="2024-04-01")
    ids = F.index(eg.fr)
    full = F.person_cases(eg.fr, ids)
    early = F.person_cases(eg.fr, ids, until="2024-02-20")  # a window ending before C3
    b = ids["person"]["H:b"]
    assert full[b] == 1 and early[b] == 0

"""Vehicle risk from its crossings' drivers (``risk.entity.crossings``): the formula by hand,
findings and case kinds read from the graph export only when recorded before the cut-off."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.unit


def _hist():
    # driver a: 2 crossings (V1 hit whose finding names the driver, V2 not inspected);
    # driver b: V2 inspected without a hit; driver c: V3, hit explained by its importer
    return pd.DataFrame({
        "driver": ["a", "a", "b", "c", None],
        "vehicle": ["V1", "V2", "V2", "V3", None],
        "net_mass": [10.0, 1.0, 100.0, 50.0, 5.0],
        "label": [1.0, np.nan, 0.0, 1.0, np.nan],
        "findings": ["undervaluation;repeat_offender_driver", "", "", "undervaluation", ""],
        "case_kind": ["", "", "", "", ""]})


def test_crossing_risk_is_the_noisy_or_of_driver_offence_and_crossing_posterior():
    from risk.entity import crossings as X

    h = _hist()
    sc = np.array([0.2, 0.1, 0.1, 0.9, 0.1])
    ids = {"vehicle": {"V1": 0, "V2": 1, "V3": 2, "V4": 3}, "person": {"a": 0, "b": 1, "c": 2}}
    got = X.crossing_scores(h, sc, ids, mass=False)
    lo = np.log(X.PRIOR / (1 - X.PRIOR))
    sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    qa = sig(lo + X.A_FINDING * 1 + X.B_SURPRISE * (1 - 0.2))  # named finding, surprise 0.8
    qb = sig(lo)  # inspected without a hit: surprise clipped at 0
    qc = sig(lo + X.B_SURPRISE * (1 - 0.9))  # an explained hit: small surprise, no finding
    # V1: a's named crossing (r = 1); V2: a's uninspected crossing (r = RHO) and b's no-hit
    # crossing (r = NOISE); V3: c's hit without a driver finding (r = RHO)
    ref = [qa, 1 - (1 - qa * X.RHO) * (1 - qb * X.NOISE), qc * X.RHO, 0.0]
    assert got["crossing_risk"] == pytest.approx(ref)
    assert got["driver_q"] == pytest.approx([qa, qb, qc])
    # a finding naming the driver outweighs an importer-explained hit
    assert got["crossing_risk"][0] > got["crossing_risk"][2]


def test_light_masses_raise_the_driver_and_the_light_crossing_most():
    from risk.entity import crossings as X

    rng = np.random.default_rng(0)
    n = 60
    drivers = ["heavy"] * 30 + ["light"] * 30
    mass = np.exp(rng.normal(5.5, 1.0, n))
    mass[30::2] *= 0.3  # half of "light"'s crossings declare a third of the mass
    h = pd.DataFrame({"driver": drivers, "vehicle": [f"V{i % 2}" if i < 30 else f"W{i % 2}"
                                                     for i in range(n)],
                      "net_mass": mass, "label": np.nan, "findings": "", "case_kind": ""})
    ids = {"vehicle": {"V0": 0, "V1": 1, "W0": 2, "W1": 3},
           "person": {"heavy": 0, "light": 1}}
    got = X.crossing_scores(h, np.full(n, 0.1), ids)
    assert got["driver_q"][1] > got["driver_q"][0]
    assert got["crossing_risk"][2] > max(got["crossing_risk"][:2])  # W0 carried the light ones
    assert X.crossing_scores(h, np.full(n, 0.1), ids, mass=False)["crossing_risk"] == \
        pytest.approx([X.PRIOR * (1 - (1 - X.RHO) ** 15)] * 4)


def test_names_driver():
    from risk.entity.crossings import names_driver

    assert names_driver("undervaluation;repeat_offender_driver") and names_driver("驾驶员少报")
    assert not names_driver("undervaluation") and not names_driver(None) and not names_driver("")


def test_findings_and_case_kinds_come_from_before_the_cutoff_only():
    from risk.entity.graph_frame import entity_graph
    from tests.risk.entity.test_graph_frame import _crossings

    def tables(late: bool):
        t = _crossings(extra_inspection=late, late_case=late)
        ins = t.nodes["Inspection"].copy()
        ins["findings"] = ["undervaluation", "", "", "repeat_offender_driver"] + (
            ["repeat_offender_driver"] if late else [])
        t.nodes["Inspection"] = ins
        c = t.nodes["Case"].copy()
        c["kind"] = ["undervaluation", "x", "repeat_offender_driver"] + (
            ["repeat_offender_driver"] if late else [])
        t.nodes["Case"] = c
        inv = t.relationships["INVOLVED_IN"]
        t.relationships["INVOLVED_IN"] = pd.concat([inv, pd.DataFrame(
            [("Declaration", "D6", "Case", "C3")] + ([("Declaration", "D7", "Case", "C4")]
                                                     if late else []),
            columns=inv.columns[:4])], ignore_index=True)
        return t

    h = entity_graph(tables(False), cutoff="2024-04-01").fr["hist"].set_index("key")
    assert h.loc["D6", "findings"] == "repeat_offender_driver"  # I5: a hit before the cut-off
    assert h.loc["D1", "findings"] == "undervaluation"
    assert h.loc["D2", "findings"] == ""  # a no-hit carries no finding
    assert h.loc["D6", "case_kind"] == "repeat_offender_driver"
    assert h.loc["D2", "case_kind"] == "undervaluation"
    late = entity_graph(tables(True), cutoff="2024-04-01").fr["hist"].set_index("key")
    # I6 (on D7) and C4 are dated after the cut-off: nothing changes
    assert late.loc["D7", "findings"] == "" and late.loc["D7", "case_kind"] == ""
    assert late[["findings", "case_kind"]].equals(h[["findings", "case_kind"]])

"""Non-learned entity features (risk.entity.features) on a small simulated world: the link
structure, the driver surprise, the propagation rule and the own-evidence baseline, each
recomputed independently."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import sparse

from risk.entity import features as F

pytestmark = [pytest.mark.unit]


def test_propagation_follows_the_excess_risk_noisy_or_by_hand():
    """Two enterprises share a person (legal rep of e0, shareholder of e1); e0 is risky.
    Round 1: s(n) = own(n) + 1 - Π_m (1 - β·max(0, s(m) - median_kind(m)))."""
    s0 = {"enterprise": np.array([0.9, 0.1, 0.3]), "person": np.array([0.2, 0.4]),
          "vehicle": np.array([0.5])}
    rep = sparse.csr_matrix(np.array([[1, 0], [0, 0], [0, 0]], dtype=float))
    sh = sparse.csr_matrix(np.array([[0, 0], [1, 0], [0, 1]], dtype=float))
    L = {"rep": rep, "sh": sh, "addr": sparse.csr_matrix((3, 0)),
         "phone": sparse.csr_matrix((3, 0)),
         "drove": sparse.csr_matrix(np.array([[0], [1]], dtype=float))}
    p1, p2 = F.propagate(s0, L, rounds=2, beta=0.5)
    med_e, med_p = 0.3, 0.3  # medians of the positive own scores per kind
    # person 0 is linked to e0 (excess 0.6) and e1 (excess 0)
    assert p1["person"][0] == pytest.approx(0.2 + 1 - (1 - 0.5 * (0.9 - med_e)))
    # enterprise 1's only neighbour, person 0 (own 0.2 < median): nothing spreads in round 1
    assert p1["enterprise"][1] == pytest.approx(0.1)
    # person 1 drove the vehicle (own = median: no excess) and holds e2 (= median)
    assert p1["person"][1] == pytest.approx(0.4)
    # vehicle 0: its driver person 1 has excess 0.4 - 0.3
    assert p1["vehicle"][0] == pytest.approx(0.5 + 0.5 * (0.4 - med_p))
    # round 2: e1 now sees person 0's round-1 excess
    assert p2["enterprise"][1] == pytest.approx(0.1 + 0.5 * (p1["person"][0] - med_p))
    assert p2["enterprise"][1] > p1["enterprise"][1]


def test_own_score_is_the_tabular_entity_baseline(world):
    """own_score = 0.25·mean + 0.25·max declaration score + 0.5·smoothed hit rate, recomputed
    with pandas; 0 for an entity without declarations."""
    fr, sc = world
    hist = fr["hist"]
    ids = F.index(fr)
    own = F.own_score(F.own_evidence(hist, sc, ids))
    prior = float(hist["label"].mean())
    g = hist.assign(_s=sc).dropna(subset=["importer"]).groupby("importer")
    hit = (g["label"].sum() + 2 * prior) / (g["label"].count() + 2)
    ref = 0.25 * g["_s"].mean() + 0.25 * g["_s"].max() + 0.5 * hit
    got = np.array([own["enterprise"][ids["enterprise"][str(k)]] for k in ref.index])
    np.testing.assert_allclose(got, ref.to_numpy(), atol=1e-12)
    without = [i for k, i in ids["enterprise"].items() if k not in set(ref.index.astype(str))]
    assert without and (own["enterprise"][without] == 0).all()


def test_shell_structure_is_visible_in_the_link_features(world):
    """Members of a planted shell cluster share one legal representative: the structure
    feature sees >= 3 enterprises behind their representative, ordinary ones see 1."""
    fr, sc = world
    ids = F.index(fr)
    X, _ = F.features(fr, fr["hist"], sc, ids)
    T = fr["truth"]
    e = T[T["entity_type"] == "enterprise"]
    rows = [ids["enterprise"][i] for i in e["id"].astype(str)]
    rep = np.expm1(X["enterprise"][rows, F.FEATURES["enterprise"].index("rep_ents")])
    shell = (e["pattern"] == "shell_cluster").to_numpy()
    assert shell.any() and (rep[shell] >= 3 - 1e-9).all()
    assert np.median(rep[~shell]) == pytest.approx(1.0)


def test_driver_surprise_spreads_unexplained_driver_hits_to_vehicles(world):
    """drv_surprise(vehicle) = Σ_drivers share of its road declarations × max(0, Σ over the
    driver's inspected declarations of (label − score)), recomputed here with pandas."""
    fr, sc = world
    ids = F.index(fr)
    X, _ = F.features(fr, fr["hist"], sc, ids)
    h = fr["hist"].assign(_u=(fr["hist"]["label"] - sc).fillna(0.0))
    sur = h.dropna(subset=["driver"]).groupby("driver")["_u"].sum().clip(lower=0)
    road = h.dropna(subset=["driver", "vehicle"])
    share = road.groupby(["vehicle", "driver"]).size() / road.groupby("vehicle").size()
    ref = (share * share.index.get_level_values("driver").map(sur).to_numpy()).groupby(
        level="vehicle").sum()
    col = F.FEATURES["vehicle"].index("drv_surprise")
    got = {v: X["vehicle"][ids["vehicle"][str(v)], col] for v in ref.index}
    assert (ref > 0).any()
    for v, r in ref.items():
        assert got[v] == pytest.approx(r, abs=1e-9)

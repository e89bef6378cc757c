"""Pure logic of the risk package: metrics at n%, entity and conveyance score aggregation,
the targeting selection."""

from __future__ import annotations

import numpy as np
import pytest

from risk.metrics import METRIC_NAMES, precision_at, recall_at, summarize

pytestmark = pytest.mark.unit


def test_precision_and_recall_at_n_percent_count_the_top_slice():
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    s = np.arange(10)[::-1] / 10.0  # row 0 scores highest
    assert precision_at(y, s, 10) == 1.0  # top 1 of 10
    assert precision_at(y, s, 20) == 0.5
    assert recall_at(y, s, 30) == pytest.approx(2 / 3)
    m = summarize(y, s)
    assert set(m) == set(METRIC_NAMES)
    assert all(0.0 <= v <= 1.0 for v in m.values())


def test_metrics_see_through_a_constant_and_a_shuffled_scorer():
    """The figures the model tests rely on: a constant score has AUPRC = the base rate and
    AUROC 0.5; the planted ranking is far above both."""
    y = np.array([1] * 10 + [0] * 90)
    good = summarize(y, np.r_[np.linspace(1, 0.8, 10), np.linspace(0.7, 0, 90)])
    const = summarize(y, np.full(100, 0.5))
    assert good["auprc"] == pytest.approx(1.0) and good["precision@10"] == 1.0
    assert const["auprc"] == pytest.approx(0.1) and const["auroc"] == pytest.approx(0.5)


def test_containers_vehicles_and_drivers_get_scores_from_their_declarations():
    import pandas as pd

    from graph.base import Tables
    from risk.scoring import conveyance_scores

    frame = pd.DataFrame({"key": ["d1", "d2", "d3"]})
    t = Tables(nodes={}, relationships={
        "CARRIED_BY": pd.DataFrame({"start_key": ["d1", "d2"], "end_key": ["V1", "V1"],
                                    "end_label": ["Vehicle", "Vehicle"]}),
        "IN_CONTAINER": pd.DataFrame({"start_key": ["d3"], "end_key": ["C1"],
                                      "end_label": ["Container"]}),
        "DROVE": pd.DataFrame({"start_key": ["P1"], "end_key": ["V1"]})})
    s = conveyance_scores(t, frame, [0.2, 0.8, 0.4])
    assert s[("Vehicle", "V1")] == pytest.approx(0.5 * 0.5 + 0.5 * 0.8)
    assert s[("Container", "C1")] == pytest.approx(0.4)
    assert s[("Person", "P1")] == pytest.approx(s[("Vehicle", "V1")])


def test_targeting_selection_spends_the_exploration_share_without_duplicates():
    from risk.targeting import _budget_count, select

    s = np.linspace(0, 1, 200)
    picks = select(s, k=20, exploration_share=0.2, seed=1)
    idx = [i for i, _ in picks]
    assert len(idx) == 20 == len(set(idx))
    kinds = [w for _, w in picks]
    assert kinds.count("model") == 16 and kinds.count("uncertain") == 2 and kinds.count("random") == 2
    assert set(idx[:16]) == set(np.argsort(-s)[:16])
    assert _budget_count(0.05, 200) == 10 and _budget_count(30, 200) == 30

"""evaluate synthetic: time split on a small simulated world, declaration and entity level."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.unit, pytest.mark.slow]


def test_synthetic_evaluation_reports_declaration_and_entity_levels():
    pytest.importorskip("ingest.synthetic.world")
    from risk.metrics import METRIC_NAMES
    from training.synthetic_eval import evaluate_synthetic

    r = evaluate_synthetic(declarations=4000, seed=3, models=("rules", "tabular"))
    assert r["best"] in r["models"]
    assert set(r["models"]["tabular"]) == set(METRIC_NAMES)
    assert r["split"]["labelled"] < r["split"]["history"]  # label-scarce: inspections only
    for kind in ("enterprise", "person", "vehicle"):
        e = r["entities"][kind]
        assert set(e) >= {"tabular", "propagation", "entity_gnn_v1", "gnn_alone", "entity_gnn",
                          "graph", "n", "positives"}
        assert e["graph"] == e["entity_gnn"]  # the graph model the CLI reports
        assert 0.0 <= e["graph"]["auprc"] <= 1.0

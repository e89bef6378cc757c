"""Trained entity GNN (risk.models.entity_gnn) on a small simulated world: scores every
evaluated entity, uses only history inspections (ground truth is not an input)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.unit]


def test_entity_gnn_scores_every_entity_without_ground_truth_labels():
    pytest.importorskip("torch_geometric")
    pytest.importorskip("ingest.synthetic.world")
    from ingest.synthetic.world import generate_world
    from risk.models.entity_gnn import entity_gnn_scores
    from training.synthetic_eval import world_frames

    with tempfile.TemporaryDirectory() as tmp:
        generate_world(2000, 3, Path(tmp), hmac_secret=b"t")
        fr = world_frames(Path(tmp))
    hist = fr["hist"]
    sc = np.random.default_rng(0).random(len(hist))
    # the model may read truth only for the list of entities to score, never their labels
    fr_blind = dict(fr, truth=fr["truth"].assign(is_risky="x", pattern="x"))
    s = entity_gnn_scores(fr_blind, sc, epochs=5, seeds=(0,), threads=1)
    s2 = entity_gnn_scores(fr, sc, epochs=5, seeds=(0,), threads=1)
    assert s == s2
    T = fr["truth"]
    for kind in ("enterprise", "person", "vehicle"):
        ids = T.loc[T["entity_type"] == kind, "id"].astype(str)
        vals = [s[(kind, i)] for i in ids]
        assert len(vals) == len(ids) and all(0.0 <= v <= 1.0 for v in vals)

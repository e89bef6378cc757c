"""The bar a risk model's scores must clear on a planted dataset: clearly above the base rate
AND above the same scores shuffled (which a constant or a random scorer cannot pass)."""

from __future__ import annotations

import numpy as np

from risk.metrics import summarize


def shuffled_auprc(y, scores, *, n: int = 20, seed: int = 0) -> float:
    """Mean AUPRC of ``scores`` randomly permuted against ``y``."""
    rng = np.random.default_rng(seed)
    s = np.asarray(scores, dtype=float)
    return float(np.mean([summarize(y, rng.permutation(s))["auprc"] for _ in range(n)]))


def assert_finds_planted_signal(y, scores, *, auprc_margin: float = 0.05,
                                p10_margin: float = 0.1) -> dict:
    y = np.asarray(y, dtype=float)
    base = float(np.nanmean(y))
    m = summarize(y, scores)
    assert m["auprc"] >= base + auprc_margin, (m["auprc"], base)
    assert m["auprc"] >= shuffled_auprc(y, scores) + auprc_margin, m["auprc"]
    assert m["precision@10"] >= base + p10_margin, (m["precision@10"], base)
    return m

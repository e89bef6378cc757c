"""Evaluation metrics for inspection selection: precision/recall at n% inspected, AUROC, AUPRC.

precision@n% = fraud rate among the top ceil(n% * N) declarations by score;
recall@n% = share of all frauds found in that top slice. Ties broken by position (stable).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

PCTS = (1, 2, 5, 10)
METRIC_NAMES = tuple([f"precision@{p}" for p in PCTS] + [f"recall@{p}" for p in PCTS]
                     + ["auroc", "auprc"])


def _top(scores: np.ndarray, pct: float) -> np.ndarray:
    k = max(1, int(math.ceil(len(scores) * pct / 100.0)))
    return np.argsort(-scores, kind="stable")[:k]


def precision_at(y: Any, scores: Any, pct: float) -> float:
    y, s = np.asarray(y, dtype=float), np.asarray(scores, dtype=float)
    return float(y[_top(s, pct)].mean())


def recall_at(y: Any, scores: Any, pct: float) -> float:
    y, s = np.asarray(y, dtype=float), np.asarray(scores, dtype=float)
    tot = y.sum()
    return float(y[_top(s, pct)].sum() / tot) if tot > 0 else 0.0


def summarize(y: Any, scores: Any) -> dict[str, float | None]:
    """All metrics of the issue's JSON contract, as fractions in 0..1."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y = np.asarray(y, dtype=int)
    s = np.nan_to_num(np.asarray(scores, dtype=float), nan=0.0)
    out: dict[str, float] = {}
    for p in PCTS:
        out[f"precision@{p}"] = round(precision_at(y, s, p), 4)
    for p in PCTS:
        out[f"recall@{p}"] = round(recall_at(y, s, p), 4)
    both = len(set(y.tolist())) == 2
    # undefined with one class: None (JSON null), never NaN (not valid JSON)
    out["auroc"] = round(float(roc_auc_score(y, s)), 4) if both else None
    out["auprc"] = round(float(average_precision_score(y, s)), 4) if both else None
    return out


def curve(y: Any, scores: Any, pcts: Any = None) -> list[tuple[float, float]]:
    """precision@n% for a range of n (for plots)."""
    pcts = pcts if pcts is not None else [0.5, 1, 2, 3, 4, 5, 7.5, 10, 15, 20, 30]
    return [(float(p), precision_at(y, scores, p)) for p in pcts]

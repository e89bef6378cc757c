"""Precision and recall of resolution against a generated world's ground truth."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ingest.resolve.match import Match


def evaluate(matches: list[Match], truth: dict[str, str]) -> dict[str, Any]:
    """Precision/recall of mention -> entity assignments against ``truth`` (mention -> key)."""
    pred = {m.mention: m for m in matches}
    tp = sum(1 for k, m in pred.items() if truth.get(k) == m.canonical)
    fp = len(pred) - tp
    n_true = sum(1 for k in truth)
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0})
    for k, m in pred.items():
        per_rule[m.rule]["tp" if truth.get(k) == m.canonical else "fp"] += 1
    return {"mentions": n_true, "predicted": len(pred), "true_positives": tp,
            "false_positives": fp, "precision": round(tp / len(pred), 4) if pred else 0.0,
            "recall": round(tp / n_true, 4) if n_true else 0.0, "per_rule": dict(per_rule)}

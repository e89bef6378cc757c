"""Closed warnings with an outcome, as labels for the risk models.

``confirmed`` → 1, ``false_alarm`` → 0 (``inconclusive`` gives no label). Only warnings whose
subject is a declaration or an entity become labels (a port's cargo backlog does not).
"""

from __future__ import annotations

from typing import Any

from risk.warnings.lifecycle import OUTCOMES, LifecycleStore

LABELLED = ("Declaration", "Enterprise", "Person", "Vehicle", "Container", "Vessel", "Goods")


def labels_from(lifecycle: LifecycleStore, since: str | None = None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    offset, page = 0, 1000
    while True:
        rows = lifecycle.list(status="closed", closed_since=since, limit=page, offset=offset)
        for ev in rows:
            value = OUTCOMES.get(ev["outcome"])
            subj = ev["subject"]
            if value is None or subj["label"] not in LABELLED:
                continue
            out.append({"label": subj["label"], "key": subj["key"], "label_value": value,
                        "source": f"warning:{ev['id']}:{ev['rule']}", "outcome": ev["outcome"],
                        "feedback": ev["feedback"], "closed_at": ev["closed_at"]})
        if len(rows) < page:
            return out
        offset += page

"""Warnings (预警): declarative rules over the graph, evaluated on ingest events and after
scoring runs, with a closed-loop event lifecycle (open → acknowledged → in_progress → closed),
subscriptions (in-process pub/sub feeding SSE, optional signed webhook) and feedback labels.

Entry points for the other packages:
  * ``on_ingest(store, records)`` — ingest calls it after each upserted batch
    (``NodeRecord``/``RelRecord`` or dicts); returns ``RunResult`` (``evaluated``, ``raised``…).
  * ``on_scored(store, changes)`` — scoring calls it after writing ``risk_score``/``risk_level``
    (``{label: {key: props}}``, the ``set_properties`` shape, or a list of dicts).
  * ``feedback_labels(since=None)`` — closed warnings with an outcome as model labels.
Nothing is opened at import time; ``get_service()`` builds the default service on first use.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from graph.base import GraphStore
    from risk.warnings.service import RunResult, WarningService

__all__ = ["on_ingest", "on_scored", "feedback_labels", "get_service", "set_service",
           "WarningsError"]

from risk.warnings.exceptions import WarningsError  # noqa: E402  (light: no dependencies)

_lock = threading.Lock()
_service: "WarningService | None" = None


def get_service() -> "WarningService":
    """The process-wide service (settings from ``PS_WARNINGS_*`` / ``PS_DATA_DIR``)."""
    global _service
    with _lock:
        if _service is None:
            from risk.warnings.service import WarningService
            _service = WarningService()
        return _service


def set_service(service: "WarningService | None") -> "WarningService | None":
    """Replace the process-wide service (tests, the API's startup); returns the old one."""
    global _service
    with _lock:
        old, _service = _service, service
    return old


def on_ingest(store: "GraphStore", records: Iterable[Any]) -> "RunResult":
    return get_service().on_ingest(store, records)


def on_scored(store: "GraphStore", changes: Any) -> "RunResult":
    return get_service().on_scored(store, changes)


def feedback_labels(since: str | None = None) -> list[dict[str, Any]]:
    """[{label, key, label_value (1 confirmed / 0 false alarm), source, outcome, feedback,
    closed_at}] for warnings closed (since the ISO time ``since``) with an outcome."""
    from risk.warnings.feedback import labels_from
    return labels_from(get_service().lifecycle, since)

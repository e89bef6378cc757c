"""Warnings (预警): declarative rules over the graph, evaluated on ingest events and after
scoring runs, with a closed-loop event lifecycle (open → acknowledged → in_progress → closed),
subscriptions (in-process pub/sub feeding SSE, optional signed webhook) and feedback labels.

There is no process-wide service: the caller (the API's app state, a CLI command, a test)
makes one ``WarningService(settings=WarningsSettings(data_dir=...))`` and passes it, or its
bound methods, to the other packages:
  * ``service.on_ingest(store, records)`` — ingest's ``on_batch`` callback after each upserted
    batch (``NodeRecord``/``RelRecord`` or dicts); returns ``RunResult`` (``evaluated``, ``raised``…);
  * ``service.on_scored(store, changes)`` — ``risk.scoring.batch_score(on_scored=...)`` after
    writing ``risk_score``/``risk_level`` (``{label: {key: props}}``, the ``set_properties`` shape);
  * ``service.feedback_labels(since=None)`` — closed warnings with an outcome as model labels
    (``training.train.train_from_store(feedback=...)``).
Nothing is opened at import time; ``service.close()`` stops its worker and closes its database.
"""

from __future__ import annotations

from risk.warnings.config import WarningsSettings
from risk.warnings.exceptions import WarningsError
from risk.warnings.service import RunResult, WarningService

__all__ = ["WarningService", "WarningsSettings", "RunResult", "WarningsError"]

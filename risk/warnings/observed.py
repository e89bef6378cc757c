"""The last observed value per (label, key, property), for the stateful rules (credit level,
risk level crossings): a table in the lifecycle's SQLite database, and ``ObservedState``, the
rules' ``State`` over it, cached for one batch."""

from __future__ import annotations

import json
from typing import Any, Iterable

from risk.warnings.lifecycle import LifecycleStore, _iso

_SCHEMA = """
CREATE TABLE IF NOT EXISTS warning_observed (
  label TEXT NOT NULL, key TEXT NOT NULL, prop TEXT NOT NULL, value TEXT,
  updated_at TEXT NOT NULL, PRIMARY KEY (label, key, prop)
);
"""


class ObservedStore:
    """Reads and writes through the lifecycle store's connection and lock."""

    def __init__(self, lifecycle: LifecycleStore):
        self.lifecycle = lifecycle
        with lifecycle._lock:
            lifecycle.db.executescript(_SCHEMA)

    def get(self, label: str, key: str, prop: str) -> Any:
        lc = self.lifecycle
        with lc._lock:
            r = lc.db.execute("SELECT value FROM warning_observed WHERE label=? AND key=? AND "
                              "prop=?", (label, key, prop)).fetchone()
        return json.loads(r[0]) if r and r[0] is not None else None

    def save(self, rows: Iterable[tuple[str, str, str, Any]]) -> None:
        lc = self.lifecycle
        rows = [(l, k, p, json.dumps(v, ensure_ascii=False, default=str), _iso(lc.clock()))
                for l, k, p, v in rows]
        if not rows:
            return
        with lc._lock:
            db = lc._tx()
            try:
                db.executemany("INSERT INTO warning_observed VALUES (?,?,?,?,?) ON CONFLICT"
                               "(label, key, prop) DO UPDATE SET value=excluded.value, "
                               "updated_at=excluded.updated_at", rows)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise


class ObservedState:
    """``State`` over the observed store, cached for one batch; ``flush`` writes changes."""

    def __init__(self, store: ObservedStore):
        self.store = store
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._dirty: dict[tuple[str, str, str], Any] = {}

    def get(self, label: str, key: str, prop: str) -> Any:
        k = (label, key, prop)
        if k not in self._cache:
            self._cache[k] = self.store.get(label, key, prop)
        return self._cache[k]

    def set(self, label: str, key: str, prop: str, value: Any) -> None:
        k = (label, key, prop)
        if self.get(*k) != value:
            self._cache[k] = self._dirty[k] = value

    def flush(self) -> None:
        self.store.save((*k, v) for k, v in self._dirty.items())
        self._dirty.clear()

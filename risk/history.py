"""Risk score history (评分历史): every scoring run, per entity — run id, model version,
scored_at, score, level — in a SQLite side store, ``<PS_DATA_DIR>/risk/score_history.sqlite3``.

Why a side store and not graph properties: a history is a growing list per node; as a graph
property every run would rewrite every node's list (the write-back is already the slowest
part of entity scoring), list properties behave differently on Neo4j and ArcadeDB, and the
history is not graph structure anyone traverses. Like the warnings and audit stores, it lives
in the data dir beside the graph: one append per run in one transaction (30k rows well under
a second), read by (label, key) through the primary key.

* **Bounded**: the latest ``PS_RISK_HISTORY_RUNS`` runs (default 30) of each kind
  (``declaration`` / ``entity``) are kept; older runs and their rows are deleted when a run
  finishes. Declarations are not kept per row (a targeting list, not a trend, is their
  use); their run's score distribution is.
* **Idempotent**: a run is keyed ``<model_version>@<scored_at>``; recording the same run again
  replaces its rows (``INSERT OR REPLACE``), never duplicates them.
* Each run also records its score distribution per label (``risk.drift.summarise``), the
  "latest run" side of the cockpit's drift indicator.

Recording goes through ``risk.entity.scoring.score_all`` (what ``portsentinel score``, the
demo and the API run): ``ScoreHistory.begin(...)`` gives a ``RunRecorder`` whose ``add(label,
updates)`` is the scorers' ``on_written`` callback and whose ``finish()`` closes the run.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from graph.clock import now_iso
from risk.drift import summarise

KEPT_LABELS = frozenset({"Enterprise", "Person", "Vehicle", "Vessel", "Container"})
_SCHEMA = """
CREATE TABLE IF NOT EXISTS score_runs (
  run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, model_version TEXT NOT NULL,
  scored_at TEXT NOT NULL, recorded_at TEXT NOT NULL, counts TEXT NOT NULL,
  distribution TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_score_runs_kind ON score_runs(kind, scored_at);
CREATE TABLE IF NOT EXISTS score_history (
  label TEXT NOT NULL, key TEXT NOT NULL, run_id TEXT NOT NULL,
  score REAL NOT NULL, level TEXT,
  PRIMARY KEY (label, key, run_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ix_score_history_run ON score_history(run_id);
"""


def run_id_of(model_version: str, scored_at: str) -> str:
    return f"{model_version}@{scored_at}"


class ScoreHistory:
    """Thread-safe (one connection behind a lock)."""

    def __init__(self, path: str | Path, *, keep_runs: int = 30):
        self.path = Path(path)
        self.keep_runs = max(1, int(keep_runs))
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    @classmethod
    def for_data_dir(cls, data_dir: Any = None) -> "ScoreHistory":
        from risk.config import RiskSettings

        s = RiskSettings() if data_dir is None else RiskSettings(data_dir=data_dir)
        return cls(Path(s.data_dir) / "risk" / "score_history.sqlite3",
                   keep_runs=s.history_runs)

    def _conn(self) -> sqlite3.Connection:
        with self._lock:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA busy_timeout=10000")
                db.executescript(_SCHEMA)
                self._db = db
            return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- writing -----------------------------------------------------------------
    def begin(self, *, kind: str, model_version: str, scored_at: str | None = None
              ) -> "RunRecorder":
        return RunRecorder(self, kind, model_version, scored_at)

    def _write(self, rec: "RunRecorder") -> dict[str, Any]:
        rid = rec.run_id
        dist = {lab: summarise(v) for lab, v in rec.scores.items()}
        counts = {lab: len(v) for lab, v in rec.scores.items()}
        with self._lock:
            db = self._conn()
            db.execute("BEGIN IMMEDIATE")
            try:
                db.execute("DELETE FROM score_history WHERE run_id=?", (rid,))
                db.executemany("INSERT OR REPLACE INTO score_history VALUES (?,?,?,?,?)",
                               ((lab, k, rid, s, lv) for lab, k, s, lv in rec.rows))
                db.execute("INSERT OR REPLACE INTO score_runs VALUES (?,?,?,?,?,?,?)",
                           (rid, rec.kind, rec.model_version, rec.scored_at, now_iso(),
                            json.dumps(counts), json.dumps(dist)))
                old = [r[0] for r in db.execute(
                    "SELECT run_id FROM score_runs WHERE kind=? ORDER BY scored_at DESC, "
                    "run_id DESC LIMIT -1 OFFSET ?", (rec.kind, self.keep_runs))]
                for o in old:
                    db.execute("DELETE FROM score_history WHERE run_id=?", (o,))
                    db.execute("DELETE FROM score_runs WHERE run_id=?", (o,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return {"run_id": rid, "kind": rec.kind, "rows": len(rec.rows), "counts": counts,
                "pruned_runs": len(old)}

    # -- reading -----------------------------------------------------------------
    def trend(self, label: str, key: str, *, limit: int = 50) -> list[dict[str, Any]]:
        """The entity's scores over the kept runs, oldest first."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT h.run_id, r.kind, r.model_version, r.scored_at, h.score, h.level "
                "FROM score_history h JOIN score_runs r ON r.run_id = h.run_id "
                "WHERE h.label=? AND h.key=? ORDER BY r.scored_at DESC LIMIT ?",
                (label, key, int(limit))).fetchall()
        return [{"run_id": r[0], "kind": r[1], "model_version": r[2], "scored_at": r[3],
                 "score": r[4], "level": r[5]} for r in reversed(rows)]

    def runs(self, *, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        """Runs, newest first, with their counts and score distributions."""
        q = "SELECT run_id, kind, model_version, scored_at, recorded_at, counts, distribution " \
            "FROM score_runs"
        args: tuple = ()
        if kind:
            q, args = q + " WHERE kind=?", (kind,)
        with self._lock:
            rows = self._conn().execute(q + " ORDER BY scored_at DESC, run_id DESC LIMIT ?",
                                        (*args, int(limit))).fetchall()
        return [{"run_id": r[0], "kind": r[1], "model_version": r[2], "scored_at": r[3],
                 "recorded_at": r[4], "counts": json.loads(r[5]),
                 "distribution": json.loads(r[6])} for r in rows]

    def top(self, run_id: str, label: str, limit: int) -> list[tuple[str, float]]:
        """The ``limit`` highest (key, score) of ``label`` in run ``run_id`` (ties by key)."""
        with self._lock:
            rows = self._conn().execute(
                "SELECT key, score FROM score_history WHERE run_id=? AND label=? "
                "ORDER BY score DESC, key LIMIT ?", (run_id, label, int(limit))).fetchall()
        return [(str(k), float(v)) for k, v in rows]

    def latest_run(self, kind: str) -> dict[str, Any] | None:
        r = self.runs(kind=kind, limit=1)
        return r[0] if r else None

    def size(self) -> dict[str, int]:
        with self._lock:
            db = self._conn()
            return {"runs": db.execute("SELECT COUNT(*) FROM score_runs").fetchone()[0],
                    "rows": db.execute("SELECT COUNT(*) FROM score_history").fetchone()[0]}


class RunRecorder:
    """Collects one scoring run's written scores: ``add`` per ``set_properties`` chunk."""

    def __init__(self, history: ScoreHistory, kind: str, model_version: str,
                 scored_at: str | None):
        self.history, self.kind, self.model_version = history, kind, model_version
        self.scored_at = scored_at
        self.scores: dict[str, list[float]] = {}
        self.rows: list[tuple[str, str, float, str | None]] = []

    @property
    def run_id(self) -> str:
        return run_id_of(self.model_version, self.scored_at or "")

    def add(self, label: str, updates: dict[str, dict[str, Any]]) -> None:
        keep = label in KEPT_LABELS
        sc = self.scores.setdefault(label, [])
        for k, p in updates.items():
            s = p.get("risk_score")
            if s is None:
                continue
            if self.scored_at is None:
                self.scored_at = p.get("scored_at") or now_iso()
            sc.append(float(s))
            if keep:
                self.rows.append((label, str(k), float(s), p.get("risk_level")))

    def finish(self) -> dict[str, Any] | None:
        """Write the run (nothing when nothing was scored)."""
        if not self.scores:
            return None
        return self.history._write(self)  # noqa: SLF001 - the recorder's own store

"""The warning event lifecycle, in SQLite under ``PS_DATA_DIR/warnings/``.

open → acknowledged → in_progress → closed (with an outcome and feedback); each event has an
assignee, timestamps, port/location and the measures taken; every transition is a row in
``warning_transitions``. One situation raises one event: a candidate whose de-duplication key
matches an event not yet closed is merged into it (``occurrences`` + 1); one matching an event
closed less than the rule's suppression window ago is suppressed. The stateful rules' last
observed values live in the same database (``risk.warnings.observed``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from risk.warnings.engine import Candidate
from risk.warnings.exceptions import IllegalTransition, TransitionConflict, WarningNotFound
from risk.warnings.model import LEVEL_RANK, check_level

STATUSES = ("open", "acknowledged", "in_progress", "closed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("acknowledged",), "acknowledged": ("in_progress",), "in_progress": ("closed",),
    "closed": ()}
# closing outcomes; confirmed / false_alarm become model labels (1 / 0)
OUTCOMES = {"confirmed": 1, "false_alarm": 0, "inconclusive": None}

_SCHEMA = """
CREATE TABLE IF NOT EXISTS warning_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  rule TEXT NOT NULL, level TEXT NOT NULL, status TEXT NOT NULL, dedup_key TEXT NOT NULL,
  subject_label TEXT, subject_key TEXT, port TEXT, location TEXT,
  message_zh TEXT NOT NULL, message_en TEXT NOT NULL,
  evidence TEXT NOT NULL, context TEXT NOT NULL,
  assignee TEXT, outcome TEXT, feedback TEXT, measures TEXT NOT NULL DEFAULT '[]',
  occurrences INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_seen_at TEXT NOT NULL,
  acknowledged_at TEXT, started_at TEXT, closed_at TEXT, closed_ts REAL
);
CREATE INDEX IF NOT EXISTS ix_warning_dedup ON warning_events(dedup_key, id);
CREATE INDEX IF NOT EXISTS ix_warning_status ON warning_events(status, id);
CREATE TABLE IF NOT EXISTS warning_transitions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  event_id INTEGER NOT NULL REFERENCES warning_events(id),
  from_status TEXT, to_status TEXT NOT NULL, actor TEXT NOT NULL, at TEXT NOT NULL,
  note TEXT, data TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX IF NOT EXISTS ix_warning_tr_event ON warning_transitions(event_id, id);
"""


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).isoformat(timespec="milliseconds")


class LifecycleStore:
    """Thread-safe (one connection behind a lock). ``clock`` returns epoch seconds."""

    def __init__(self, path: str | Path, *, clock: Callable[[], float] = time.time):
        self.path = Path(path)
        self.clock = clock
        self._lock = threading.RLock()
        self._db: sqlite3.Connection | None = None

    # -- lifecycle ----------------------------------------------------------------
    def open(self) -> "LifecycleStore":
        with self._lock:
            if self._db is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("PRAGMA busy_timeout=5000")
                db.executescript(_SCHEMA)
                self._db = db
        return self

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @property
    def db(self) -> sqlite3.Connection:
        return self.open()._db  # type: ignore[return-value]

    def _tx(self):
        db = self.db
        db.execute("BEGIN IMMEDIATE")
        return db

    # -- raising ------------------------------------------------------------------
    def record(self, candidates: Sequence[Candidate]) -> list[tuple[str, dict[str, Any]]]:
        """Raise, merge or suppress each candidate, all in one transaction.
        Returns (outcome, event) pairs; outcome is ``raised``, ``merged`` or ``suppressed``."""
        out: list[tuple[str, int]] = []
        with self._lock:
            db = self._tx()
            try:
                for c in candidates:
                    out.append(self._record_one(db, c))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return [(o, self.get(i, transitions=False)) for o, i in out]

    def _record_one(self, db: sqlite3.Connection, c: Candidate) -> tuple[str, int]:
        now = self.clock()
        row = db.execute("SELECT id, status, level, closed_ts FROM warning_events "
                         "WHERE dedup_key=? ORDER BY id DESC LIMIT 1", (c.dedup_key,)).fetchone()
        if row is not None and row["status"] != "closed":
            level = c.level if LEVEL_RANK[c.level] > LEVEL_RANK[row["level"]] else row["level"]
            db.execute("UPDATE warning_events SET occurrences=occurrences+1, last_seen_at=?, "
                       "level=? WHERE id=?", (_iso(now), level, row["id"]))
            if level != row["level"]:
                self._transition_row(db, row["id"], row["status"], row["status"], "system", now,
                                     f"escalated {row['level']} → {level}", {"level": level})
            return "merged", row["id"]
        if row is not None and now - (row["closed_ts"] or 0) < c.suppress_for_s:
            return "suppressed", row["id"]
        cur = db.execute(
            "INSERT INTO warning_events (rule, level, status, dedup_key, subject_label, "
            "subject_key, port, location, message_zh, message_en, evidence, context, "
            "created_at, updated_at, last_seen_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (c.rule, check_level(c.level), "open", c.dedup_key, c.subject[0], c.subject[1],
             c.port, c.location, c.message_zh, c.message_en,
             json.dumps(c.evidence, ensure_ascii=False),
             json.dumps(c.context, ensure_ascii=False, default=str),
             _iso(now), _iso(now), _iso(now)))
        self._transition_row(db, cur.lastrowid, None, "open", "system", now, "raised", {})
        return "raised", int(cur.lastrowid)

    def _transition_row(self, db, event_id, frm, to, actor, now, note, data) -> None:
        db.execute("INSERT INTO warning_transitions (event_id, from_status, to_status, actor, at, "
                   "note, data) VALUES (?,?,?,?,?,?,?)",
                   (event_id, frm, to, actor, _iso(now), note,
                    json.dumps(data, ensure_ascii=False, default=str)))

    # -- transitions --------------------------------------------------------------
    def transition(self, event_id: int, to: str, *, actor: str, assignee: str | None = None,
                   outcome: str | None = None, feedback: str | None = None,
                   measures: Iterable[str] = (), note: str | None = None) -> dict[str, Any]:
        """Move an event one step along open → acknowledged → in_progress → closed.
        Refuses anything else with ``IllegalTransition`` naming the allowed next steps."""
        if to not in STATUSES:
            raise IllegalTransition(f"unknown status {to!r}; statuses are {', '.join(STATUSES)}",
                                    requested=to)
        if not actor or not str(actor).strip():
            raise IllegalTransition("a transition needs an actor (who did it)", requested=to)
        measures = [str(m) for m in measures if str(m).strip()]
        with self._lock:
            ev = self.get(event_id, transitions=False)
            cur, allowed = ev["status"], TRANSITIONS[ev["status"]]
            if to not in allowed:
                nxt = f"allowed next: {', '.join(allowed)}" if allowed else "it is closed"
                raise IllegalTransition(f"warning {event_id}: cannot go from {cur!r} to {to!r} "
                                        f"({nxt})", current=cur, requested=to, allowed=allowed)
            who = assignee or ev["assignee"]
            if to == "in_progress" and not who:
                who = actor  # whoever takes the event on handles it unless someone is named
            if to == "closed":
                if outcome not in OUTCOMES:
                    raise IllegalTransition(
                        f"warning {event_id}: closing needs an outcome, one of "
                        f"{', '.join(OUTCOMES)} (got {outcome!r})", current=cur, requested=to,
                        allowed=allowed)
            elif outcome is not None:
                raise IllegalTransition(f"warning {event_id}: an outcome is given only when "
                                        "closing", current=cur, requested=to, allowed=allowed)
            now = self.clock()
            stamp = {"acknowledged": "acknowledged_at", "in_progress": "started_at",
                     "closed": "closed_at"}[to]
            db = self._tx()
            try:
                n = db.execute(
                    f"UPDATE warning_events SET status=?, {stamp}=?, updated_at=?, assignee=?, "
                    "outcome=COALESCE(?, outcome), feedback=COALESCE(?, feedback), measures=?, "
                    "closed_ts=? WHERE id=? AND status=?",
                    (to, _iso(now), _iso(now), who, outcome, feedback,
                     json.dumps(ev["measures"] + measures, ensure_ascii=False),
                     now if to == "closed" else None, event_id, cur)).rowcount
                if n != 1:
                    raise TransitionConflict(f"warning {event_id} changed meanwhile; re-read it",
                                             current=cur, requested=to)
                self._transition_row(db, event_id, cur, to, actor, now, note,
                                     {k: v for k, v in (("assignee", assignee),
                                                        ("outcome", outcome),
                                                        ("feedback", feedback),
                                                        ("measures", measures)) if v})
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return self.get(event_id)

    # -- reads --------------------------------------------------------------------
    def get(self, event_id: int, *, transitions: bool = True) -> dict[str, Any]:
        with self._lock:
            row = self.db.execute("SELECT * FROM warning_events WHERE id=?",
                                  (int(event_id),)).fetchone()
            if row is None:
                raise WarningNotFound(f"no warning with id {event_id}")
            ev = _event(row)
            if transitions:
                # history: every row (raised, escalations, status changes); transitions: the
                # status changes a person made (acknowledged, in_progress, closed)
                ev["history"] = [
                    {"from_status": t["from_status"], "to_status": t["to_status"],
                     "actor": t["actor"], "at": t["at"], "note": t["note"],
                     "data": json.loads(t["data"])}
                    for t in self.db.execute("SELECT * FROM warning_transitions WHERE event_id=? "
                                             "ORDER BY id", (int(event_id),))]
                ev["transitions"] = [t for t in ev["history"] if t["from_status"] is not None
                                     and t["from_status"] != t["to_status"]]
            return ev

    @staticmethod
    def _where(status=None, port=None, level=None, rule=None, subject_key=None,
               closed_since=None) -> tuple[str, list[Any]]:
        where, args = [], []
        for col, val in (("status", status), ("port", port), ("level", level), ("rule", rule),
                         ("subject_key", subject_key)):
            if val:
                vals = [v for v in str(val).split(",") if v]
                where.append(f"{col} IN ({','.join('?' * len(vals))})")
                args += vals
        if closed_since:
            where.append("closed_at >= ?")
            args.append(closed_since)
        return (" WHERE " + " AND ".join(where)) if where else "", args

    def list(self, *, limit: int = 100, offset: int = 0, **filters: Any) -> list[dict[str, Any]]:
        """Newest first. Filters: status, port, level, rule, subject_key (each may be a
        comma-separated list) and closed_since (ISO time)."""
        where, args = self._where(**filters)
        sql = f"SELECT * FROM warning_events{where} ORDER BY id DESC LIMIT ? OFFSET ?"
        with self._lock:
            return [_event(r) for r in self.db.execute(sql, (*args, int(limit), int(offset)))]

    def count(self, **filters: Any) -> int:
        where, args = self._where(**filters)
        with self._lock:
            return int(self.db.execute(f"SELECT COUNT(*) FROM warning_events{where}",
                                       args).fetchone()[0])

    def counts(self) -> dict[str, int]:
        with self._lock:
            return {r[0]: r[1] for r in self.db.execute(
                "SELECT status, COUNT(*) FROM warning_events GROUP BY status")}


def _event(r: sqlite3.Row) -> dict[str, Any]:
    return {"id": r["id"], "rule": r["rule"], "level": r["level"], "status": r["status"],
            "dedup_key": r["dedup_key"],
            "subject": {"label": r["subject_label"], "key": r["subject_key"]},
            "port": r["port"], "location": r["location"],
            "message_zh": r["message_zh"], "message_en": r["message_en"],
            "evidence": json.loads(r["evidence"]), "context": json.loads(r["context"]),
            "assignee": r["assignee"], "outcome": r["outcome"], "feedback": r["feedback"],
            "measures": json.loads(r["measures"]), "occurrences": r["occurrences"],
            "created_at": r["created_at"], "updated_at": r["updated_at"],
            "last_seen_at": r["last_seen_at"], "acknowledged_at": r["acknowledged_at"],
            "started_at": r["started_at"], "closed_at": r["closed_at"]}

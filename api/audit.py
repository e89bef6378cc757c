"""The audit log: append-only and hash-chained (§7.2.2 e–f, full-process records).

Each entry stores ``prev_hash`` (the previous entry's ``hash``; 64 zeros for the first) and
``hash = sha256(canonical JSON of the entry's fields and prev_hash)``. SQLite triggers refuse
UPDATE and DELETE; anyone who edits the file by other means breaks the chain, and
:func:`AuditLog.verify` names the first entry that no longer matches. Anchoring the head hash
elsewhere (a daily print, a ticket) also detects a rewrite of the whole tail.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any, Iterator

from api.db import Database
from graph.clock import now_iso

GENESIS = "0" * 64
FIELDS = ("seq", "ts", "actor", "role", "action", "target_type", "target_id", "outcome",
          "detail", "ip", "prev_hash")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
  seq INTEGER PRIMARY KEY,
  ts TEXT NOT NULL,
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL DEFAULT '',
  target_id TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL DEFAULT 'ok',
  detail TEXT NOT NULL DEFAULT '{}',
  ip TEXT NOT NULL DEFAULT '',
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE
);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action);
CREATE INDEX IF NOT EXISTS audit_target ON audit(target_type, target_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


def entry_hash(entry: dict[str, Any]) -> str:
    canon = json.dumps({k: entry[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True,
                       separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


class AuditLog:
    def __init__(self, path: Path):
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    def append(self, *, actor: str, role: str, action: str, target_type: str = "",
               target_id: str = "", outcome: str = "ok", detail: dict[str, Any] | None = None,
               ip: str = "") -> dict[str, Any]:
        with self.db.lock:
            last = self.db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")
            entry = {
                "seq": (last["seq"] + 1) if last else 1, "ts": now_iso(timespec="milliseconds"), "actor": actor or "-",
                "role": role or "-", "action": action, "target_type": target_type or "",
                "target_id": str(target_id or ""), "outcome": outcome,
                "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True,
                                     default=str),
                "ip": ip or "", "prev_hash": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            cols = ", ".join((*FIELDS, "hash"))
            self.db.execute(f"INSERT INTO audit ({cols}) VALUES ({', '.join('?' * 12)})",
                            [entry[k] for k in (*FIELDS, "hash")])
        return _public(entry)

    def query(self, *, actor: str | None = None, action: str | None = None,
              target_type: str | None = None, target_id: str | None = None,
              outcome: str | None = None, since: str | None = None, until: str | None = None,
              q: str | None = None, limit: int = 100, offset: int = 0,
              ) -> tuple[list[dict[str, Any]], int]:
        conds, params = [], []
        for col, val in (("actor", actor), ("target_type", target_type),
                         ("target_id", target_id), ("outcome", outcome)):
            if val:
                conds.append(f"{col} = ?")
                params.append(val)
        if action:  # "graph." matches every graph action
            if action.endswith("."):
                conds.append("action LIKE ?")
                params.append(action + "%")
            else:
                conds.append("action = ?")
                params.append(action)
        if since:
            conds.append("ts >= ?")
            params.append(since)
        if until:
            conds.append("ts <= ?")
            params.append(until)
        if q:
            conds.append("(detail LIKE ? OR target_id LIKE ?)")
            params += [f"%{q}%", f"%{q}%"]
        where = ("WHERE " + " AND ".join(conds)) if conds else ""
        total = self.db.one(f"SELECT COUNT(*) AS n FROM audit {where}", params)["n"]
        rows = self.db.query(f"SELECT * FROM audit {where} ORDER BY seq DESC LIMIT ? OFFSET ?",
                             [*params, limit, offset])
        return [_public(r) for r in rows], total

    def iter_all(self, batch: int = 1000) -> Iterator[dict[str, Any]]:
        seq = 0
        while True:
            rows = self.db.query("SELECT * FROM audit WHERE seq > ? ORDER BY seq LIMIT ?",
                                 (seq, batch))
            if not rows:
                return
            for r in rows:
                yield r
            seq = rows[-1]["seq"]

    def verify(self) -> dict[str, Any]:
        """Walk the chain; report the first entry whose hash or link does not match."""
        prev, n = GENESIS, 0
        for row in self.iter_all():
            n += 1
            if row["prev_hash"] != prev:
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: prev_hash does not match entry "
                                  f"{row['seq'] - 1}'s hash (entry removed or reordered)"}
            if entry_hash(row) != row["hash"]:
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: content does not match its hash "
                                  "(entry altered)"}
            if row["seq"] != n:
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: sequence gap before it"}
            prev = row["hash"]
        return {"ok": True, "entries": n, "head": prev}

    def export(self, fmt: str, **filters: Any) -> str:
        rows, _ = self.query(limit=1_000_000, offset=0, **filters)
        rows.reverse()
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([*FIELDS, "hash"])
        for r in rows:
            w.writerow([json.dumps(r["detail"], ensure_ascii=False) if k == "detail" else r[k]
                        for k in (*FIELDS, "hash")])
        return buf.getvalue()


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in (*FIELDS, "hash")}
    try:
        out["detail"] = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
    except ValueError:
        pass
    return out

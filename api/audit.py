"""The audit log: append-only, keyed hash chain, anchored head (§7.2.2 e–f).

Each entry stores ``prev_hash`` (the previous entry's ``hash``; 64 zeros for the first) and
``hash = HMAC-SHA256(key, canonical JSON of the entry's fields and prev_hash)``. The key lives
OUTSIDE the data dir (``PS_API_AUDIT_KEY`` / ``PS_API_AUDIT_KEY_FILE``; api/config.py), so
someone who can write ``audit.sqlite`` cannot recompute a valid chain after editing it.
SQLite triggers refuse UPDATE and DELETE. :meth:`AuditLog.anchor` appends the head
(``seq``, ``hash``, time) to a separate append-only anchor file (on a schedule and at
shutdown); :meth:`AuditLog.verify` walks the chain AND checks every anchored head is still
there with the same hash, so cutting the tail (truncation) or rewriting it is reported too.
A log written by the former unkeyed chain is set aside (``audit.legacy-<time>.sqlite``) and a
new one starts whose first entry names the old head.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import json
import os
import time
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
CREATE TABLE IF NOT EXISTS audit_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_actor ON audit(actor);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action);
CREATE INDEX IF NOT EXISTS audit_target ON audit(target_type, target_id);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
"""


CHAIN = "hmac-sha256-v1"


def entry_hash(entry: dict[str, Any], key: bytes) -> str:
    canon = json.dumps({k: entry[k] for k in FIELDS}, ensure_ascii=False, sort_keys=True,
                       separators=(",", ":"))
    return hmac.new(key, canon.encode("utf-8"), hashlib.sha256).hexdigest()


def _is_legacy(path: Path) -> bool:
    import sqlite3

    if not path.exists():
        return False
    con = sqlite3.connect(str(path))
    try:
        names = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "audit" not in names:
            return False
        if "audit_meta" in names and con.execute(
                "SELECT 1 FROM audit_meta WHERE name='chain'").fetchone():
            return False
        return con.execute("SELECT COUNT(*) FROM audit").fetchone()[0] > 0
    finally:
        con.close()


class AuditLog:
    def __init__(self, path: Path, key: bytes, anchor_path: Path | None = None):
        if len(key) < 32:
            raise ValueError("the audit key must be at least 32 bytes")
        self._key = key
        self.anchor_path = anchor_path
        legacy_head = None
        if _is_legacy(path):
            legacy_head = self._set_aside(path)
        self.db = Database(path, _SCHEMA, private=True)
        self.db.execute("INSERT OR IGNORE INTO audit_meta (name, value) VALUES ('chain', ?)",
                        (CHAIN,))
        if legacy_head:
            self.append(actor="system", role="system", action="audit.legacy_set_aside",
                        detail=legacy_head)

    @staticmethod
    def _set_aside(path: Path) -> dict[str, Any]:
        import sqlite3

        con = sqlite3.connect(str(path))
        try:
            row = con.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
        finally:
            con.close()
        dest = path.with_name(f"audit.legacy-{time.strftime('%Y%m%dT%H%M%S')}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(path) + suffix)
            if src.exists():
                src.rename(Path(str(dest) + suffix))
        return {"file": dest.name, "seq": row[0], "hash": row[1], "chain": "sha256 (unkeyed)"}

    def close(self) -> None:
        self.db.close()

    # ------------------------------------------------------------ anchoring
    def head(self) -> dict[str, Any] | None:
        return self.db.one("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1")

    def anchor(self) -> dict[str, Any] | None:
        """Append the current head to the anchor file (skipped when it is already the last
        line's head). Returns the anchor written, or None."""
        if self.anchor_path is None:
            return None
        with self.db.lock:
            head = self.head()
            if head is None:
                return None
            anchors = read_anchors(self.anchor_path)
            if anchors and anchors[-1]["seq"] == head["seq"]:
                return None
            rec = {"seq": head["seq"], "hash": head["hash"], "ts": now_iso(),
                   "log": str(self.db.path.resolve())}
            self.anchor_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(str(self.anchor_path), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(fd, (json.dumps(rec, sort_keys=True) + "\n").encode())
                os.fsync(fd)
            finally:
                os.close(fd)
            return rec

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
            entry["hash"] = entry_hash(entry, self._key)
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
        """Walk the keyed chain, then check the anchored heads: the first entry whose HMAC or
        link does not match, or an anchored entry that is gone (truncation) or changed."""
        res = self._verify_chain()
        if not res["ok"] or self.anchor_path is None:
            return res
        by_seq: dict[int, str] = {}
        anchors = read_anchors(self.anchor_path)  # one anchor file per data dir
        for a in anchors:
            seq = int(a["seq"])
            if seq > res["entries"]:
                return {"ok": False, "entries": res["entries"], "bad_seq": seq,
                        "reason": f"truncated: the anchor of {a['ts']} records entry {seq} "
                                  f"but the log ends at entry {res['entries']}"}
            by_seq[seq] = a["hash"]
        if by_seq:
            for row in self.db.query(f"SELECT seq, hash FROM audit WHERE seq IN "
                                     f"({','.join('?' * len(by_seq))})", list(by_seq)):
                if not hmac.compare_digest(row["hash"], by_seq[row["seq"]]):
                    return {"ok": False, "entries": res["entries"], "bad_seq": row["seq"],
                            "reason": f"entry {row['seq']}: hash differs from the anchored "
                                      "head (the chain was rewritten)"}
        res["anchors"] = len(anchors)
        res["anchored_seq"] = max(by_seq) if by_seq else 0
        return res

    def _verify_chain(self) -> dict[str, Any]:
        prev, n = GENESIS, 0
        for row in self.iter_all():
            n += 1
            if row["prev_hash"] != prev:
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: prev_hash does not match entry "
                                  f"{row['seq'] - 1}'s hash (entry removed or reordered)"}
            if not hmac.compare_digest(entry_hash(row, self._key), row["hash"]):
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: content does not match its hash "
                                  "(entry altered)"}
            if row["seq"] != n:
                return {"ok": False, "entries": n, "bad_seq": row["seq"],
                        "reason": f"entry {row['seq']}: sequence gap before it"}
            prev = row["hash"]
        return {"ok": True, "entries": n, "head": prev}

    def export(self, fmt: str, transform: Any = None, **filters: Any) -> str:
        rows, _ = self.query(limit=1_000_000, offset=0, **filters)
        rows.reverse()
        if transform is not None:
            rows = transform(rows)
        if fmt == "jsonl":
            return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow([*FIELDS, "hash"])
        for r in rows:
            w.writerow([json.dumps(r["detail"], ensure_ascii=False) if k == "detail" else r[k]
                        for k in (*FIELDS, "hash")])
        return buf.getvalue()


def read_anchors(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line:
            try:
                out.append(json.loads(line))
            except ValueError:
                continue
    return out


def _public(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in (*FIELDS, "hash")}
    try:
        out["detail"] = json.loads(row["detail"]) if isinstance(row["detail"], str) else row["detail"]
    except ValueError:
        pass
    return out

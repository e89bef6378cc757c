"""The API's own working records (``PS_DATA_DIR/api/work.sqlite``): saved investigations,
issued targeting lists with their items, recorded inspections, masked-key tokens."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from api.db import Database
from graph.clock import now_iso, utc_now

_SCHEMA = """
CREATE TABLE IF NOT EXISTS masked_tokens (token TEXT PRIMARY KEY, label TEXT, key TEXT);
CREATE TABLE IF NOT EXISTS investigations (
  id TEXT PRIMARY KEY, owner TEXT NOT NULL, title TEXT NOT NULL, data TEXT NOT NULL,
  shared_with TEXT NOT NULL DEFAULT '[]', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS targeting_lists (
  id TEXT PRIMARY KEY, issued_by TEXT NOT NULL, port TEXT, date TEXT, budget INTEGER,
  model_version TEXT, created_at TEXT NOT NULL, meta TEXT NOT NULL DEFAULT '{}');
CREATE TABLE IF NOT EXISTS targeting_items (
  list_id TEXT NOT NULL, rank INTEGER NOT NULL, label TEXT NOT NULL, key TEXT NOT NULL,
  score REAL, reasons TEXT NOT NULL DEFAULT '[]', status TEXT NOT NULL DEFAULT 'open',
  PRIMARY KEY (list_id, rank));
CREATE INDEX IF NOT EXISTS targeting_items_key ON targeting_items(label, key);
CREATE TABLE IF NOT EXISTS inspections (
  id TEXT PRIMARY KEY, list_id TEXT, label TEXT NOT NULL, key TEXT NOT NULL,
  result TEXT NOT NULL, findings TEXT NOT NULL DEFAULT '', inspector TEXT NOT NULL,
  at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS investigation_comments (
  id TEXT PRIMARY KEY, inv_id TEXT NOT NULL, label TEXT NOT NULL, key TEXT NOT NULL,
  author TEXT NOT NULL, text TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS investigation_comments_inv ON investigation_comments(inv_id);
"""


def new_id(prefix: str) -> str:
    return f"{prefix}-{utc_now():%Y%m%d}-{secrets.token_hex(4)}"


class WorkDB:
    def __init__(self, path: Path):
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    # masked tokens
    def remember_token(self, token: str, label: str, key: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO masked_tokens VALUES (?,?,?)", (token, label, key))

    def lookup_token(self, token: str) -> tuple[str, str] | None:
        row = self.db.one("SELECT label, key FROM masked_tokens WHERE token = ?", (token,))
        return (row["label"], row["key"]) if row else None

    # investigations
    def save_investigation(self, *, owner: str, title: str, data: dict[str, Any],
                           shared_with: list[str], inv_id: str | None = None) -> dict[str, Any]:
        ts = now_iso()
        if inv_id:
            self.db.execute("UPDATE investigations SET title=?, data=?, shared_with=?,"
                            " updated_at=? WHERE id=?",
                            (title, json.dumps(data, ensure_ascii=False),
                             json.dumps(shared_with), ts, inv_id))
        else:
            inv_id = new_id("inv")
            self.db.execute("INSERT INTO investigations VALUES (?,?,?,?,?,?,?)",
                            (inv_id, owner, title, json.dumps(data, ensure_ascii=False),
                             json.dumps(shared_with), ts, ts))
        return self.get_investigation(inv_id)  # type: ignore[return-value]

    def get_investigation(self, inv_id: str) -> dict[str, Any] | None:
        row = self.db.one("SELECT * FROM investigations WHERE id = ?", (inv_id,))
        if not row:
            return None
        row["data"] = json.loads(row["data"])
        row["shared_with"] = json.loads(row["shared_with"])
        return row

    def list_investigations(self, username: str, limit: int, offset: int,
                            ) -> tuple[list[dict[str, Any]], int]:
        cond = "owner = ? OR shared_with LIKE ?"
        params = [username, f'%"{username}"%']
        total = self.db.one(f"SELECT COUNT(*) n FROM investigations WHERE {cond}", params)["n"]
        rows = self.db.query(f"SELECT id, owner, title, shared_with, created_at, updated_at"
                             f" FROM investigations WHERE {cond} ORDER BY updated_at DESC"
                             f" LIMIT ? OFFSET ?", [*params, limit, offset])
        for r in rows:
            r["shared_with"] = json.loads(r["shared_with"])
        return rows, total

    # comments on an investigation's nodes (keys as stored)
    def add_comment(self, *, inv_id: str, label: str, key: str, author: str,
                    text: str) -> dict[str, Any]:
        cid = new_id("cmt")
        self.db.execute("INSERT INTO investigation_comments VALUES (?,?,?,?,?,?,?)",
                        (cid, inv_id, label, key, author, text, now_iso()))
        return self.get_comment(cid)  # type: ignore[return-value]

    def get_comment(self, comment_id: str) -> dict[str, Any] | None:
        return self.db.one("SELECT * FROM investigation_comments WHERE id = ?", (comment_id,))

    def list_comments(self, inv_id: str) -> list[dict[str, Any]]:
        return self.db.query("SELECT * FROM investigation_comments WHERE inv_id = ?"
                             " ORDER BY created_at, id", (inv_id,))

    def count_comments(self, inv_id: str) -> int:
        return self.db.one("SELECT COUNT(*) n FROM investigation_comments WHERE inv_id = ?",
                           (inv_id,))["n"]

    def delete_comment(self, comment_id: str) -> None:
        self.db.execute("DELETE FROM investigation_comments WHERE id = ?", (comment_id,))

    # targeting lists
    def save_targeting_list(self, *, issued_by: str, port: str | None, date: str | None,
                            budget: int, model_version: str | None,
                            items: list[dict[str, Any]], meta: dict[str, Any]) -> str:
        list_id = new_id("tl")
        with self.db.lock:
            self.db.execute("INSERT INTO targeting_lists VALUES (?,?,?,?,?,?,?,?)",
                            (list_id, issued_by, port, date, budget, model_version, now_iso(),
                             json.dumps(meta, ensure_ascii=False, default=str)))
            for i, it in enumerate(items, 1):
                self.db.execute("INSERT INTO targeting_items VALUES (?,?,?,?,?,?,?)",
                                (list_id, i, it["label"], it["key"], it.get("score"),
                                 json.dumps(it.get("reasons", []), ensure_ascii=False,
                                            default=str), "open"))
        return list_id

    def get_targeting_list(self, list_id: str) -> dict[str, Any] | None:
        head = self.db.one("SELECT * FROM targeting_lists WHERE id = ?", (list_id,))
        if not head:
            return None
        head["meta"] = json.loads(head["meta"])
        items = self.db.query("SELECT * FROM targeting_items WHERE list_id = ? ORDER BY rank",
                              (list_id,))
        for it in items:
            it["reasons"] = json.loads(it["reasons"])
        head["items"] = items
        return head

    def list_targeting_lists(self, *, port: str | None, limit: int, offset: int,
                             ) -> tuple[list[dict[str, Any]], int]:
        where, params = ("WHERE port = ?", [port]) if port else ("", [])
        total = self.db.one(f"SELECT COUNT(*) n FROM targeting_lists {where}", params)["n"]
        rows = self.db.query(
            f"SELECT l.*, (SELECT COUNT(*) FROM targeting_items i WHERE i.list_id = l.id) AS n_items"
            f" FROM targeting_lists l {where} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset])
        for r in rows:
            r["meta"] = json.loads(r["meta"])
        return rows, total

    def is_listed(self, label: str, key: str) -> bool:
        return self.db.one("SELECT 1 AS x FROM targeting_items WHERE label = ? AND key = ?"
                           " LIMIT 1", (label, key)) is not None

    def set_item_status(self, label: str, key: str, status: str) -> None:
        self.db.execute("UPDATE targeting_items SET status = ? WHERE label = ? AND key = ?",
                        (status, label, key))

    # inspections
    def save_inspection(self, *, label: str, key: str, result: str, findings: str,
                        inspector: str, list_id: str | None, inspection_id: str | None = None,
                        ) -> dict[str, Any]:
        iid = inspection_id or new_id("insp")
        self.db.execute("INSERT OR REPLACE INTO inspections VALUES (?,?,?,?,?,?,?,?)",
                        (iid, list_id, label, key, result, findings, inspector, now_iso()))
        return self.db.one("SELECT * FROM inspections WHERE id = ?", (iid,))  # type: ignore

    def list_inspections(self, *, key: str | None, limit: int, offset: int,
                         ) -> tuple[list[dict[str, Any]], int]:
        where, params = ("WHERE key = ?", [key]) if key else ("", [])
        total = self.db.one(f"SELECT COUNT(*) n FROM inspections {where}", params)["n"]
        rows = self.db.query(f"SELECT * FROM inspections {where} ORDER BY at DESC"
                             f" LIMIT ? OFFSET ?", [*params, limit, offset])
        return rows, total

"""Users and roles, stored durably in SQLite (``PS_DATA_DIR/api/users.sqlite``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from api import security
from api.db import Database
from graph.clock import now_iso

ROLES = ("admin", "analyst", "inspector", "duty_officer", "trader")
GRANTS = ("pii",)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  display_name TEXT NOT NULL DEFAULT '',
  enterprise_key TEXT,
  port TEXT,
  grants TEXT NOT NULL DEFAULT '[]',
  active INTEGER NOT NULL DEFAULT 1,
  token_version INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS revoked_tokens (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL);
"""


class UserError(ValueError):
    """A user record is invalid (unknown role, trader without enterprise...)."""


class UserExists(UserError):
    pass


class UserNotFound(LookupError):
    pass


@dataclass
class User:
    username: str
    role: str
    display_name: str = ""
    enterprise_key: str | None = None
    port: str | None = None
    grants: list[str] = field(default_factory=list)
    active: bool = True
    token_version: int = 0

    def has_grant(self, grant: str) -> bool:
        return grant in self.grants

    def public(self) -> dict[str, Any]:
        return {"username": self.username, "role": self.role, "display_name": self.display_name,
                "enterprise_key": self.enterprise_key, "port": self.port,
                "grants": list(self.grants), "active": self.active}


def _row_user(row: dict[str, Any]) -> User:
    return User(username=row["username"], role=row["role"], display_name=row["display_name"],
                enterprise_key=row["enterprise_key"], port=row["port"],
                grants=json.loads(row["grants"] or "[]"), active=bool(row["active"]),
                token_version=int(row["token_version"]))


def _check(role: str, grants: list[str], enterprise_key: str | None) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is unknown (allowed: {', '.join(ROLES)})")
    unknown = [g for g in grants if g not in GRANTS]
    if unknown:
        raise UserError(f"grant(s) {unknown} unknown (allowed: {', '.join(GRANTS)})")
    if role == "trader" and not enterprise_key:
        raise UserError("a trader needs an enterprise_key (the enterprise it acts for)")


class UserStore:
    def __init__(self, path: Path):
        self.db = Database(path, _SCHEMA)

    def close(self) -> None:
        self.db.close()

    def get(self, username: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE username = ?", (username,))
        return _row_user(row) if row else None

    def list(self, *, limit: int = 100, offset: int = 0, role: str | None = None,
             ) -> tuple[list[User], int]:
        where, params = ("WHERE role = ?", [role]) if role else ("", [])
        total = self.db.one(f"SELECT COUNT(*) AS n FROM users {where}", params)["n"]
        rows = self.db.query(f"SELECT * FROM users {where} ORDER BY username LIMIT ? OFFSET ?",
                             [*params, limit, offset])
        return [_row_user(r) for r in rows], total

    def create(self, *, username: str, password: str, role: str, display_name: str = "",
               enterprise_key: str | None = None, port: str | None = None,
               grants: list[str] | None = None) -> User:
        grants = list(grants or [])
        if not username or len(username) > 64:
            raise UserError("username must be 1..64 characters")
        if len(password) < 8:
            raise UserError("password must be at least 8 characters")
        _check(role, grants, enterprise_key)
        with self.db.lock:
            if self.get(username):
                raise UserExists(f"user {username!r} already exists")
            now = now_iso()
            self.db.execute(
                "INSERT INTO users (username, password_hash, role, display_name, enterprise_key,"
                " port, grants, active, token_version, created_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,1,0,?,?)",
                (username, security.hash_password(password), role, display_name,
                 enterprise_key, port, json.dumps(grants), now, now))
        return self.get(username)  # type: ignore[return-value]

    def update(self, username: str, *, role: str | None = None, display_name: str | None = None,
               enterprise_key: str | None = None, port: str | None = None,
               grants: list[str] | None = None, active: bool | None = None,
               password: str | None = None) -> User:
        with self.db.lock:
            user = self.get(username)
            if user is None:
                raise UserNotFound(f"user {username!r} not found")
            new_role = role or user.role
            new_grants = user.grants if grants is None else list(grants)
            new_ent = user.enterprise_key if enterprise_key is None else (enterprise_key or None)
            _check(new_role, new_grants, new_ent)
            sets = {"role": new_role, "grants": json.dumps(new_grants),
                    "enterprise_key": new_ent, "updated_at": now_iso()}
            if display_name is not None:
                sets["display_name"] = display_name
            if port is not None:
                sets["port"] = port or None
            if active is not None:
                sets["active"] = int(active)
            if password is not None:
                if len(password) < 8:
                    raise UserError("password must be at least 8 characters")
                sets["password_hash"] = security.hash_password(password)
            # any change to who the user is or what it may do ends its open sessions
            sets["token_version"] = user.token_version + 1
            cols = ", ".join(f"{k} = ?" for k in sets)
            self.db.execute(f"UPDATE users SET {cols} WHERE username = ?",
                            [*sets.values(), username])
        return self.get(username)  # type: ignore[return-value]

    def authenticate(self, username: str, password: str) -> User | None:
        row = self.db.one("SELECT * FROM users WHERE username = ?", (username,))
        ok = security.verify_password(row["password_hash"] if row else None, password)
        if not ok or row is None or not row["active"]:
            return None
        if security.needs_rehash(row["password_hash"]):
            self.db.execute("UPDATE users SET password_hash = ? WHERE username = ?",
                            (security.hash_password(password), username))
        return _row_user(row)

    def revoke(self, jti: str, exp: int) -> None:
        """End one session before its expiry (sign-out); expired entries are pruned."""
        import time

        self.db.execute("INSERT OR IGNORE INTO revoked_tokens VALUES (?, ?)", (jti, int(exp)))
        self.db.execute("DELETE FROM revoked_tokens WHERE exp < ?", (int(time.time()),))

    def is_revoked(self, jti: str | None) -> bool:
        if not jti:
            return False
        return self.db.one("SELECT 1 AS x FROM revoked_tokens WHERE jti = ?", (jti,)) is not None

    def ensure(self, *, username: str, password: str, role: str, **kw: Any) -> tuple[User, bool]:
        """Create the user unless it exists; returns (user, created)."""
        existing = self.get(username)
        if existing:
            return existing, False
        return self.create(username=username, password=password, role=role, **kw), True

"""Password hashing (Argon2id, memory-hard) and signed session tokens (JWT, HS256)."""

from __future__ import annotations

import secrets
import time
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory defaults
# a fixed hash to verify against when the user does not exist (same timing either way)
_DUMMY = _hasher.hash("not-a-real-password")
ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)


def new_password(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)


def issue_token(*, secret: str, username: str, role: str, token_version: int,
                ttl_minutes: int) -> tuple[str, int]:
    now = int(time.time())
    exp = now + ttl_minutes * 60
    claims = {"sub": username, "role": role, "tv": token_version, "iat": now, "exp": exp,
              "jti": secrets.token_hex(8), "iss": "portsentinel"}
    return jwt.encode(claims, secret, algorithm=ALGORITHM), exp


def decode_token(token: str, *, secret: str) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token; None otherwise."""
    try:
        return jwt.decode(token, secret, algorithms=[ALGORITHM], issuer="portsentinel",
                          options={"require": ["sub", "exp", "iat"]})
    except jwt.PyJWTError:
        return None

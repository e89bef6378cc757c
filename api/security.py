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


def decode_token(token: str, *, secret: str, max_ttl_minutes: int | None = None,
                 ) -> dict[str, Any] | None:
    """The claims of a valid, unexpired token; None otherwise. With ``max_ttl_minutes``, a
    token whose lifetime (``exp - iat``) exceeds it, or issued in the future, is refused too:
    a forged long-lived token does not pass even with the right key."""
    try:
        claims = jwt.decode(token, secret, algorithms=[ALGORITHM], issuer="portsentinel",
                            options={"require": ["sub", "exp", "iat"]})
    except jwt.PyJWTError:
        return None
    if max_ttl_minutes is not None:
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int):
            return None
        if exp - iat > max_ttl_minutes * 60 or iat > time.time() + 60:
            return None
    return claims

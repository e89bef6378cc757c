"""Dependencies, as ``Annotated`` aliases: ``StateDep``, ``CurrentUser``, ``StoreDep``,
``KnowledgeDep``, ``AuditDep``, ``PageDep``; ``require(...)`` / ``require_any(...)`` for roles.

Authentication reads a bearer token (OAuth2 password flow) or the UI's HttpOnly session
cookie. A cookie-authenticated request that changes state must carry ``X-PS-CSRF: 1`` (a
header a cross-site form cannot send), on top of the cookie's ``SameSite=Strict``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Callable

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer

from api import authz
from api.errors import Forbidden, Unauthenticated
from api.security import decode_token
from api.state import AppState
from api.users import User
from graph import GraphStore
from knowledge import KnowledgeBase

oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# deep pages cost a scan of everything before them; offset + limit stays within the graph
# store's 10,000-row read cap
MAX_OFFSET = 4_500  # (offset + limit <= 5,000: a deep page stays well inside 5 s)


def get_state(request: Request) -> AppState:
    return request.app.state.ps


StateDep = Annotated[AppState, Depends(get_state)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else ""


def current_user(request: Request, state: StateDep,
                 token: Annotated[str | None, Depends(oauth2)] = None) -> User:
    via_cookie = False
    if not token:
        token = request.cookies.get(state.settings.cookie_name)
        via_cookie = bool(token)
    if not token:
        raise Unauthenticated("sign in first (bearer token or session cookie)")
    claims = decode_token(token, secret=state.settings.secret_key.get_secret_value(),
                          max_ttl_minutes=state.settings.token_ttl_minutes)
    if claims is None:
        raise Unauthenticated("the session is invalid or has expired; sign in again",
                              code="auth.invalid_token")
    user = state.users.get(claims["sub"])
    if user is None or not user.active or user.token_version != claims.get("tv") \
            or state.users.is_revoked(claims.get("jti")):
        raise Unauthenticated("the session is no longer valid; sign in again",
                              code="auth.invalid_token")
    request.state.user = user
    request.state.claims = claims
    if via_cookie and request.method not in SAFE_METHODS and \
            request.headers.get("x-ps-csrf") != "1":
        raise Forbidden("a cookie session needs the X-PS-CSRF: 1 header to change anything",
                        code="auth.csrf")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def session_still_valid(state: AppState, claims: dict[str, Any]) -> bool:
    """Whether a session that was valid at the start of a long request (an SSE stream) still
    is: not expired, not revoked (sign-out), the user still active, same token version."""
    import time

    if not claims or claims.get("exp", 0) <= time.time():
        return False
    user = state.users.get(claims.get("sub", ""))
    return bool(user is not None and user.active and user.token_version == claims.get("tv")
                and not state.users.is_revoked(claims.get("jti")))


def require(*permissions: str) -> Callable[..., User]:
    """A dependency that lets the request through when the user's role has ALL permissions."""

    def dep(user: CurrentUser) -> User:
        missing = [p for p in permissions if not authz.allowed(user.role, p)]
        if missing:
            raise Forbidden(f"role {user.role!r} may not {', '.join(missing)}")
        return user

    dep.__name__ = "require_" + "_".join(p.replace(":", "_") for p in permissions)
    return dep


def require_any(*permissions: str) -> Callable[..., User]:
    """Through when the role has at least ONE of the permissions (row checks follow)."""

    def dep(user: CurrentUser) -> User:
        if not any(authz.allowed(user.role, p) for p in permissions):
            raise Forbidden(f"role {user.role!r} may not {' or '.join(permissions)}")
        return user

    return dep


def get_store(state: StateDep) -> GraphStore:
    return state.store()


StoreDep = Annotated[GraphStore, Depends(get_store)]


def get_knowledge(state: StateDep) -> KnowledgeBase:
    return state.knowledge()


KnowledgeDep = Annotated[KnowledgeBase, Depends(get_knowledge)]


@dataclass
class Auditor:
    """Writes audit entries for the current request's user."""

    state: AppState
    request: Request

    def __call__(self, action: str, target_type: str = "", target_id: str = "",
                 detail: dict[str, Any] | None = None, outcome: str = "ok",
                 actor: User | None = None) -> dict[str, Any]:
        user = actor or getattr(self.request.state, "user", None)
        return self.state.audit.append(
            actor=user.username if user else "-", role=user.role if user else "-",
            action=action, target_type=target_type, target_id=target_id, outcome=outcome,
            detail=detail, ip=client_ip(self.request))


def get_auditor(request: Request, state: StateDep) -> Auditor:
    return Auditor(state, request)


AuditDep = Annotated[Auditor, Depends(get_auditor)]


@dataclass
class PageParams:
    limit: int
    offset: int

    def page(self, items: list[Any], total: int) -> dict[str, Any]:
        nxt = self.offset + self.limit if self.offset + self.limit < total else None
        return {"items": items, "total": total, "limit": self.limit, "offset": self.offset,
                "next_offset": nxt}


def page_params(limit: Annotated[int, Query(ge=1, le=500, description="page size")] = 50,
                offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description=(
                    "items to skip (at most 4,500: narrow the query to go further)"))] = 0,
                ) -> PageParams:
    return PageParams(limit, offset)


PageDep = Annotated[PageParams, Depends(page_params)]

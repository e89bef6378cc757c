"""Sign-in: OAuth2 password flow (bearer JWT) for API clients, an HttpOnly cookie for the UI.
Both are rate-limited per client address and user name; failures are audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from pydantic import BaseModel, Field

from api import authz
from api.deps import AuditDep, CurrentUser, StateDep, client_ip
from api.errors import InvalidCredentials, RateLimited
from api.security import issue_token
from api.users import User

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginBody(BaseModel):
    username: str = Field(min_length=1, max_length=64, examples=["analyst"])
    password: str = Field(max_length=256, examples=["••••••••"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: int
    user: dict[str, Any]


def _login(request: Request, state: Any, audit: Any, username: str, password: str) -> User:
    ip = client_ip(request)
    # per address whatever the name (new names do not buy new attempts), then per address+name
    wait = state.login_ip_limiter.hit(ip) or state.login_limiter.hit(f"{ip}|{username.lower()}")
    if wait:
        if state.login_ip_limiter.first_refusal(ip):  # one entry per address and window
            audit("auth.login_rate_limited", "user", username[:64], outcome="denied",
                  detail={"note": "further refusals in this minute are not logged"})
        raise RateLimited(f"too many sign-in attempts; retry in {int(wait) + 1} s",
                          headers={"Retry-After": str(int(wait) + 1)})
    user = state.users.authenticate(username, password)
    if user is None:
        audit("auth.login_failed", "user", username, outcome="failed")
        raise InvalidCredentials("wrong user name or password")
    request.state.user = user
    audit("auth.login", "user", user.username, detail={"via": request.url.path})
    return user


def _me(user: User) -> dict[str, Any]:
    return {**user.public(), "permissions": sorted(authz.ROLE_PERMISSIONS[user.role]),
            "pages": authz.ROLE_PAGES[user.role]}


@router.post("/token", response_model=TokenOut, summary="OAuth2 password flow: get a bearer token")
def token(request: Request, state: StateDep, audit: AuditDep,
          username: Annotated[str, Form(min_length=1, max_length=64)],
          password: Annotated[str, Form(max_length=256)],
          grant_type: Annotated[str | None, Form(pattern="^password$")] = None,
          scope: Annotated[str, Form(max_length=200)] = "") -> TokenOut:
    user = _login(request, state, audit, username, password)
    tok, exp = issue_token(secret=state.settings.secret_key.get_secret_value(),
                           username=user.username, role=user.role,
                           token_version=user.token_version,
                           ttl_minutes=state.settings.token_ttl_minutes)
    return TokenOut(access_token=tok, expires_at=exp, user=_me(user))


@router.post("/login", summary="Sign in for the web UI (sets an HttpOnly session cookie)")
def login(body: LoginBody, request: Request, response: Response, state: StateDep,
          audit: AuditDep) -> dict[str, Any]:
    user = _login(request, state, audit, body.username, body.password)
    s = state.settings
    tok, exp = issue_token(secret=s.secret_key.get_secret_value(), username=user.username,
                           role=user.role, token_version=user.token_version,
                           ttl_minutes=s.token_ttl_minutes)
    response.set_cookie(s.cookie_name, tok, max_age=s.token_ttl_minutes * 60, httponly=True,
                        secure=s.secure_cookies, samesite="strict", path="/")
    return {"user": _me(user), "expires_at": exp}


@router.post("/logout", summary="Sign out: the session's token is revoked and the cookie cleared")
def logout(request: Request, response: Response, user: CurrentUser, state: StateDep,
           audit: AuditDep) -> dict[str, str]:
    claims = getattr(request.state, "claims", {}) or {}
    if claims.get("jti"):
        state.users.revoke(claims["jti"], claims.get("exp", 0))
    response.delete_cookie(state.settings.cookie_name, path="/")
    audit("auth.logout", "user", user.username)
    return {"status": "signed out"}


@router.get("/me", summary="The signed-in user, its permissions and UI pages")
def me(user: CurrentUser) -> dict[str, Any]:
    return _me(user)

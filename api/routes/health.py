"""Liveness (/health) and readiness (/ready: graph engine, promoted model, knowledge index)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api import authz
from api.deps import StateDep, current_user
from api.errors import ApiError
from api.encoding import jsonable
from api.routes.models import promoted_model
from api.state import AppState

router = APIRouter(tags=["health"])


def _failed(e: Exception) -> dict[str, Any]:
    return {"ok": False, "detail": f"{type(e).__name__}: {e}"[:300]}


def _is_admin(request: Request, state: AppState) -> bool:
    auth = request.headers.get("authorization", "")
    token = auth[7:] if auth.lower().startswith("bearer ") else None
    try:
        user = current_user(request, state, token)
    except ApiError:
        return False
    return authz.allowed(user.role, "models:read")


# readiness reports what is wrong with a component; it never raises
def graph_ready(state: AppState) -> dict[str, Any]:
    try:
        return {"ok": True, "engine": jsonable(state.store().server_info())}
    except Exception as e:  # noqa: BLE001
        return _failed(e)


def model_ready(state: AppState) -> dict[str, Any]:
    try:
        info = promoted_model(state)
    except Exception as e:  # noqa: BLE001
        return _failed(e)
    if not info:
        return {"ok": False, "detail": "no promoted model"}
    return {"ok": True, "version": info.get("version"), "model": info.get("model")}


def knowledge_ready(state: AppState) -> dict[str, Any]:
    try:
        kb = state.knowledge()
        return {"ok": True, "documents": len(kb.docs), "articles": len(kb.articles),
                "dense": bool(kb.dense_ready()), "dense_coverage": kb.dense_coverage()}
    except Exception as e:  # noqa: BLE001
        return _failed(e)


@router.get("/health", summary="Liveness: the process answers",
            responses={200: {"content": {"application/json": {"example": {"status": "ok"}}}}})
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/ready", summary="Readiness: graph engine, promoted model, knowledge index",
            responses={503: {"description": "a component is not ready",
                             "content": {"application/json": {"example": {
                                 "status": "not_ready", "components": {
                                     "graph": {"ok": True}, "model": {"ok": False,
                                                                      "detail": "no promoted model"},
                                     "knowledge": {"ok": True}}}}}}})
def ready(request: Request, state: StateDep) -> Any:
    """Anonymous callers learn only which components are ready; engine versions, internal
    URIs and error details need a signed-in analyst or admin (``models:read``)."""
    comps = {"graph": graph_ready(state), "model": model_ready(state),
             "knowledge": knowledge_ready(state)}
    ok = all(c["ok"] for c in comps.values())
    if not _is_admin(request, state):
        comps = {k: {"ok": c["ok"]} for k, c in comps.items()}
    body = {"status": "ready" if ok else "not_ready", "components": comps}
    return JSONResponse(body, status_code=200 if ok else 503)

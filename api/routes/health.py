"""Liveness (/health) and readiness (/ready: graph engine, promoted model, knowledge index)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from api import services
from api.deps import StateDep

router = APIRouter(tags=["health"])


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
def ready(state: StateDep) -> Any:
    comps = {"graph": services.graph_ready(state), "model": services.model_ready(state),
             "knowledge": services.knowledge_ready(state)}
    ok = all(c["ok"] for c in comps.values())
    body = {"status": "ready" if ok else "not_ready", "components": comps}
    return JSONResponse(body, status_code=200 if ok else 503)

"""Model versions: list (analyst, admin), promote and roll back (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api import services
from api.deps import AuditDep, StateDep, require
from api.users import User

router = APIRouter(prefix="/models", tags=["models"])
Reader = Annotated[User, Depends(require("models:read"))]
Manager = Annotated[User, Depends(require("models:manage"))]


@router.get("", summary="Registered model versions with their metrics")
def list_(_: Reader, state: StateDep) -> dict[str, Any]:
    idx = services.list_models(state)
    items = list(reversed(idx.get("versions", [])))
    promoted = services.promoted_model(state)
    return {"items": items, "total": len(items), "promoted": promoted,
            "history": idx.get("history", [])}


@router.post("/{version}/promote", summary="Promote a version to serve scores")
def promote(version: str, _: Manager, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version(state)
    out = services.promote_model(state, version)
    audit("model.promote", "model", version, detail={"previous": before})
    return {"promoted": version, "previous": before, "result": out}


@router.post("/rollback", summary="Roll back to the previously promoted version")
def rollback(_: Manager, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version(state)
    out = services.rollback_model(state)
    after = _promoted_version(state)
    audit("model.rollback", "model", after or "", detail={"previous": before})
    return {"promoted": after, "previous": before, "result": out}


def _promoted_version(state: object) -> str | None:
    try:
        p = services.promoted_model(state)
    except Exception:  # noqa: BLE001
        return None
    return (p or {}).get("version")

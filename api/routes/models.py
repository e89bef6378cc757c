"""Model versions: list (analyst, admin), promote and roll back (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api import services
from api.deps import AuditDep, require
from api.users import User

router = APIRouter(prefix="/models", tags=["models"])
Reader = Annotated[User, Depends(require("models:read"))]
Manager = Annotated[User, Depends(require("models:manage"))]


@router.get("", summary="Registered model versions with their metrics")
def list_(_: Reader) -> dict[str, Any]:
    items = services.list_models()
    promoted = None
    try:
        promoted = services.promoted_model()
    except Exception:  # noqa: BLE001 - listing still useful without it
        pass
    return {"items": items, "total": len(items), "promoted": promoted}


@router.post("/{version}/promote", summary="Promote a version to serve scores")
def promote(version: str, _: Manager, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version()
    out = services.promote_model(version)
    audit("model.promote", "model", version, detail={"previous": before})
    return {"promoted": version, "previous": before, "result": out}


@router.post("/rollback", summary="Roll back to the previously promoted version")
def rollback(_: Manager, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version()
    out = services.rollback_model()
    after = _promoted_version()
    audit("model.rollback", "model", after or "", detail={"previous": before})
    return {"promoted": after, "previous": before, "result": out}


def _promoted_version() -> str | None:
    try:
        p = services.promoted_model()
    except Exception:  # noqa: BLE001
        return None
    return (p or {}).get("version")

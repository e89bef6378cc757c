"""Model versions: list (analyst, admin), promote and roll back (admin). The versions live in
the registry under the data dir (``risk.registry``)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.deps import AuditDep, StateDep, require
from api.encoding import jsonable
from api.state import AppState
from api.users import User
from risk import registry

router = APIRouter(prefix="/models", tags=["models"])
Reader = Annotated[User, Depends(require("models:read"))]
Manager = Annotated[User, Depends(require("models:manage"))]


def list_models(state: AppState) -> dict[str, Any]:
    return jsonable(registry.list_versions(data_dir=state.settings.data_dir))


def promoted_model(state: AppState) -> dict[str, Any] | None:
    """The promoted version's entry in the registry (None while nothing is promoted)."""
    idx = list_models(state)
    v = idx.get("promoted")
    if not v:
        return None
    return next((x for x in idx.get("versions", []) if x.get("version") == v), {"version": v})


def _promoted_version(state: AppState) -> str | None:
    return (promoted_model(state) or {}).get("version")


@router.get("", summary="Registered model versions with their metrics")
def list_(_: Reader, state: StateDep) -> dict[str, Any]:
    idx = list_models(state)
    items = list(reversed(idx.get("versions", [])))
    promoted = promoted_model(state)
    return {"items": items, "total": len(items), "promoted": promoted,
            "history": idx.get("history", [])}


@router.post("/{version}/promote", summary="Promote a version to serve scores")
def promote(version: str, _: Manager, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version(state)
    out = jsonable(registry.promote(version=version, data_dir=state.settings.data_dir))
    audit("model.promote", "model", version, detail={"previous": before})
    return {"promoted": version, "previous": before, "result": out}


@router.post("/rollback", summary="Roll back to the previously promoted version")
def rollback(_: Manager, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    before = _promoted_version(state)
    out = jsonable(registry.rollback(data_dir=state.settings.data_dir))
    after = _promoted_version(state)
    audit("model.rollback", "model", after or "", detail={"previous": before})
    return {"promoted": after, "previous": before, "result": out}

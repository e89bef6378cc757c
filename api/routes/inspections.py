"""Inspection results, recorded by inspectors on listed declarations (they feed the models)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import Forbidden, NotFoundError
from api.encoding import jsonable
from api.users import User
from graph import GraphStore, NodeRecord, RelRecord
from risk import targeting
from api.workdb import new_id
from graph.clock import now_iso

router = APIRouter(prefix="/inspections", tags=["inspections"])
Recorder = Annotated[User, Depends(require("inspections:record"))]
Reader = Annotated[User, Depends(require("inspections:read"))]


class InspectionIn(BaseModel):
    label: Literal["Declaration", "Container", "Vehicle"] = "Declaration"
    key: str = Field(min_length=1, max_length=100, examples=["97061800"])
    result: Literal["hit", "no_hit"] = Field(examples=["hit"])
    findings: str = Field(default="", max_length=4000, examples=["undervalued by ~40%"])
    list_id: str | None = Field(default=None, max_length=64)


def record_inspection(store: GraphStore, *, label: str, key: str, result: str, findings: str,
                      inspector: str, inspection_id: str, at: str) -> dict[str, Any]:
    """A declaration's result goes through ``risk.targeting.record_inspection`` (it feeds
    the models); a container's or vehicle's is written as an Inspection node and its
    INSPECTED edge."""
    if label == "Declaration":
        return jsonable(targeting.record_inspection(store, key, result, findings, inspector,
                                                    at=at, inspection_key=inspection_id))
    store.upsert([NodeRecord("Inspection", inspection_id,
                             {"date": at[:10], "result": result, "findings": findings,
                              "inspector": inspector, "target_label": label,
                              "target_key": key}, source="api:inspection", seen_at=at)],
                 [RelRecord("INSPECTED", "Inspection", inspection_id, label, key,
                            {"at": at}, source="api:inspection", seen_at=at)])
    return {"inspection": inspection_id, "recorded_in": "graph"}


@router.post("", status_code=201, summary="Record an inspection result")
def record(body: InspectionIn, user: Recorder, state: StateDep, store: StoreDep,
           audit: AuditDep) -> dict[str, Any]:
    if not state.work.is_listed(body.label, body.key):
        raise Forbidden(f"{body.label} {body.key!r} is not on a targeting list",
                        code="auth.not_on_targeting_list")
    if store.get(body.label, body.key) is None:
        raise NotFoundError(f"no {body.label} {body.key!r}", code="graph.not_found")
    iid, at = new_id("insp"), now_iso()
    fed = record_inspection(store, label=body.label, key=body.key, result=body.result,
                            findings=body.findings, inspector=user.username,
                            inspection_id=iid, at=at)
    row = state.work.save_inspection(label=body.label, key=body.key, result=body.result,
                                     findings=body.findings, inspector=user.username,
                                     list_id=body.list_id, inspection_id=iid)
    state.work.set_item_status(body.label, body.key, "inspected")
    audit("inspection.record", body.label, body.key,
          detail={"id": iid, "result": body.result, "list_id": body.list_id})
    return {**row, "fed": fed}


@router.get("", summary="Recorded inspections, newest first")
def list_(user: Reader, state: StateDep, page: PageDep, audit: AuditDep,
          key: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    items, total = state.work.list_inspections(key=key, limit=page.limit, offset=page.offset)
    audit("inspection.list", "Declaration" if key else "inspections", key or "",
          detail={"returned": len(items), "offset": page.offset})
    return page.page(items, total)

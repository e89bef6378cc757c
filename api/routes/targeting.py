"""Targeting lists (布控清单): issue one for a port, date and inspection budget; read them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from api.authz import scrub
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import NotFoundError
from api.encoding import jsonable
from api.state import AppState
from api.users import User
from graph import GraphStore
from risk.targeting import targeting_list

router = APIRouter(prefix="/targeting", tags=["targeting"])
Reader = Annotated[User, Depends(require("targeting:read"))]
Issuer = Annotated[User, Depends(require("targeting:issue"))]


class TargetingRequest(BaseModel):
    port: str | None = Field(default=None, max_length=50, examples=["30"],
                             description="customs office / port code; empty = all")
    date: str | None = Field(default=None, max_length=10, examples=["2020-01-01"],
                             description="declarations of that day (YYYY-MM-DD); empty = latest")
    budget: int = Field(default=20, ge=1, le=1000, description="how many to inspect")


def build_targeting(state: AppState, store: GraphStore, *, port: str | None, date: str | None,
                    budget: int) -> dict[str, Any]:
    """The promoted model's list: {"items": [{label, key, score, reasons, level, pick}],
    "model_version", "meta"}. Reasons are scrubbed: lists are shared with every inspector."""
    model, info = state.serving.get()
    out = jsonable(targeting_list(model=model, store=store, port=port or None,
                                  date_from=date or None, date_to=date or None,
                                  budget=int(budget)))
    items = []
    for it in out.get("items", []):
        r = it.get("reasons") or {}
        reasons = [{"zh": zh, "en": en} for zh, en in zip(r.get("zh", []), r.get("en", []))] \
            if isinstance(r, dict) else list(r)
        items.append({"label": "Declaration", "key": str(it["declaration"]),
                      "score": it.get("risk_score"), "reasons": scrub(reasons),
                      "level": it.get("risk_level"), "pick": it.get("pick")})
    meta = {k: v for k, v in out.items() if k != "items"}
    return {"items": items, "model_version": info.get("serving"), "meta": meta}


@router.post("/lists", status_code=201, summary="Issue a targeting list")
def issue(body: TargetingRequest, user: Issuer, state: StateDep, store: StoreDep,
          audit: AuditDep) -> dict[str, Any]:
    built = build_targeting(state, store, port=body.port, date=body.date,
                            budget=body.budget)
    list_id = state.work.save_targeting_list(
        issued_by=user.username, port=body.port, date=body.date, budget=body.budget,
        model_version=built.get("model_version"), items=built["items"], meta=built["meta"])
    audit("targeting.issue", "targeting_list", list_id,
          detail={"port": body.port, "date": body.date, "budget": body.budget,
                  "items": [i["key"] for i in built["items"]][:200],
                  "model_version": built.get("model_version")})
    return state.work.get_targeting_list(list_id)  # type: ignore[return-value]


@router.get("/lists", summary="Issued lists, newest first")
def lists(_: Reader, state: StateDep, page: PageDep, port: str | None = None) -> dict[str, Any]:
    items, total = state.work.list_targeting_lists(port=port, limit=page.limit,
                                                   offset=page.offset)
    return page.page(items, total)


@router.get("/lists/{list_id}", summary="One list with its ranked items and reasons")
def get_list(list_id: str, _: Reader, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    tl = state.work.get_targeting_list(list_id)
    if tl is None:
        raise NotFoundError(f"targeting list {list_id!r} not found", code="targeting.not_found")
    audit("targeting.read", "targeting_list", list_id)
    return tl

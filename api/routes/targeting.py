"""Targeting lists (布控清单): issue one for a port, date and inspection budget; read them."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from api import authz
from api.authz import scrub
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import ApiError, Forbidden, NotFoundError
from api.outcomes import declaration_dates, inspections, list_outcome
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
    budget: int = Field(default=20, ge=1, le=200, description="how many to inspect (an "
                        "inspector: at most PS_API_INSPECTION_BUDGET, default 50)")


def scope_request(state: AppState, user: User, body: TargetingRequest) -> TargetingRequest:
    """Analysts and admins list any port; an inspector only its own port (``User.port``) and
    at most the configured inspection budget, so a list cannot widen what it may read."""
    if authz.allowed(user.role, "declarations:read_all"):
        return body
    if not user.port:
        raise Forbidden("an inspector needs a port assigned to issue a list",
                        code="auth.no_port")
    if body.port and body.port != user.port:
        raise Forbidden(f"you inspect at port {user.port!r}, not {body.port!r}",
                        code="auth.other_port")
    cap = state.settings.inspection_budget
    if body.budget > cap:
        raise Forbidden(f"a list holds at most {cap} declarations (the inspection budget)",
                        code="auth.over_budget")
    return body.model_copy(update={"port": user.port})


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


def resolve_date(store: GraphStore, body: TargetingRequest) -> None:
    """An empty date means the latest date that has declarations (at that port); no
    declarations at all there is a clear error, not an empty list."""
    if body.date:
        return
    latest = declaration_dates(store, body.port)["latest_date"]
    if latest is None:
        raise ApiError(f"no declarations{' at port ' + body.port if body.port else ''} "
                       "to target", code="targeting.no_declarations", port=body.port)
    body.date = latest


def check_built(built: dict[str, Any], body: TargetingRequest) -> None:
    if not built["items"]:
        raise ApiError(f"no declarations on {body.date}"
                       f"{' at port ' + body.port if body.port else ''}: pick another date "
                       "(GET /targeting/defaults lists the dates that have declarations)",
                       code="targeting.no_declarations", date=body.date, port=body.port)


@router.get("/defaults", summary="Form defaults: the latest date with declarations, ports")
def defaults(user: Reader, store: StoreDep,
             port: Annotated[str | None, Query(max_length=50)] = None) -> dict[str, Any]:
    """An inspector gets its own port's dates (the only port it may list)."""
    if not authz.allowed(user.role, "declarations:read_all"):
        port = user.port
    return {**declaration_dates(store, port), "port": port}


@router.post("/lists", status_code=201, summary="Issue a targeting list")
def issue(body: TargetingRequest, user: Issuer, state: StateDep, store: StoreDep,
          audit: AuditDep) -> dict[str, Any]:
    body = scope_request(state, user, body)
    resolve_date(store, body)
    built = build_targeting(state, store, port=body.port, date=body.date,
                            budget=body.budget)
    check_built(built, body)
    list_id = state.work.save_targeting_list(
        issued_by=user.username, port=body.port, date=body.date, budget=body.budget,
        model_version=built.get("model_version"), items=built["items"], meta=built["meta"])
    audit("targeting.issue", "targeting_list", list_id,
          detail={"port": body.port, "date": body.date, "budget": body.budget,
                  "items": [i["key"] for i in built["items"]][:200],
                  "model_version": built.get("model_version")})
    return state.work.get_targeting_list(list_id)  # type: ignore[return-value]


@router.get("/lists", summary="Issued lists, newest first")
def lists(user: Reader, state: StateDep, store: StoreDep, page: PageDep,
          port: Annotated[str | None, Query(max_length=50)] = None) -> dict[str, Any]:
    if not authz.allowed(user.role, "declarations:read_all"):  # an inspector: its port only
        if not user.port:
            raise Forbidden("an inspector needs a port assigned", code="auth.no_port")
        port = user.port
    items, total = state.work.list_targeting_lists(port=port, limit=page.limit,
                                                   offset=page.offset)
    insp = inspections(store)
    for it in items:
        tl = state.work.get_targeting_list(it["id"]) or {"items": []}
        it.update(list_outcome(tl["items"], it["created_at"], insp))
    return page.page(items, total)


@router.get("/lists/{list_id}", summary="One list with its ranked items and reasons")
def get_list(list_id: Annotated[str, Path(max_length=64)], user: Reader, state: StateDep,
             store: StoreDep, audit: AuditDep) -> dict[str, Any]:
    tl = state.work.get_targeting_list(list_id)
    if tl is not None and not authz.allowed(user.role, "declarations:read_all") \
            and (not user.port or tl.get("port") != user.port):
        tl = None  # another port's list: as if it did not exist
        raise NotFoundError(f"targeting list {list_id!r} not found", code="targeting.not_found")
    audit("targeting.read", "targeting_list", list_id)
    tl.update(list_outcome(tl["items"], tl["created_at"], inspections(store)))
    return tl

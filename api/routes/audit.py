"""The audit log: search, export (CSV / JSONL), verify the hash chain (admin only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.deps import AuditDep, PageDep, StateDep, require
from api.users import User

router = APIRouter(prefix="/audit", tags=["audit"])
Admin = Annotated[User, Depends(require("audit:read"))]


def _filters(actor: str | None = None,
             action: Annotated[str | None, Query(
                 description="exact action, or a prefix ending in '.' (e.g. `graph.`)")] = None,
             target_type: str | None = None, target_id: str | None = None,
             outcome: str | None = None, since: str | None = None, until: str | None = None,
             q: Annotated[str | None, Query(description="text in target or detail")] = None,
             ) -> dict[str, Any]:
    return {"actor": actor, "action": action, "target_type": target_type,
            "target_id": target_id, "outcome": outcome, "since": since, "until": until, "q": q}


Filters = Annotated[dict[str, Any], Depends(_filters)]


@router.get("", summary="Search the audit log (newest first)", responses={200: {"content": {
    "application/json": {"example": {"items": [{
        "seq": 42, "ts": "2026-11-28T01:02:03.456+00:00", "actor": "analyst",
        "role": "analyst", "action": "graph.expand", "target_type": "Enterprise",
        "target_id": "QLRUBN9", "outcome": "ok", "detail": {"hops": 1, "nodes": 12},
        "ip": "127.0.0.1", "prev_hash": "…", "hash": "…"}], "total": 1, "limit": 50,
        "offset": 0, "next_offset": None}}}}})
def search(_: Admin, state: StateDep, page: PageDep, filters: Filters) -> dict[str, Any]:
    items, total = state.audit.query(limit=page.limit, offset=page.offset, **filters)
    return page.page(items, total)


@router.get("/export", summary="Export matching entries as CSV or JSONL (oldest first)")
def export(_: Admin, state: StateDep, audit: AuditDep, filters: Filters,
           format: Literal["csv", "jsonl"] = "jsonl") -> Response:
    body = state.audit.export(format, **filters)
    audit("audit.export", "audit", format, detail={k: v for k, v in filters.items() if v})
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return Response(body, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit.{format}"'})


@router.get("/verify", summary="Verify the hash chain")
def verify(_: Admin, state: StateDep) -> dict[str, Any]:
    return state.audit.verify()

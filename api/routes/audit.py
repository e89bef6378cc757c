"""The audit log: search, export (CSV / JSONL), verify the hash chain (admin only)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from api.authz import mask_payload, mask_value
from api.deps import AuditDep, PageDep, StateDep, require
from api.users import User

router = APIRouter(prefix="/audit", tags=["audit"])
Admin = Annotated[User, Depends(require("audit:read"))]


S64 = Annotated[str | None, Query(max_length=64)]
S200 = Annotated[str | None, Query(max_length=200)]


def _filters(actor: S64 = None,
             action: Annotated[str | None, Query(
                 max_length=64,
                 description="exact action, or a prefix ending in '.' (e.g. `graph.`)")] = None,
             target_type: S64 = None, target_id: S200 = None,
             outcome: S64 = None, since: S64 = None, until: S64 = None,
             q: Annotated[str | None, Query(max_length=200,
                                            description="text in target or detail")] = None,
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
def search(user: Admin, state: StateDep, page: PageDep, filters: Filters,
           audit: AuditDep) -> dict[str, Any]:
    items, total = state.audit.query(limit=page.limit, offset=page.offset, **filters)
    audit("audit.search", "audit", "", detail={**{k: v for k, v in filters.items() if v},
                                              "returned": len(items)})
    return page.page(view(items, user), total)


# entries whose target is what someone searched for (a name, a number): masked without pii
SEARCH_ACTIONS = ("graph.search", "declaration.list", "audit.search")


def view(items: list[dict[str, Any]], user: User) -> list[dict[str, Any]]:
    """Entries as an admin without ``pii`` sees them: search terms shortened to their first
    character (the response masking layer then tokenises personal keys and scrubs the
    rest); with ``pii``, as stored."""
    if user.has_grant("pii"):
        return items
    out = []
    for e in items:
        e = dict(e)
        if e.get("action") in SEARCH_ACTIONS and e.get("target_type") in ("query", "audit"):
            e["target_id"] = mask_value("name", e["target_id"]) if e["target_id"] else ""
        det = e.get("detail")
        if isinstance(det, dict) and "q" in det and isinstance(det["q"], str):
            e["detail"] = dict(det, q=mask_value("name", det["q"]))
        if isinstance(det, dict) and isinstance(det.get("query"), str):
            e["detail"] = dict(e["detail"], query="(query withheld)")
        out.append(e)
    return out


@router.get("/export", summary="Export matching entries as CSV or JSONL (oldest first)")
def export(user: Admin, state: StateDep, audit: AuditDep, filters: Filters,
           format: Literal["csv", "jsonl"] = "jsonl") -> Response:
    # without `pii` the export is masked like the views (hashes kept: verify on a raw one)
    masked = None if user.has_grant("pii") else \
        (lambda rows: [mask_payload(e, state.masker) for e in view(rows, user)])
    body = state.audit.export(format, transform=masked, **filters)
    audit("audit.export", "audit", format, detail={k: v for k, v in filters.items() if v})
    media = "text/csv" if format == "csv" else "application/x-ndjson"
    return Response(body, media_type=f"{media}; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="audit.{format}"'})


@router.get("/verify", summary="Verify the hash chain")
def verify(_: Admin, state: StateDep) -> dict[str, Any]:
    return state.audit.verify()

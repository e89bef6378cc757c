"""Data loads (admin): streamed events, load history (from the audit log), quarantine."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from api import services
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import ApiError
from api.users import User

router = APIRouter(prefix="/ingest", tags=["ingest"])
Writer = Annotated[User, Depends(require("ingest:write"))]
Reader = Annotated[User, Depends(require("ingest:read"))]

_EXAMPLE = "\n".join(json.dumps(e, ensure_ascii=False) for e in [
    {"type": "declaration", "decl_id": "EV-0001", "date": "2024-03-01", "port_code": "5300",
     "customs_code": "4403960001", "seller_id": "S-EV-1", "hs10": "0303890090",
     "origin": "VN", "departure": "VN", "net_mass": "1200", "value": "5300",
     "currency": "USD", "plate": "粤B12345"}])  # columns: ingest/mappings/syn_*.yaml
MAX_EVENTS = 10_000


@router.post("/events", summary="Load a JSONL batch of events (bad ones are quarantined)",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/x-ndjson": {"schema": {"type": "string"}, "example": _EXAMPLE},
                 "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
             }}})
async def events(request: Request, user: Writer, state: StateDep, store: StoreDep,
                 audit: AuditDep, source: Annotated[str, Query(max_length=100)] = "api",
                 ) -> dict[str, Any]:
    """One event per line (``type`` names its mapping: declaration, bill, manifest,
    inspection, case, enterprise, person…). Loaded idempotently with the same validation
    and quarantine as files; each batch is evaluated by the warning rules."""
    try:
        lines = services.event_lines(await request.body(),
                                     request.headers.get("content-type", ""))
    except ValueError as e:  # undecodable bytes or a malformed JSON array
        raise ApiError(f"body is neither JSONL nor a JSON array: {e}",
                       code="ingest.bad_body") from e
    if len(lines) > MAX_EVENTS:
        raise ApiError(f"{len(lines)} lines in one request; at most {MAX_EVENTS}",
                       code="ingest.too_many_events")
    out = await run_in_threadpool(services.load_events, state, store, lines, f"api:{source}")
    audit("ingest.events", "source", f"api:{source}",
          detail={"events": len(lines), "report": out if isinstance(out, dict) else None})
    return out


@router.get("/loads", summary="Data loads, newest first (from the audit log)")
def loads(_: Reader, state: StateDep, page: PageDep) -> dict[str, Any]:
    items, total = state.audit.query(action="ingest.", limit=page.limit, offset=page.offset)
    rows = [{"at": e["ts"], "by": e["actor"], "source": e["target_id"],
             **{k: v for k, v in (e["detail"].get("report") or {}).items()
                if k in ("read", "loaded", "quarantined", "duplicates", "nodes",
                         "relationships")}} for e in items]
    return page.page(rows, total)


@router.get("/quarantine", summary="Quarantined rows with the reason each was refused")
def quarantine(user: Reader, state: StateDep, page: PageDep,
               source: str | None = None) -> dict[str, Any]:
    out = services.list_quarantine(state, source, page.limit, page.offset,
                                   unmasked=user.has_grant("pii"))
    return page.page(out["items"], out["total"])

"""Data loads (admin): streamed events, load history (from the audit log), quarantine."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import ApiError
from api.encoding import jsonable
from api.state import AppState
from api.users import User
from graph import GraphStore
from ingest.quarantine import QuarantineStore
from ingest.stream import load_events

router = APIRouter(prefix="/ingest", tags=["ingest"])
Writer = Annotated[User, Depends(require("ingest:write"))]
Reader = Annotated[User, Depends(require("ingest:read"))]

_EXAMPLE = "\n".join(json.dumps(e, ensure_ascii=False) for e in [
    {"type": "declaration", "decl_id": "EV-0001", "date": "2024-03-01", "port_code": "5300",
     "customs_code": "4403960001", "seller_id": "S-EV-1", "hs10": "0303890090",
     "origin": "VN", "departure": "VN", "net_mass": "1200", "value": "5300",
     "currency": "USD", "plate": "粤B12345"}])  # columns: ingest/mappings/syn_*.yaml
MAX_EVENTS = 10_000


def event_lines(raw: bytes, content_type: str) -> list[str]:
    """A request body as JSONL lines: ``application/x-ndjson`` (or any text) is split on
    newlines; a JSON array (``application/json``) becomes one line per element."""
    text = raw.decode("utf-8")
    if "json" in content_type and "ndjson" not in content_type and text.lstrip().startswith("["):
        items = json.loads(text)
        return [json.dumps(x, ensure_ascii=False) for x in items]
    return text.splitlines()


def load_with_warnings(state: AppState, store: GraphStore, lines: list[str], source: str,
                       ) -> dict[str, Any]:
    """Load streamed events through the ingest path; each written batch is evaluated by the
    warning rules, so a watch-listed vehicle in a new declaration raises its warning as it
    lands."""
    raised = {"evaluated": 0, "raised": 0}

    def on_batch(st: GraphStore, nodes: list, rels: list) -> None:
        res = state.warnings.on_ingest(st, list(nodes) + list(rels))
        raised["evaluated"] += res.evaluated
        raised["raised"] += res.raised

    out = load_events(lines, source, store, settings=state.ingest_settings, on_batch=on_batch)
    return jsonable({**out, "warnings": raised})


def quarantined(state: AppState, source: str | None, limit: int, offset: int,
                unmasked: bool) -> dict[str, Any]:
    """Quarantined rows with their reasons, newest first; the offending value and the raw
    record are withheld from users without the ``pii`` grant (a bad row may hold an id)."""
    qs = QuarantineStore(state.ingest_settings.quarantine_dir)
    rows = list(qs.read(source)) if qs.dir.exists() else []
    rows.reverse()
    items = []
    for r in rows[offset: offset + limit]:
        r = dict(r)
        if not unmasked:
            r["value"] = "****" if r.get("value") not in (None, "") else r.get("value")
            r.pop("record", None)
        items.append(r)
    return {"items": items, "total": len(rows)}


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
        lines = event_lines(await request.body(), request.headers.get("content-type", ""))
    except ValueError as e:  # undecodable bytes or a malformed JSON array
        raise ApiError(f"body is neither JSONL nor a JSON array: {e}",
                       code="ingest.bad_body") from e
    if len(lines) > MAX_EVENTS:
        raise ApiError(f"{len(lines)} lines in one request; at most {MAX_EVENTS}",
                       code="ingest.too_many_events")
    out = await run_in_threadpool(load_with_warnings, state, store, lines, f"api:{source}")
    audit("ingest.events", "source", f"api:{source}",
          detail={"events": len(lines), "report": out})
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
def quarantine(user: Reader, state: StateDep, page: PageDep, audit: AuditDep,
               source: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    out = quarantined(state, source, page.limit, page.offset, unmasked=user.has_grant("pii"))
    audit("quarantine.read", "quarantine", source or "",
          detail={"returned": len(out["items"]), "unmasked": user.has_grant("pii")})
    return page.page(out["items"], out["total"])

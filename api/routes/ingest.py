"""Data loads (admin): streamed events, load history (from the audit log), quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from api import services
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.users import User

router = APIRouter(prefix="/ingest", tags=["ingest"])
Writer = Annotated[User, Depends(require("ingest:write"))]
Reader = Annotated[User, Depends(require("ingest:read"))]

_EXAMPLE = [{"type": "declaration", "id": "97061800", "date": "2020-01-01", "office": "30",
             "importer": "QLRUBN9", "declarant": "ZZR1LT6", "hs6": "440890",
             "origin": "BE", "value": 372254.4}]


@router.post("/events", summary="Load a batch of events (bad ones are quarantined)")
def events(user: Writer, state: StateDep, store: StoreDep, audit: AuditDep,
           body: Annotated[list[dict[str, Any]], Body(examples=[_EXAMPLE], max_length=10000)],
           source: Annotated[str, Query(max_length=100)] = "api") -> dict[str, Any]:
    out = services.load_events(state, store, body, source=f"api:{source}")
    audit("ingest.events", "source", f"api:{source}",
          detail={"events": len(body), "report": out if isinstance(out, dict) else None})
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

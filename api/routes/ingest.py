"""Data loads (admin): streamed events, load history, quarantine."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from api import services
from api.deps import AuditDep, PageDep, StoreDep, require
from api.users import User

router = APIRouter(prefix="/ingest", tags=["ingest"])
Writer = Annotated[User, Depends(require("ingest:write"))]
Reader = Annotated[User, Depends(require("ingest:read"))]

_EXAMPLE = [{"type": "declaration", "id": "97061800", "date": "2020-01-01", "office": "30",
             "importer": "QLRUBN9", "declarant": "ZZR1LT6", "hs6": "440890",
             "origin": "BE", "value": 372254.4}]


@router.post("/events", summary="Load a batch of events (bad ones are quarantined)")
def events(user: Writer, store: StoreDep, audit: AuditDep,
           body: Annotated[list[dict[str, Any]], Body(examples=[_EXAMPLE], max_length=10000)],
           source: Annotated[str, Query(max_length=100)] = "api") -> dict[str, Any]:
    out = services.load_events(store, body, source=f"{source}:{user.username}")
    audit("ingest.events", "source", source, detail={"events": len(body),
                                                     "result": out if isinstance(out, dict) else None})
    return out


@router.get("/loads", summary="History of data loads")
def loads(_: Reader, page: PageDep) -> dict[str, Any]:
    items = services.list_loads()
    return page.page(items[page.offset: page.offset + page.limit], len(items))


@router.get("/quarantine", summary="Quarantined rows with the reason each was refused")
def quarantine(_: Reader, page: PageDep, source: str | None = None) -> dict[str, Any]:
    out = services.list_quarantine(source, page.limit, page.offset)
    return page.page(out.get("items", []), int(out.get("total", 0)))

"""Warning queue (预警): list, raise, transition, run the rules, and a live SSE stream.

Reading needs ``warnings:read`` (analyst, duty officer, admin); changing anything needs
``warnings:handle`` (duty officer, admin). The rules, lifecycle and pub/sub live in
``risk.warnings``; this module only speaks HTTP.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as FPath
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import AuditDep, PageDep, StateDep, StoreDep, require, session_still_valid
from api.errors import Conflict, NotFoundError, RateLimited
from api.users import User
from risk.warnings.exceptions import IllegalTransition, WarningNotFound
from risk.warnings.service import WarningService

router = APIRouter(prefix="/warnings", tags=["warnings"])
read_dep = require("warnings:read")
handle_dep = require("warnings:handle")
Reader = Annotated[User, Depends(read_dep)]
Handler = Annotated[User, Depends(handle_dep)]
Level = Literal["红", "橙", "黄", "蓝"]
Filter = Annotated[str | None, Query(max_length=200)]
WarningId = Annotated[int, FPath(ge=1, le=2**53)]


def warning_service(state: StateDep) -> WarningService:
    """The app's warning service (``AppState.warnings``)."""
    return state.warnings


ServiceDep = Annotated[WarningService, Depends(warning_service)]


class WarningCreate(BaseModel):
    """A warning raised by hand (e.g. a duty officer's report from the field)."""

    level: Level
    message_zh: str = Field(min_length=1, max_length=2000)
    message_en: str = Field(min_length=1, max_length=2000)
    subject_label: str = Field(max_length=40, examples=["Vehicle"])
    subject_key: str = Field(min_length=1, max_length=200, examples=["粤B12345"])
    port: str | None = Field(default=None, max_length=50)
    location: str | None = Field(default=None, max_length=500)


class TransitionIn(BaseModel):
    to: Literal["acknowledged", "in_progress", "closed"]
    assignee: str | None = Field(default=None, max_length=200)
    outcome: Literal["confirmed", "false_alarm", "inconclusive"] | None = None
    feedback: str | None = Field(default=None, max_length=4000)
    measures: list[str] = Field(default_factory=list, max_length=50)
    note: str | None = Field(default=None, max_length=2000)


class EventsIn(BaseModel):
    """Events to evaluate: node/rel records (as ingest writes them), scored or tick events."""

    events: list[dict[str, Any]] = Field(max_length=50_000)


class RunIn(BaseModel):
    limit: int = Field(default=1000, ge=1, le=10_000, description="nodes per label to examine")


@router.get("", summary="The warning queue, newest first")
def list_warnings(user: Reader, service: ServiceDep, page: PageDep, audit: AuditDep,
                  status: Annotated[str | None, Query(max_length=200,
                                                      examples=["open,acknowledged"])] = None,
                  port: Filter = None,
                  level: Annotated[str | None, Query(max_length=200, examples=["红,橙"])] = None,
                  rule: Filter = None) -> dict[str, Any]:
    f = {"status": status, "port": port, "level": level, "rule": rule}
    items = service.lifecycle.list(limit=page.limit, offset=page.offset, **f)
    audit("warnings.list", "warnings", "", {**{k: v for k, v in f.items() if v},
                                            "returned": len(items), "offset": page.offset})
    return page.page(items, service.lifecycle.count(**f))


@router.post("", status_code=201, summary="Raise a warning by hand (de-duplicated)")
def create_warning(body: WarningCreate, user: Handler, service: ServiceDep, audit: AuditDep
                   ) -> dict[str, Any]:
    from graph import ontology
    ontology.check_label(body.subject_label)
    ev = service.raise_warning(level=body.level, message_zh=body.message_zh,
                               message_en=body.message_en,
                               subject=(body.subject_label, body.subject_key), port=body.port,
                               location=body.location, actor=user.username)
    audit("warnings.create", "warning", str(ev["id"]), {"result": ev["result"],
                                                        "level": body.level})
    return ev


@router.get("/rules", summary="The configured warning rules")
def rules(user: Reader, service: ServiceDep) -> dict[str, Any]:
    return {"items": [r.to_json() for r in service.rules]}


@router.get("/stats", summary="Counters of the rule engine and the queue")
def stats(user: Reader, service: ServiceDep) -> dict[str, Any]:
    return service.stats()


@router.post("/run", summary="Re-examine the graph now (backlog, volume, credit, watch list)")
def run(body: RunIn, user: Handler, service: ServiceDep, store: StoreDep, audit: AuditDep
        ) -> dict[str, Any]:
    out = service.scan(store, limit=body.limit).to_json()
    audit("warnings.run", "warnings", "", out)
    return out


@router.post("/events", summary="Evaluate events (records just ingested, scores, ticks)")
def events(body: EventsIn, user: Handler, service: ServiceDep, store: StoreDep,
           audit: AuditDep) -> dict[str, Any]:
    out = service.process(store, body.events).to_json(with_warnings=True)
    audit("warnings.events", "warnings", "", {k: v for k, v in out.items() if k != "warnings"})
    return out


@router.get("/stream", summary="New warnings as Server-Sent Events",
            response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}}})
async def stream(request: Request, user: Reader, service: ServiceDep, audit: AuditDep,
                 port: Filter = None, level: Filter = None,
                 rule: Filter = None, min_level: Level | None = None) -> StreamingResponse:
    """Each new warning matching the filters (comma-separated lists) as ``event: warning``
    with the event as JSON ``data``; a ``: ping`` comment keeps the connection alive. The
    session is re-checked at every keep-alive and event (sign-out, a disabled user or an
    expired token ends the stream); at most ``PS_API_SSE_PER_USER`` streams per user."""
    claims = dict(getattr(request.state, "claims", {}) or {})
    state = getattr(request.app.state, "ps", None)  # None: the warnings package's own test app
    if state is not None:
        _open_stream(state, user)
    audit("warnings.stream", "warnings", "", {"port": port, "level": level, "rule": rule})
    sub = service.broker.subscribe(port=port, level=level, rule=rule, min_level=min_level,
                                   loop=asyncio.get_running_loop())
    keepalive = float(service.settings.sse_keepalive_s)

    async def gen():
        try:
            yield ": connected\n\n"
            while not sub.closed:
                ev = await sub.aget(timeout=keepalive)
                if state is not None and not session_still_valid(state, claims):
                    yield "event: end\ndata: {\"reason\": \"session ended\"}\n\n"
                    break
                if ev is None:
                    if await request.is_disconnected():
                        break
                    yield ": ping\n\n"
                    continue
                data = json.dumps(ev, ensure_ascii=False, default=str)
                yield f"id: {ev['id']}\nevent: warning\ndata: {data}\n\n"
        finally:
            sub.close()
            if state is not None:
                with state.streams_lock:
                    state.streams[user.username] = max(0, state.streams.get(user.username, 1) - 1)

    return StreamingResponse(gen(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _open_stream(state: Any, user: User) -> None:
    with state.streams_lock:
        if state.streams.get(user.username, 0) >= state.settings.sse_per_user:
            raise RateLimited(f"at most {state.settings.sse_per_user} open warning streams "
                              "per user; close one first", headers={"Retry-After": "15"})
        state.streams[user.username] = state.streams.get(user.username, 0) + 1


@router.get("/feedback/labels", summary="Closed warnings with an outcome, as model labels")
def labels(user: Reader, service: ServiceDep,
           since: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    return {"items": service.feedback_labels(since)}


@router.get("/{warning_id}", summary="One warning with its evidence and every transition")
def get_warning(warning_id: WarningId, user: Reader, service: ServiceDep,
                audit: AuditDep) -> dict[str, Any]:
    try:
        out = service.lifecycle.get(warning_id)
        audit("warnings.read", "warning", str(warning_id))
        return out
    except WarningNotFound as e:
        raise NotFoundError(str(e), code="warnings.not_found") from e


@router.post("/{warning_id}/transition",
             summary="open → acknowledged → in_progress → closed (outcome + feedback)")
def transition(warning_id: WarningId, body: TransitionIn, user: Handler, service: ServiceDep,
               audit: AuditDep) -> dict[str, Any]:
    try:
        ev = service.lifecycle.transition(
            warning_id, body.to, actor=user.username, assignee=body.assignee,
            outcome=body.outcome, feedback=body.feedback, measures=body.measures,
            note=body.note)
    except WarningNotFound as e:
        raise NotFoundError(str(e), code="warnings.not_found") from e
    except IllegalTransition as e:
        audit("warnings.transition", "warning", str(warning_id),
              {"to": body.to, "reason": str(e)}, outcome="refused")
        raise Conflict(str(e), code="warnings.illegal_transition", current=e.current,
                       requested=e.requested, allowed=list(e.allowed)) from e
    audit("warnings.transition", "warning", str(warning_id),
          {"to": body.to, "assignee": body.assignee, "outcome": body.outcome})
    return ev

"""Smart consult: cited answers, as JSON or streamed as server-sent events (rate-limited)."""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any, Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.deps import AuditDep, StateDep, require
from api.encoding import jsonable
from api.errors import RateLimited, lookup
from api.state import AppState
from api.users import User

log = logging.getLogger("api.routes.qa")
router = APIRouter(prefix="/qa", tags=["qa"])
Asker = Annotated[User, Depends(require("qa:ask"))]


class Turn(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str = Field(max_length=8000)


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=2000,
                          examples=["进口旧机电产品需要办理哪些手续？"])
    history: list[Turn] = Field(default_factory=list, max_length=20)


def _earlier_questions(history: list[Turn]) -> list[str]:
    return [t.content for t in history if t.role == "user"][-5:]


def _footnotes(cites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"n": i, "article_id": c.get("article_id"), "title": c.get("citation"),
             "version_date": c.get("version_date"), "quote": c.get("quote")}
            for i, c in enumerate(cites, 1)]


def _ui_events(state: AppState, body: Question) -> Iterator[dict[str, Any]]:
    """The consultant's events as the UI's: {"type": "meta"|"token"|"done", ...}; the last
    one carries the citations as numbered footnotes."""
    stream = state.consult().chat_stream(body.question,
                                         history=_earlier_questions(body.history))
    for ev in stream:
        kind, data = ev.get("event"), jsonable(ev.get("data"))
        if kind == "token":
            yield {"type": "token", "text": data}
        elif kind == "meta":
            yield {"type": "meta", **(data or {})}
        elif kind == "sources":
            yield {"type": "done", "answered": data.get("answered"),
                   "refused": not data.get("answered", True),
                   "confidence": data.get("confidence"),
                   "citations": _footnotes(data.get("citations", []))}


def _limit(state: AppState, user: User) -> None:
    wait = state.qa_limiter.hit(user.username)
    if wait:
        raise RateLimited(f"too many questions; retry in {int(wait) + 1} s",
                          headers={"Retry-After": str(int(wait) + 1)})


@router.post("/ask", summary="Ask a question; get an answer citing the articles it rests on")
def ask(body: Question, user: Asker, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    _limit(state, user)
    ans = state.consult().answer(body.question, history=_earlier_questions(body.history))
    out = jsonable(ans.to_json())
    out["footnotes"] = _footnotes(out.get("citations", []))
    audit("qa.ask", "question", "", detail={"chars": len(body.question)})
    return out


@router.get("/coverage", summary="How much of the corpus the semantic (dense) channel covers",
            responses={200: {"content": {"application/json": {"example": {
                "state": "running", "embedded": 20480, "total": 66230, "coverage": 0.3092,
                "rate_per_s": 48.1, "eta_s": 951}}}}})
def coverage(user: Asker, state: StateDep) -> dict[str, Any]:
    """The dense index's coverage while the background embedding runs (for the chat page;
    ``/ready`` shows the same to ``models:read`` only). Counts only, no text."""
    cov = state.knowledge().dense_coverage()
    return {k: cov.get(k) for k in ("state", "embedded", "total", "coverage", "rate_per_s",
                                    "eta_s")}


@router.post("/chat", summary="Streamed answer as server-sent events",
             response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"example":
                 'event: token\ndata: {"type": "token", "text": "根据"}\n\n'
                 'event: citation\ndata: {"type": "citation", "n": 1, "article_id": "…"}\n\n'
                 'event: done\ndata: {"type": "done"}\n\n'}}}})
def chat(body: Question, user: Asker, state: StateDep, audit: AuditDep) -> StreamingResponse:
    _limit(state, user)
    events = _ui_events(state, body)
    first = next(events, None)  # fail before the 200 if the consultant is missing
    audit("qa.chat", "question", "", detail={"chars": len(body.question)})

    def sse() -> Iterator[str]:
        evs = [first] if first is not None else []
        try:
            for ev in _chain(evs, events):
                kind = ev.get("type", "message") if isinstance(ev, dict) else "message"
                yield f"event: {kind}\ndata: {json.dumps(ev, ensure_ascii=False)}\n\n"
        except Exception as e:  # noqa: BLE001 - the stream has started: report in-band
            err = _stream_error(e)
            yield f"event: error\ndata: {json.dumps(err, ensure_ascii=False)}\n\n"

    return StreamingResponse(sse(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _stream_error(e: Exception) -> dict[str, Any]:
    """An error after the 200 went out, as the stream's last event: a package error's
    message, nothing of an unexpected one (logged)."""
    if lookup(e) is None:
        log.exception("consult stream failed", exc_info=e)
        return {"type": "error", "code": "qa.error", "detail": "the server hit an error"}
    return {"type": "error", "code": "qa.error", "detail": str(e)[:300]}


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest

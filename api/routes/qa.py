"""Smart consult: cited answers, as JSON or streamed as server-sent events (rate-limited)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Iterator

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api import services
from api.deps import AuditDep, StateDep, require
from api.errors import RateLimited
from api.users import User

router = APIRouter(prefix="/qa", tags=["qa"])
Asker = Annotated[User, Depends(require("qa:ask"))]


class Turn(BaseModel):
    role: str = Field(pattern="^(user|assistant)$")
    content: str = Field(max_length=8000)


class Question(BaseModel):
    question: str = Field(min_length=1, max_length=2000,
                          examples=["进口旧机电产品需要办理哪些手续？"])
    history: list[Turn] = Field(default_factory=list, max_length=20)


def _limit(state: Any, user: User) -> None:
    wait = state.qa_limiter.hit(user.username)
    if wait:
        raise RateLimited(f"too many questions; retry in {int(wait) + 1} s",
                          headers={"Retry-After": str(int(wait) + 1)})


@router.post("/ask", summary="Ask a question; get an answer citing the articles it rests on")
def ask(body: Question, user: Asker, state: StateDep, audit: AuditDep) -> dict[str, Any]:
    _limit(state, user)
    out = services.ask(state, body.question, [t.model_dump() for t in body.history])
    audit("qa.ask", "question", "", detail={"chars": len(body.question)})
    return out


@router.post("/chat", summary="Streamed answer as server-sent events",
             response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {"example":
                 'event: token\ndata: {"type": "token", "text": "根据"}\n\n'
                 'event: citation\ndata: {"type": "citation", "n": 1, "article_id": "…"}\n\n'
                 'event: done\ndata: {"type": "done"}\n\n'}}}})
def chat(body: Question, user: Asker, state: StateDep, audit: AuditDep) -> StreamingResponse:
    _limit(state, user)
    events = services.chat_stream(state, body.question, [t.model_dump() for t in body.history])
    first = next(events, None)  # fail before the 200 if the consultant is missing
    audit("qa.chat", "question", "", detail={"chars": len(body.question)})

    def sse() -> Iterator[str]:
        evs = [first] if first is not None else []
        try:
            for ev in _chain(evs, events):
                kind = ev.get("type", "message") if isinstance(ev, dict) else "message"
                yield f"event: {kind}\ndata: {json.dumps(ev, ensure_ascii=False)}\n\n"
        except Exception as e:  # noqa: BLE001 - the stream has started: report in-band
            err = {"type": "error", "code": "qa.error", "detail": str(e)[:300]}
            yield f"event: error\ndata: {json.dumps(err, ensure_ascii=False)}\n\n"

    return StreamingResponse(sse(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest

"""Regulation documents and articles (every signed-in role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import KnowledgeDep, PageDep, require
from api.encoding import jsonable
from api.users import User

router = APIRouter(prefix="/knowledge", tags=["knowledge"])
Reader = Annotated[User, Depends(require("knowledge:read"))]


@router.get("/documents", summary="Documents of the regulation corpus")
def documents(_: Reader, kb: KnowledgeDep, page: PageDep,
              q: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    docs = sorted(kb.docs.values(), key=lambda d: d.title)
    if q:
        docs = [d for d in docs if q in d.title]
    items = [jsonable(d.to_json()) for d in docs[page.offset: page.offset + page.limit]]
    return page.page(items, len(docs))


@router.get("/articles/{article_id:path}", summary="One article's text and metadata")
def article(article_id: str, _: Reader, kb: KnowledgeDep) -> dict[str, Any]:
    art = kb.article(article_id)
    return dict(jsonable(art.to_json()), citation=art.citation)

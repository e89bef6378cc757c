"""Regulation documents and articles (every signed-in role)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api import services
from api.deps import PageDep, StateDep, require
from api.users import User

router = APIRouter(prefix="/knowledge", tags=["knowledge"])
Reader = Annotated[User, Depends(require("knowledge:read"))]


@router.get("/documents", summary="Documents of the regulation corpus")
def documents(_: Reader, state: StateDep, page: PageDep,
              q: Annotated[str | None, Query(max_length=100)] = None) -> dict[str, Any]:
    out = services.list_documents(state, page.limit, page.offset, q)
    return page.page(out.get("items", []), int(out.get("total", 0)))


@router.get("/articles/{article_id:path}", summary="One article's text and metadata")
def article(article_id: str, _: Reader, state: StateDep) -> dict[str, Any]:
    return services.get_article(state, article_id)

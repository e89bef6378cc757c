"""Comments on the nodes of a saved investigation: who wrote what about which node, when.

Who may comment: the investigation's owner and the users it is shared with, if their role
may write investigations (``investigations:write``; any other role gets 403 from the
permission check). Only a comment's author deletes it. Keys are stored as they are in the
graph (a masked token is resolved first) and shown to each reader as that reader may see
them; for a reader without ``pii`` the names of the investigation's persons are masked in the
text, and the masking layer scrubs phone and id numbers from it like from every response
string. Every add, delete
and list is audited."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as FPath
from pydantic import BaseModel, Field, field_validator

from api.deps import AuditDep, StateDep, StoreDep, require
from api.errors import Conflict, Forbidden, NotFoundError
from api.routes.investigations import _check_access, comment_json, known_label, personal_names
from api.users import User

router = APIRouter(prefix="/investigations", tags=["investigations"])
Writer = Annotated[User, Depends(require("graph:read", "investigations:write"))]
InvId = Annotated[str, FPath(max_length=64)]
CommentId = Annotated[str, FPath(max_length=64)]
MAX_COMMENTS = 500  # per investigation
MAX_TEXT = 2000


class CommentIn(BaseModel):
    label: str = Field(max_length=40, examples=["Enterprise"])
    key: str = Field(min_length=1, max_length=500, examples=["ENT-C"])
    text: str = Field(min_length=1, max_length=MAX_TEXT,
                      examples=["法定代表人同时代表另外两家企业，建议核查地址"])

    @field_validator("label")
    @classmethod
    def _known_label(cls, v: str) -> str:
        return known_label(v)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("a comment needs some text (only white space was sent)")
        return v


def comments_of(state: Any, store: Any, inv: dict[str, Any], unmasked: bool
                ) -> list[dict[str, Any]]:
    stored = state.work.list_comments(inv["id"])
    names = [] if unmasked else personal_names(store, inv, stored)
    return [comment_json(state, c, unmasked, names) for c in stored]


@router.get("/{inv_id}/comments", summary="Comments on the investigation's nodes, oldest first")
def list_comments(inv_id: InvId, user: Writer, state: StateDep, store: StoreDep,
                  audit: AuditDep) -> dict[str, Any]:
    inv = _check_access(state.work.get_investigation(inv_id), user, inv_id, write=False)
    items = comments_of(state, store, inv, user.has_grant("pii"))
    audit("investigation.comments.read", "investigation", inv_id,
          detail={"returned": len(items)})
    return {"items": items, "total": len(items)}


@router.post("/{inv_id}/comments", status_code=201, summary="Comment on a node")
def add_comment(inv_id: InvId, body: CommentIn, user: Writer, state: StateDep,
                store: StoreDep, audit: AuditDep) -> dict[str, Any]:
    inv = _check_access(state.work.get_investigation(inv_id), user, inv_id, write=False)
    unmasked = user.has_grant("pii")
    real = state.masker.resolve_for(body.label, body.key, unmasked)
    if real is None or store.get(body.label, real) is None:
        raise NotFoundError(f"no {body.label} with key {body.key!r} to comment on",
                            code="graph.not_found")
    if state.work.count_comments(inv_id) >= MAX_COMMENTS:
        raise Conflict(f"investigation {inv_id!r} already holds {MAX_COMMENTS} comments "
                       "(the most it keeps); delete some first", code="comments.limit")
    c = state.work.add_comment(inv_id=inv_id, label=body.label, key=real,
                               author=user.username, text=body.text)
    audit("investigation.comment.add", "investigation", inv_id,
          detail={"comment": c["id"], "label": body.label, "key": real,
                  "chars": len(body.text)})
    names = [] if unmasked else personal_names(store, inv, [c])
    return comment_json(state, c, unmasked, names)


@router.delete("/{inv_id}/comments/{comment_id}", status_code=204,
               summary="Delete a comment (its author only)")
def delete_comment(inv_id: InvId, comment_id: CommentId, user: Writer, state: StateDep,
                   audit: AuditDep) -> None:
    _check_access(state.work.get_investigation(inv_id), user, inv_id, write=False)
    c = state.work.get_comment(comment_id)
    if c is None or c["inv_id"] != inv_id:
        raise NotFoundError(f"comment {comment_id!r} not found in investigation {inv_id!r}")
    if c["author"] != user.username:
        raise Forbidden(f"comment {comment_id!r} was written by another user; only its "
                        "author deletes it", code="auth.not_author")
    state.work.delete_comment(comment_id)
    audit("investigation.comment.delete", "investigation", inv_id,
          detail={"comment": comment_id, "label": c["label"], "key": c["key"]})

"""Saved investigations: a set of nodes (and layout) an analyst can reopen or share.

Only references are stored (label, key, position); reopening re-reads each node and masks it
for the viewer, so sharing never leaks what the viewer may not see."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi import Path as FPath
from pydantic import BaseModel, Field, field_validator

from api.captions import captioned
from api.authz import mask_value
from api.deps import AuditDep, PageDep, StateDep, StoreDep, require
from api.errors import Forbidden, NotFoundError
from api.users import User
from graph import ontology

router = APIRouter(prefix="/investigations", tags=["investigations"])
Analyst = Annotated[User, Depends(require("graph:read", "investigations:write"))]


def known_label(v: str) -> str:
    """The label, if the ontology has it (every node reference a request names)."""
    if v not in ontology.LABELS:
        raise ValueError(f"label {v!r} is not in the ontology")
    return v


class NodeRef(BaseModel):
    label: str = Field(max_length=40)
    key: str = Field(min_length=1, max_length=500)
    x: float | None = Field(default=None, allow_inf_nan=False)
    y: float | None = Field(default=None, allow_inf_nan=False)

    @field_validator("label")
    @classmethod
    def _known_label(cls, v: str) -> str:
        return known_label(v)


class RelRef(BaseModel):
    type: str = Field(max_length=40)
    start: list[Annotated[str, Field(max_length=500)]] = Field(min_length=2, max_length=2)
    end: list[Annotated[str, Field(max_length=500)]] = Field(min_length=2, max_length=2)

    @field_validator("type")
    @classmethod
    def _known_type(cls, v: str) -> str:
        if v not in ontology.REL_TYPES:
            raise ValueError(f"relationship type {v!r} is not in the ontology")
        return v

    @field_validator("start", "end")
    @classmethod
    def _known_end(cls, v: list[str]) -> list[str]:
        if v:
            known_label(v[0])
        return v


class InvestigationIn(BaseModel):
    title: str = Field(min_length=1, max_length=200, examples=["Shell importers sharing a phone"])
    nodes: list[NodeRef] = Field(max_length=2000)
    relationships: list[RelRef] = Field(default_factory=list, max_length=5000)
    notes: str = Field(default="", max_length=10000)
    shared_with: list[Annotated[str, Field(max_length=64)]] = Field(
        default_factory=list, max_length=50, examples=[["analyst2"]])


def _store_refs(state: Any, body: InvestigationIn) -> dict[str, Any]:
    r = state.masker.resolve
    return {"nodes": [dict(n.model_dump(), key=r(n.label, n.key)) for n in body.nodes],
            "relationships": [{"type": x.type, "start": [x.start[0], r(*x.start)],
                               "end": [x.end[0], r(*x.end)]} for x in body.relationships],
            "notes": body.notes}


def _check_access(inv: dict[str, Any] | None, user: User, inv_id: str, write: bool) -> dict:
    if inv is None:
        raise NotFoundError(f"investigation {inv_id!r} not found")
    if inv["owner"] == user.username or user.role == "admin":
        return inv
    if not write and user.username in inv["shared_with"]:
        return inv
    raise Forbidden(f"investigation {inv_id!r} is not shared with you")


def personal_names(store: Any, inv: dict[str, Any], extra: list[dict] = ()) -> list[str]:
    """Names (and aliases) of the persons an investigation holds or its comments are about:
    what a comment's free text may name, masked for a reader without ``pii``."""
    refs = {(r["label"], r["key"]) for r in inv["data"]["nodes"] if r["label"] == "Person"}
    refs |= {(c["label"], c["key"]) for c in extra if c["label"] == "Person"}
    names: set[str] = set()
    for label, key in sorted(refs)[:200]:
        n = store.get(label, key)
        p = n.props if n is not None else {}
        names |= {v for v in [p.get("name"), *(p.get("aliases") or [])]
                  if isinstance(v, str) and len(v) >= 2}
    return sorted(names, key=len, reverse=True)


def comment_json(state: Any, c: dict[str, Any], unmasked: bool,
                 names: list[str] = ()) -> dict[str, Any]:
    """A stored node comment as this reader sees it: a personal key becomes its token and,
    without ``pii``, the names of the investigation's persons in the text are masked (the
    response layer scrubs phone and id numbers from every string as well)."""
    text = c["text"]
    if not unmasked:
        for name in names:
            text = text.replace(name, mask_value("name", name))
    return {"id": c["id"], "investigation": c["inv_id"], "label": c["label"],
            "key": state.masker.key_for(c["label"], c["key"], unmasked),
            "author": c["author"], "text": text, "created_at": c["created_at"]}


@router.get("", summary="Investigations I own or that are shared with me")
def list_(user: Analyst, state: StateDep, page: PageDep, audit: AuditDep) -> dict[str, Any]:
    items, total = state.work.list_investigations(user.username, page.limit, page.offset)
    audit("investigation.list", "investigation", "", detail={"returned": len(items)})
    return page.page(items, total)


@router.post("", status_code=201, summary="Save an investigation")
def create(body: InvestigationIn, user: Analyst, state: StateDep,
           audit: AuditDep) -> dict[str, Any]:
    inv = state.work.save_investigation(owner=user.username, title=body.title,
                                        data=_store_refs(state, body),
                                        shared_with=body.shared_with)
    audit("investigation.save", "investigation", inv["id"],
          detail={"nodes": len(body.nodes), "shared_with": body.shared_with})
    return {"id": inv["id"], "title": inv["title"], "shared_with": inv["shared_with"]}


InvId = Annotated[str, FPath(max_length=64)]


@router.put("/{inv_id}", summary="Update (owner only)")
def update(inv_id: InvId, body: InvestigationIn, user: Analyst, state: StateDep,
           audit: AuditDep) -> dict[str, Any]:
    _check_access(state.work.get_investigation(inv_id), user, inv_id, write=True)
    inv = state.work.save_investigation(owner=user.username, title=body.title,
                                        data=_store_refs(state, body),
                                        shared_with=body.shared_with, inv_id=inv_id)
    audit("investigation.save", "investigation", inv_id,
          detail={"nodes": len(body.nodes), "shared_with": body.shared_with})
    return {"id": inv["id"], "title": inv["title"], "shared_with": inv["shared_with"]}


@router.get("/{inv_id}", summary="Reopen: nodes re-read and masked for the viewer")
def open_(inv_id: InvId, user: Analyst, state: StateDep, store: StoreDep,
          audit: AuditDep) -> dict[str, Any]:
    inv = _check_access(state.work.get_investigation(inv_id), user, inv_id, write=False)
    unmasked = user.has_grant("pii")
    m = state.masker
    nodes, persons = [], []
    for ref in inv["data"]["nodes"]:
        n = store.get(ref["label"], ref["key"])
        if n is None:
            continue
        j = captioned(m.node(n.to_json(), unmasked))
        j["position"] = {"x": ref.get("x"), "y": ref.get("y")}
        nodes.append(j)
        if ref["label"] in ("Person", "Enterprise"):
            persons.append(f"{ref['label']}:{ref['key']}")
    rels = [m.rel({"type": r["type"], "start": r["start"], "end": r["end"], "props": {}},
                  unmasked) for r in inv["data"]["relationships"]]
    stored = state.work.list_comments(inv_id)
    names = [] if unmasked else personal_names(store, inv, stored)
    comments = [comment_json(state, c, unmasked, names) for c in stored]
    audit("investigation.open", "investigation", inv_id,
          detail={"entities": persons[:100], "comments": len(comments)})
    return {"id": inv["id"], "title": inv["title"], "owner": inv["owner"],
            "shared_with": inv["shared_with"], "notes": inv["data"].get("notes", ""),
            "nodes": nodes, "relationships": rels, "comments": comments,
            "updated_at": inv["updated_at"]}

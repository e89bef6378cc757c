"""More graph explorer reads (analyst, admin): a collapsed node's neighbours page by page,
a node's link counts per relationship type (for "expand by type"), and the landing view's
starting points. Masked and audited like ``api.routes.graph``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.deps import AuditDep, StateDep, StoreDep
from api.errors import NotFoundError
from api.routes.graph import (Analyst, Key, Label, real_key, shown_node, shown_sub, touched,
                              view)
from api.starting_points_store import starting_points
from graph import ontology
from graph.explore import COLLAPSED

router = APIRouter(prefix="/graph", tags=["graph"])
MAX_MORE_OFFSET = 4500


@router.get("/more", summary="A collapsed node's neighbours, one page at a time")
def more(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
         label: Label, key: Key,
         offset: Annotated[int, Query(ge=0, le=MAX_MORE_OFFSET,
                                      description="neighbours already shown")] = 0,
         page: Annotated[int, Query(ge=1, le=100)] = 25,
         labels: Annotated[list[str] | None, Query(description="only these labels")] = None,
         rel_types: Annotated[list[str] | None, Query()] = None,
         since: Annotated[str | None, Query(max_length=40)] = None,
         until: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
    """Neighbours ``offset .. offset+page`` of (label, key) in the engine's order (the order
    the expansion showed the first ones in), the links to them, ``total`` matching links (up
    to the expansion's count cap) and ``next_offset`` (null at the end)."""
    masker, unmasked = view(state, user)
    real = real_key(state, user, label, key)
    if store.get(label, real) is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    want = offset + page
    sub = store.neighbourhood(label, real, hops=1, labels=labels or None,
                              rel_types=rel_types or None, since=since, until=until,
                              fanout=want, limit=want + 1)
    start, rest = sub.nodes[0], sub.nodes[1:]
    shown = rest[offset:want]
    ids = {(n.label, n.key) for n in shown} | {(label, real)}
    rels = [r for r in sub.relationships if r.start in ids and r.end in ids
            and (label, real) in (r.start, r.end)]
    total = len(rest) + int(start.props.get(COLLAPSED) or 0)
    nxt = want if want < total and len(shown) == page else None
    data = {"nodes": [start.to_json()] + [n.to_json() for n in shown],
            "relationships": [r.to_json() for r in rels], "truncated": nxt is not None}
    audit("graph.expand", label, real,
          detail={"more": True, "offset": offset, "page": page, "labels": labels,
                  "rel_types": rel_types, "nodes": len(shown), **touched(data["nodes"])})
    return dict(shown_sub(masker, data, unmasked), total=total, offset=offset,
                next_offset=nxt)


@router.get("/degrees", summary="A node's links per relationship type (for expand by type)")
def degrees(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
            label: Label, key: Key) -> dict[str, Any]:
    """For each relationship type the ontology allows at ``label``: how many links the node
    has (counted up to the expansion's cap of 10,000) and the labels at their other end."""
    real = real_key(state, user, label, key)
    if store.get(label, real) is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    items = []
    for t, rt in sorted(ontology.REL_TYPES.items()):
        others = sorted({b if a == label else a for a, b in rt.pairs if label in (a, b)})
        if not others:
            continue
        sub = store.neighbourhood(label, real, hops=1, rel_types=[t], fanout=1, limit=2)
        n = len(sub.nodes) - 1 + int(sub.nodes[0].props.get(COLLAPSED) or 0) if sub.nodes \
            else 0
        if n:
            items.append({"type": t, "count": n, "labels": others,
                          "time_bearing": rt.time_bearing})
    audit("graph.degrees", label, real, detail={"types": len(items)})
    return {"label": label, "key": key, "items": items}


@router.get("/starting-points", summary="Where to start: the riskiest clusters the graph holds")
def get_starting_points(user: Analyst, state: StateDep, store: StoreDep,
                        audit: AuditDep) -> dict[str, Any]:
    """Computed from the graph and the served entity scores: the top-risk enterprise cluster
    sharing a legal representative / address / phone with members that have seizures, the
    riskiest person with the enterprises and vehicles linked to it, the riskiest vehicle.
    Each comes with its subgraph (masked for the reader) and its reasons in zh and en."""
    masker, unmasked = view(state, user)
    items = starting_points(state, store)
    out = []
    for it in items:
        sub = shown_sub(masker, it["subgraph"], unmasked)
        focus = shown_node(masker, it["focus"], unmasked)
        out.append(dict(it, subgraph=sub, focus=focus))
    nodes = [n for it in items for n in it["subgraph"]["nodes"]]
    audit("graph.starting_points", "graph", "", detail={"items": len(out), **touched(nodes)})
    return {"items": out, "total": len(out)}

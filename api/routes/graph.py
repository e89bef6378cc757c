"""Graph explorer routes (analyst, admin). Every read of a person or enterprise, every
expansion and path query is audited; person data is masked unless the user has ``pii``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.deps import AuditDep, StateDep, StoreDep, require
from api.errors import NotFoundError
from api.routes.risk import risk_of
from api.users import User
from graph import ontology

router = APIRouter(prefix="/graph", tags=["graph"])
Analyst = Annotated[User, Depends(require("graph:read"))]
Label = Annotated[str, Query(description="node label from the ontology", examples=["Enterprise"])]
Key = Annotated[str, Query(min_length=1, max_length=500, description="natural key (or masked token)",
                           examples=["QLRUBN9"])]
AUDITED_READS = {"Person": "person.read", "Enterprise": "enterprise.read"}


def view(state: Any, user: User) -> tuple[Any, bool]:
    return state.masker, user.has_grant("pii")


def touched(nodes: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Persons and enterprises in a result, for the audit entry (keys as stored)."""
    out: dict[str, list[str]] = {}
    for n in nodes:
        if n["label"] in AUDITED_READS:
            out.setdefault(n["label"], []).append(n["key"])
    return {k: v[:100] for k, v in out.items()}


def _risk_filter(data: dict[str, Any], levels: list[str] | None, keep: tuple[str, str],
                 ) -> dict[str, Any]:
    if not levels:
        return data
    nodes = [n for n in data["nodes"] if (n["label"], n["key"]) == keep
             or n["props"].get("risk_level") in levels]
    ids = {(n["label"], n["key"]) for n in nodes}
    rels = [r for r in data["relationships"]
            if tuple(r["start"]) in ids and tuple(r["end"]) in ids]
    return dict(data, nodes=nodes, relationships=rels)


@router.get("/ontology", summary="Labels, relationship types and which properties are sensitive")
def get_ontology(_: Analyst) -> dict[str, Any]:
    return ontology.as_dict()


@router.get("/counts", summary="Node and relationship counts")
def counts(_: Analyst, store: StoreDep) -> dict[str, Any]:
    return store.counts()


@router.get("/search", summary="Find nodes by name or key (case-insensitive substring)")
def search(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
           q: Annotated[str, Query(min_length=1, max_length=200, examples=["QLRU"])],
           labels: Annotated[list[str] | None, Query()] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 20) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    nodes = [n.to_json() for n in store.search(q, labels=labels or None, limit=limit)]
    audit("graph.search", "query", q[:100],
          detail={"labels": labels, "results": len(nodes), **touched(nodes)})
    return {"items": [masker.node(n, unmasked) for n in nodes], "total": len(nodes)}


@router.get("/node", summary="One node with its risk score and explanation")
def node(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep, label: Label,
         key: Key) -> dict[str, Any]:
    ontology.check_label(label)
    masker, unmasked = view(state, user)
    real = masker.resolve(label, key)
    n = store.get(label, real)
    if n is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    audit(AUDITED_READS.get(label, "graph.node.read"), label, real)
    risk = risk_of(state, store, label, real, node=n, unmasked=unmasked)
    return {"node": masker.node(n.to_json(), unmasked), "risk": risk}


@router.get("/neighbours", summary="Expand a node: its neighbourhood within 1-3 hops")
def neighbours(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
               label: Label, key: Key,
               hops: Annotated[int, Query(ge=1, le=3)] = 1,
               labels: Annotated[list[str] | None, Query(description="only these labels")] = None,
               rel_types: Annotated[list[str] | None, Query()] = None,
               risk_levels: Annotated[list[str] | None, Query(
                   description="only nodes at these risk levels (高/中/低)")] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    real = masker.resolve(label, key)
    if store.get(label, real) is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    sub = store.neighbourhood(label, real, hops=hops, labels=labels or None,
                              rel_types=rel_types or None, limit=limit).to_json()
    sub = _risk_filter(sub, risk_levels, (label, real))
    audit("graph.expand", label, real,
          detail={"hops": hops, "labels": labels, "rel_types": rel_types,
                  "nodes": len(sub["nodes"]), **touched(sub["nodes"])})
    return masker.subgraph(sub, unmasked)


@router.get("/paths", summary="Shortest paths between two entities")
def paths(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
          from_label: Label, from_key: Key, to_label: Label, to_key: Key,
          max_hops: Annotated[int, Query(ge=1, le=10)] = 6,
          limit: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    a = (from_label, masker.resolve(from_label, from_key))
    b = (to_label, masker.resolve(to_label, to_key))
    found = [p.to_json() for p in store.shortest_paths(a, b, max_hops=max_hops, limit=limit)]
    nodes = [n for p in found for n in p["nodes"]]
    audit("graph.path", from_label, a[1],
          detail={"to": list(b), "max_hops": max_hops, "paths": len(found), **touched(nodes)})
    return {"items": [masker.subgraph(p, unmasked) for p in found], "total": len(found)}


@router.get("/shared-links", summary="Entities sharing an address, phone, email or person")
def shared_links(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
                 label: Label, key: Key,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    real = masker.resolve(label, key)
    links = store.shared_attribute_links(label, real, limit=limit)
    items = [{"a": masker.node(l.a.to_json(), unmasked), "b": masker.node(l.b.to_json(), unmasked),
              "via": masker.node(l.via.to_json(), unmasked), "a_rel": l.a_rel, "b_rel": l.b_rel}
             for l in links]
    vias = [l.via.to_json() for l in links]
    audit("graph.shared_links", label, real, detail={"links": len(items), **touched(vias)})
    return {"items": items, "total": len(items)}

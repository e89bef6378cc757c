"""Graph explorer routes (analyst, admin). Every read of a person or enterprise, every
expansion and path query is audited; person data is masked unless the user has ``pii``."""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api import authz
from api.captions import captioned
from api.deps import AuditDep, StateDep, StoreDep, client_ip, require
from api.errors import NotFoundError, RateLimited
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


def shown_sub(masker: Any, data: dict[str, Any], unmasked: bool) -> dict[str, Any]:
    """A subgraph as the reader sees it: masked, then captioned (captions from what is shown)."""
    sub = masker.subgraph(data, unmasked)
    return dict(sub, nodes=[captioned(n) for n in sub["nodes"]])


def shown_node(masker: Any, node: dict[str, Any], unmasked: bool) -> dict[str, Any]:
    return captioned(masker.node(node, unmasked))


def real_key(state: Any, user: User, label: str, key: str) -> str:
    """The stored key for a request's ``key`` (a masked token resolved); a raw personal key
    from a user without ``pii`` is answered like an unknown one."""
    real = state.masker.resolve_for(label, key, user.has_grant("pii"))
    if real is None:
        raise NotFoundError(f"no {label} with key {key!r} (look personal keys up by the "
                            "masked token a search returned)", code="graph.not_found")
    return real


# a query that could name a person: a phone (10+ digits, maybe +), an e-mail, or a short
# run of CJK characters (a name); only these look in Person/Phone/Email when no label is given
PERSONAL_SHAPED = re.compile(r"\+?\d[\d\s-]{9,}|@|^[\u4e00-\u9fff·]{2,6}$")


def _exact(node: Any, q: str) -> bool:
    p = node.props or {}
    names = [node.key, p.get("name"), p.get("name_norm"), *(p.get("aliases") or [])]
    return any(isinstance(v, str) and v.strip().lower() == q.strip().lower() for v in names)


def search_nodes(state: Any, user: User, store: Any, q: str, labels: list[str] | None,
                 limit: int, ip: str) -> list[Any]:
    """Substring search; without ``pii`` a Person's name and a Phone's or Email's key match
    only EXACTLY (rate-limited per user), so masked values cannot be recovered by narrowing
    substrings."""
    if user.has_grant("pii"):
        return store.search(q, labels=labels or None, limit=limit)
    wanted = [ontology.check_label(l).label for l in labels] if labels else sorted(
        ontology.LABELS)
    free = [l for l in wanted if l not in authz.EXACT_ONLY_LABELS]
    exact = [l for l in wanted if l in authz.EXACT_ONLY_LABELS]
    if not labels and not PERSONAL_SHAPED.search(q):
        exact = []  # an ordinary search (a key, a company) is not a personal look-up
    out = store.search(q, labels=free, limit=limit) if free else []
    if exact:
        wait = state.lookup_limiter.hit(f"{user.username}|{ip}")
        if wait:
            raise RateLimited(f"too many exact look-ups of personal data; retry in "
                              f"{int(wait) + 1} s", headers={"Retry-After": str(int(wait) + 1)})
        hits = [n for n in store.search(q, labels=exact, limit=200) if _exact(n, q)]
        out = (hits + out)[:limit]
    return out


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
    found = search_nodes(state, user, store, q, labels, limit, client_ip(audit.request))
    nodes = [n.to_json() for n in found]
    audit("graph.search", "query", q[:100],
          detail={"labels": labels, "results": len(nodes), **touched(nodes)})
    return {"items": [shown_node(masker, n, unmasked) for n in nodes], "total": len(nodes)}


@router.get("/node", summary="One node with its risk score and explanation")
def node(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep, label: Label,
         key: Key) -> dict[str, Any]:
    ontology.check_label(label)
    masker, unmasked = view(state, user)
    real = real_key(state, user, label, key)
    n = store.get(label, real)
    if n is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    audit(AUDITED_READS.get(label, "graph.node.read"), label, real)
    risk = risk_of(state, store, label, real, node=n, unmasked=unmasked)
    return {"node": shown_node(masker, n.to_json(), unmasked), "risk": risk}


@router.get("/neighbours", summary="Expand a node: its neighbourhood within 1-3 hops")
def neighbours(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
               label: Label, key: Key,
               hops: Annotated[int, Query(ge=1, le=3)] = 1,
               labels: Annotated[list[str] | None, Query(description="only these labels")] = None,
               rel_types: Annotated[list[str] | None, Query()] = None,
               risk_levels: Annotated[list[str] | None, Query(
                   description="only nodes at these risk levels (高/中/低)")] = None,
               since: Annotated[str | None, Query(
                   max_length=40, description="only links whose time (at, else last_seen) "
                   "is at or after this ISO date-time")] = None,
               until: Annotated[str | None, Query(max_length=40)] = None,
               fanout: Annotated[int | None, Query(
                   ge=1, le=200, description="neighbours shown per node per hop")] = None,
               limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    real = real_key(state, user, label, key)
    if store.get(label, real) is None:
        raise NotFoundError(f"no {label} with key {key!r}", code="graph.not_found")
    sub = store.neighbourhood(label, real, hops=hops, labels=labels or None,
                              rel_types=rel_types or None, since=since, until=until,
                              fanout=fanout, limit=limit).to_json()
    sub = _risk_filter(sub, risk_levels, (label, real))
    audit("graph.expand", label, real,
          detail={"hops": hops, "labels": labels, "rel_types": rel_types, "since": since,
                  "until": until, "nodes": len(sub["nodes"]), **touched(sub["nodes"])})
    return shown_sub(masker, sub, unmasked)


@router.get("/paths", summary="Shortest paths between two entities")
def paths(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
          from_label: Label, from_key: Key, to_label: Label, to_key: Key,
          max_hops: Annotated[int, Query(ge=1, le=10)] = 6,
          limit: Annotated[int, Query(ge=1, le=20)] = 5) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    a = (from_label, real_key(state, user, from_label, from_key))
    b = (to_label, real_key(state, user, to_label, to_key))
    found = [p.to_json() for p in store.shortest_paths(a, b, max_hops=max_hops, limit=limit)]
    nodes = [n for p in found for n in p["nodes"]]
    audit("graph.path", from_label, a[1],
          detail={"to": list(b), "max_hops": max_hops, "paths": len(found), **touched(nodes)})
    return {"items": [shown_sub(masker, p, unmasked) for p in found], "total": len(found)}


@router.get("/shared-links", summary="Entities sharing an address, phone, email or person")
def shared_links(user: Analyst, state: StateDep, store: StoreDep, audit: AuditDep,
                 label: Label, key: Key,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    masker, unmasked = view(state, user)
    real = real_key(state, user, label, key)
    links = store.shared_attribute_links(label, real, limit=limit)
    items = [{"a": shown_node(masker, l.a.to_json(), unmasked),
              "b": shown_node(masker, l.b.to_json(), unmasked),
              "via": shown_node(masker, l.via.to_json(), unmasked), "a_rel": l.a_rel,
              "b_rel": l.b_rel}
             for l in links]
    vias = [l.via.to_json() for l in links]
    audit("graph.shared_links", label, real, detail={"links": len(items), **touched(vias)})
    return {"items": items, "total": len(items)}

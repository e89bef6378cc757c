"""Bounded expansion, so an analyst's click answers in interactive time on both engines
(search: ``graph/search.py``; shortest paths: ``graph/paths.py``).

The Cypher here follows ``graph/queries.py``'s rule (labels and types pass the ontology
whitelist; every value is a ``$parameter``).

**Expansion** (``expand``) is a breadth-first walk done one statement per hop, never one
variable-length pattern: the old ``MATCH p = (s)-[*1..3]-(m) ... ORDER BY length(p) LIMIT``
enumerated and sorted every path before the limit (22-26 s from a port on a 2k world).
The first statement finds the start by key; each later one sends the frontier by element
id (one statement text per filter set, planned once; Neo4j seeks ``elementId(s) = x``,
ArcadeDB ``id(s) = x``, its RID lookup) and returns, per frontier node (``walk_hop``):
  * its labels and properties: each node of the answer is read once, when it is in a
    frontier (the last hop's nodes by a count-only statement), never once per edge that
    reaches it;
  * the number of its matching edges: without a time or label filter ``COUNT { (s)-[:T]-() }``
    (Neo4j answers it from the degree store), with one a walk of the matching edges
    stopped at ``count_cap``; a supernode whose count is cached (``DegreeCache``) is not
    counted again (``$kids``);
  * its first ``fanout`` matching edges as ids, type, direction and edge properties, in a
    ``COLLECT {}`` expression (past the first hop no more than twice the node budget left,
    spread over the frontier) - none when the node is a supernode (count above
    ``supernode_degree``) reached after the start: such a node is returned collapsed,
    with ``props["collapsed_count"]`` = how many of its neighbours were not shown (also set
    on any node whose neighbours were cut by the fan-out cap).
The node budget ``limit`` bounds the whole answer; the next frontier is at most that. The
last, count-only statement flags the supernodes among the nodes of the last hop (their
``collapsed_count`` says what lies beyond; that alone does not make the answer truncated).
Measured on ArcadeDB (50k world, 3 hops from a country, hop 3: 131 frontier nodes): the
former per-node ``CALL {}`` subquery took 60-100 ms of engine time there, ``COLLECT {}``
5-11 ms; the former per-edge neighbour maps materialised ~330 nodes to keep ~30.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Hashable

from graph import ontology

_N = "{{id: elementId({v}), labels: labels({v}), props: properties({v})}}"
_R = ("{{id: elementId({v}), type: type({v}), start: elementId(startNode({v})), "
      "end: elementId(endNode({v})), props: properties({v})}}")
TIME_OK = ("($since IS NULL OR coalesce(r.at, r.last_seen) >= $since) AND "
           "($until IS NULL OR coalesce(r.at, r.last_seen) <= $until)")
COUNT_CAP = 10_000  # edges walked to count a node's matching edges under a filter
ALWAYS = 1 << 62  # "$super" for the start: expanded whatever its degree
COLLAPSED = "collapsed_count"


def _label(label: str) -> str:
    return ontology.check_label(label).label


def _types(rel_types: list[str] | None) -> str:
    return (":" + "|".join(ontology.check_rel_type(t).type for t in rel_types)
            if rel_types else "")


SEEK = {"elementId": "elementId(s) = x", "id": "id(s) = x"}


class DegreeCache:
    """Unfiltered degrees of supernodes (above the store's ``supernode_degree``), kept
    ``ttl_s``: ArcadeDB counts a node's edges by walking them (``COUNT {}`` of its 6 ports,
    66,591 edges on the 50k world: 1.3-1.7 s), so a port or country met at every 2nd or 3rd
    hop is counted once, not per expansion. The store empties it on its own writes of edges
    and deletes (element ids are reused after a delete); another process's new edges may
    make a "N more" lag by up to ``ttl_s``. Thread-safe; keyed by (element id, types)."""

    def __init__(self, ttl_s: float = 300.0, size: int = 10_000):
        self.ttl_s, self.size = float(ttl_s), int(size)
        self._d: dict[tuple[Hashable, tuple[str, ...]], tuple[int, float]] = {}
        self._lock = threading.Lock()

    def get(self, nid: Hashable, types: tuple[str, ...]) -> int | None:
        with self._lock:
            got = self._d.get((nid, types))
        return got[0] if got and time.monotonic() - got[1] < self.ttl_s else None

    def clear(self) -> None:
        with self._lock:
            self._d.clear()

    def put(self, nid: Hashable, types: tuple[str, ...], n: int) -> None:
        with self._lock:
            if len(self._d) >= self.size:
                self._d.clear()
            self._d[(nid, types)] = (int(n), time.monotonic())


def expand_hop(frontier_labels: list[str] | None, rel_types: list[str] | None,
               labels_filtered: bool, light: bool = False, *, timed: bool = True,
               seek: str = "elementId", known: bool = False) -> str:
    """One hop from the frontier. Params: ``$ids`` (element ids; ``frontier_labels`` None)
    or ``$keys`` (list of key lists, one per label, in ``frontier_labels`` order),
    ``$fanout``, ``$super`` (count above which a node is not expanded), ``$cap``, ``$since``,
    ``$until``, ``$labels``. ``timed``: the time filter is part of the statement (else
    ``$since``/``$until`` are not read). ``light``: neighbours as {id, labels, props:
    {key}} (the shortest-path walk; ``True``: edges without properties too, ``"keys"``:
    with them). ``known``: the count is ``$known`` (a one-node
    frontier whose degree is cached). Rows: {sid, n, items}."""
    types = _types(rel_types)
    conds = ([TIME_OK] if timed else []) + (
        ["any(l IN labels(m) WHERE l IN $labels)"] if labels_filtered else [])
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    node = ("{id: elementId(m), labels: labels(m), props: {key: m.key}}" if light
            else _N.format(v="m"))
    rel = (_R.format(v="r") if light in (False, "keys") else
           "{id: elementId(r), type: type(r), start: elementId(startNode(r)), "
           "end: elementId(endNode(r)), props: {}}")
    if known:
        count = "WITH s, $known AS n\n"
    elif conds:  # a filter: walk the matching edges, stopped at $cap
        count = (f"CALL {{ WITH s MATCH (s)-[r{types}]-(m){where}\n"
                 f"       WITH r LIMIT $cap RETURN count(r) AS n }}\n")
    else:  # the degree (Neo4j: from the degree store)
        count = f"WITH s, COUNT {{ (s)-[{types}]-() }} AS n\n"
    heads = ([f"UNWIND $ids AS x\nMATCH (s) WHERE {SEEK[seek]}\n"]
             if frontier_labels is None else
             [f"UNWIND $keys[{i}] AS k\nMATCH (s:{_label(l)} {{key: k}})\n"
              for i, l in enumerate(frontier_labels)])
    return "\nUNION ALL\n".join(
        head + count +
        f"CALL {{ WITH s, n WITH s, n WHERE n <= $super\n"
        f"       MATCH (s)-[r{types}]-(m){where}\n"
        f"       WITH r, m LIMIT $fanout\n"
        f"       RETURN collect({{r: {rel}, m: {node}}}) AS items }}\n"
        f"RETURN elementId(s) AS sid, n, items" for head in heads)


def walk_hop(rel_types: list[str] | None, labels_filtered: bool, *, timed: bool = True,
             seek: str = "elementId", start_label: str | None = None,
             known: bool = False, count_only: bool = False) -> str:
    """One hop of the expansion. From the start (``start_label``: ``(s:Label {key: $key})``,
    ``known``: its count is ``$known``) or from the frontier ``$ids`` (element ids; those
    in ``$kids`` have a cached count: returned with ``n = -1``, neither counted nor
    walked - ``CASE`` is lazy on both engines). Per frontier node: its own labels and
    properties (so each node of the answer is read once, when it is in a frontier), its
    count ``n`` of matching edges and, when ``0 <= n <= $super``, its first ``$fanout``
    matching edges as ``[edge id, type, outgoing?, neighbour id, edge properties]`` - the
    neighbours' properties are not materialised here (most pairs of a wide hop lead to
    nodes already shown or past the node budget). Params also ``$cap``, ``$since``,
    ``$until``, ``$labels`` (``timed``: the time filter is part of the statement).
    ``count_only``: no edges (the nodes of the last hop). Rows: {sid, n, labels, props,
    items}."""
    types = _types(rel_types)
    conds = ([TIME_OK] if timed else []) + (
        ["any(l IN labels(m) WHERE l IN $labels)"] if labels_filtered else [])
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    if start_label is not None:
        head = f"MATCH (s:{_label(start_label)} {{key: $key}})\n"
        count = ("WITH s, $known AS n\n" if known else
                 f"CALL {{ WITH s MATCH (s)-[r{types}]-(m){where}\n"
                 f"       WITH r LIMIT $cap RETURN count(r) AS n }}\n" if conds else
                 f"WITH s, COUNT {{ (s)-[{types}]-() }} AS n\n")
    else:
        head = f"UNWIND $ids AS x\nMATCH (s) WHERE {SEEK[seek]}\n"
        count = (f"CALL {{ WITH s MATCH (s)-[r{types}]-(m){where}\n"  # a filter: no cache
                 f"       WITH r LIMIT $cap RETURN count(r) AS n }}\n" if conds else
                 f"WITH s, CASE WHEN x IN $kids THEN -1 "
                 f"ELSE COUNT {{ (s)-[{types}]-() }} END AS n\n")
    # a COLLECT {} subquery expression under a (lazy) CASE, not a CALL {} subquery: ArcadeDB
    # runs a CALL per frontier row at ~0.5 ms (131 rows: 60-100 ms), this in 5-11 ms
    walk = ("WITH s, n, [] AS items\n" if count_only else
            f"WITH s, n, CASE WHEN n >= 0 AND n <= $super THEN COLLECT {{\n"
            f"       MATCH (s)-[r{types}]-(m){where}\n"
            f"       RETURN [elementId(r), type(r), startNode(r) = s, elementId(m), "
            f"properties(r)] LIMIT $fanout }} ELSE [] END AS items\n")
    return (head + count + walk +
            "RETURN elementId(s) AS sid, n, labels(s) AS labels, properties(s) AS props, items")


def expand(read: Callable[..., list[dict[str, Any]]], label: str, key: str, hops: int,
           labels: list[str] | None, rel_types: list[str] | None, since: str | None,
           until: str | None, limit: int, fanout: int, supernode_degree: int,
           node_from_row: Callable[[dict], Any], rel_from_row: Callable[..., Any],
           seek: str = "elementId", degrees: DegreeCache | None = None
           ) -> tuple[dict[str, Any], dict[str, Any], bool] | None:
    """Breadth-first expansion from (``label``, ``key``); returns (nodes by id, rels by
    id, truncated), None when there is no such node. ``read(what, cypher, **params)`` runs
    one read statement: ``hops + 1`` of them (the first finds the start by key, the last
    only counts and reads the nodes of the last hop). ``seek``: how the engine finds the
    frontier by element id (``SEEK``). ``degrees``: supernode degrees already counted
    (unfiltered expansions only): such a node is not counted again, nor expanded past the
    first hop."""
    timed = since is not None or until is not None
    cache = degrees if degrees is not None and not timed and not labels else None
    tkey = tuple(rel_types or ())
    alias = ("by key", label, key)  # the start's cached count, before its id is known
    full: dict[str, Any] = {}  # nodes read so far (each when it was in a frontier)
    order: list[str] = []  # every node of the answer, in the order found
    seen: set[str] = set()
    edges: dict[str, tuple[str, str, str, dict]] = {}  # id -> (type, start, end, props)
    degree: dict[str, int] = {}  # matching edges of each expanded node
    boundary: dict[str, int] = {}  # the same count for the nodes of the last hop
    truncated = False
    frontier: list[str] = []
    frontier_set: set[str] = set()
    for hop in range(1, hops + 2):
        last = hop > hops  # counts only: is a node of the last hop a supernode?
        cached = {}  # frontier nodes whose count is cached: not counted, not expanded
        if hop == 1:
            d = cache.get(alias, tkey) if cache is not None else None
            params: dict[str, Any] = {"key": key, "known": d or 0}
            stmt = walk_hop(rel_types, bool(labels), timed=timed, seek=seek,
                            start_label=label, known=d is not None, count_only=last)
        else:
            for x in frontier if cache is not None else ():
                d = cache.get(x, tkey)
                if d is not None and d > supernode_degree:
                    cached[x] = d
            params = {"ids": frontier, "kids": list(cached)}
            stmt = walk_hop(rel_types, bool(labels), timed=timed, seek=seek, count_only=last)
        # past the first hop, no more pairs per node than the node budget left can use
        # (x2: some lead back to nodes already shown): 138 frontier nodes with 62 of 200
        # shown fetched 25 pairs each, ~3,400 property maps, to keep 138 of them
        f = fanout if hop == 1 else min(fanout, max(
            3, -(-2 * (limit - len(order)) // max(1, len(frontier) - len(cached)))))
        rows = read(f"expansion hop {hop} from {label} {key!r}", stmt, **params, fanout=f,
                    super=(-1 if last else ALWAYS if hop == 1 else supernode_degree),
                    cap=COUNT_CAP, since=since, until=until, labels=labels)
        if hop == 1:
            if not rows:
                return None
            order.append(str(rows[0]["sid"]))
            seen.add(order[0])
            frontier_set = {order[0]}
        nxt = []
        for row in rows:
            sid = str(row["sid"])
            if sid in full or sid not in frontier_set:
                continue
            full[sid] = node_from_row({"id": sid, "labels": row["labels"],
                                       "props": row["props"]})
            n = int(row["n"])
            if sid in cached:
                n = cached[sid]
            elif cache is not None and n > supernode_degree and not (
                    hop == 1 and params["known"]):
                cache.put(sid, tkey, n)
                if hop == 1:
                    cache.put(alias, tkey, n)
            (boundary if last else degree)[sid] = n
            for rid, rtype, out, mid, rprops in row["items"]:
                rid, mid = str(rid), str(mid)
                if mid not in seen:
                    if len(order) >= limit:
                        truncated = True
                        continue
                    seen.add(mid)
                    order.append(mid)
                    nxt.append(mid)
                if rid not in edges:
                    edges[rid] = (rtype, sid if out else mid, mid if out else sid, rprops)
        frontier = nxt[:limit]
        frontier_set = set(frontier)
        if not frontier:
            break
    nodes = {x: full[x] for x in order if x in full}  # (a node deleted meanwhile: left out)
    rels: dict[str, Any] = {}
    shown: dict[str, int] = {}  # "N more": matching edges of a node the answer lacks
    for rid, (rtype, s, e, props) in edges.items():
        if s in nodes and e in nodes:
            rels[rid] = rel_from_row({"id": rid, "type": rtype, "start": s, "end": e,
                                      "props": props}, nodes)
            for end in {s, e}:
                shown[end] = shown.get(end, 0) + 1
    for nid, n in degree.items():
        if nid in nodes and n > shown.get(nid, 0):
            nodes[nid].props[COLLAPSED] = n - shown.get(nid, 0)
            truncated = True
    for nid, n in boundary.items():  # beyond the hops asked: flagged, not a truncation
        if nid in nodes and n > supernode_degree:
            nodes[nid].props[COLLAPSED] = n - shown.get(nid, 0)
    return nodes, rels, truncated


def _frontier(frontier: list[Any], by_id: bool) -> tuple[list[str] | None, dict[str, Any]]:
    """``expand_hop``'s frontier argument and parameters: element ids, or keys by label."""
    if by_id:
        return None, {"ids": [n.id for n in frontier]}
    groups: dict[str, list[str]] = {}
    for n in frontier:
        groups.setdefault(n.label, []).append(n.key)
    order = sorted(groups)
    return order, {"keys": [groups[l] for l in order]}



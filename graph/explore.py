"""Bounded expansion, so an analyst's click answers in interactive time on both engines
(search: ``graph/search.py``; shortest paths: ``graph/paths.py``).

The Cypher here follows ``graph/queries.py``'s rule (labels and types pass the ontology
whitelist; every value is a ``$parameter``).

**Expansion** (``expand``) is a breadth-first walk done one statement per hop, never one
variable-length pattern: the old ``MATCH p = (s)-[*1..3]-(m) ... ORDER BY length(p) LIMIT``
enumerated and sorted every path before the limit (22-26 s from a port on a 2k world).
Each hop sends the frontier by element id (one statement text per filter set, planned once;
Neo4j seeks ``elementId(s) = x``, ArcadeDB ``id(s) = x``, its RID lookup: 100 nodes in
~15 ms there against ~100 ms by key) and, per frontier node:
  * the number of its matching edges: without a time or label filter ``COUNT { (s)-[:T]-() }``
    (Neo4j answers it from the degree store; ArcadeDB ~4x faster than walking the edges in a
    subquery), with one a walk of the matching edges stopped at ``count_cap``;
  * its first ``fanout`` matching (edge, neighbour) pairs (past the first hop no more than
    twice the node budget left, spread over the frontier) - none when the node is a
    supernode (count above ``supernode_degree``) reached after the start: such a node is
    returned collapsed, with ``props["collapsed_count"]`` = how many of its neighbours were
    not shown (also set on any node whose neighbours were cut by the fan-out cap).
The node budget ``limit`` bounds the whole answer; the next frontier is at most that. A
last count-only statement flags the supernodes among the nodes of the last hop (their
``collapsed_count`` says what lies beyond; that alone does not make the answer truncated).
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable

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
        self._d: dict[tuple[str, tuple[str, ...]], tuple[int, float]] = {}
        self._lock = threading.Lock()

    def get(self, nid: str, types: tuple[str, ...]) -> int | None:
        with self._lock:
            got = self._d.get((nid, types))
        return got[0] if got and time.monotonic() - got[1] < self.ttl_s else None

    def clear(self) -> None:
        with self._lock:
            self._d.clear()

    def put(self, nid: str, types: tuple[str, ...], n: int) -> None:
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


def expand(read: Callable[..., list[dict[str, Any]]], start: Any, hops: int,
           labels: list[str] | None, rel_types: list[str] | None, since: str | None,
           until: str | None, limit: int, fanout: int, supernode_degree: int,
           node_from_row: Callable[[dict], Any], rel_from_row: Callable[..., Any],
           seek: str | None = None, degrees: DegreeCache | None = None
           ) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Breadth-first expansion from ``start`` (a Node); returns (nodes by id, rels by id,
    truncated). ``read(what, cypher, **params)`` runs one read statement. ``seek``: how
    the engine finds the frontier by element id (``SEEK``); None: by key, label by label.
    ``degrees``: supernode degrees already counted (unfiltered expansions only): such a
    node past the first hop is not sent (it is not expanded there), its count is reused."""
    nodes: dict[str, Any] = {start.id: start}
    rels: dict[str, Any] = {}
    degree: dict[str, int] = {}  # matching edges of each expanded node
    truncated = False
    frontier = [start]
    boundary: dict[str, int] = {}  # the same count for the nodes of the last hop
    for hop in range(1, hops + 2):
        last = hop > hops  # counts only: is a node of the last hop a supernode?
        timed = since is not None or until is not None
        cache = degrees if (degrees is not None and seek is not None and not timed
                            and not labels) else None
        tkey = tuple(rel_types or ())
        known = {}
        if cache is not None:
            for x in frontier:
                d = cache.get(x.id, tkey)
                if d is not None and d > supernode_degree:
                    known[x.id] = d
        if hop > 1 and known:  # not expanded past the first hop: counted, not sent
            for nid, d in known.items():
                (boundary if last else degree)[nid] = d
            frontier = [x for x in frontier if x.id not in known]
            known = {}
            if not frontier:
                break
        order, keys = _frontier(frontier, seek is not None)
        # past the first hop, no more pairs per node than the node budget left can use
        # (x2: some lead back to nodes already shown): 138 frontier nodes with 62 of 200
        # shown fetched 25 pairs each, ~3,400 property maps, to keep 138 of them
        f = fanout if hop == 1 else min(fanout, max(
            3, -(-2 * (limit - len(nodes)) // max(1, len(frontier)))))
        rows = read(f"expansion hop {hop} from {start.label} {start.key!r}",
                    expand_hop(order, rel_types, bool(labels), timed=timed,
                               seek=seek or "elementId", known=bool(known)),
                    **keys, fanout=f, known=known.get(start.id, 0),
                    super=(-1 if last else ALWAYS if hop == 1 else supernode_degree),
                    cap=COUNT_CAP, since=since, until=until, labels=labels)
        nxt = []
        for row in rows:
            src_id = str(row["sid"])
            if src_id not in nodes:
                continue
            (boundary if last else degree)[src_id] = int(row["n"])
            if cache is not None and int(row["n"]) > supernode_degree:
                cache.put(src_id, tkey, int(row["n"]))
            for it in row["items"]:
                m = it["m"]
                mid = str(m["id"])
                if mid not in nodes:
                    if len(nodes) >= limit:
                        truncated = True
                        continue
                    node = node_from_row(m)
                    nodes[mid] = node
                    nxt.append(node)
                r = it["r"]
                if str(r["id"]) not in rels and str(r["start"]) in nodes \
                        and str(r["end"]) in nodes:
                    rels[str(r["id"])] = (r, rel_from_row(r, nodes))
        frontier = nxt[:limit]
        if not frontier:
            break
    # "N more": matching edges of an expanded node that the answer does not hold
    shown: dict[str, int] = {}
    for r, _ in rels.values():
        for end in {str(r["start"]), str(r["end"])}:
            shown[end] = shown.get(end, 0) + 1
    for nid, n in degree.items():
        if n > shown.get(nid, 0):
            nodes[nid].props[COLLAPSED] = n - shown.get(nid, 0)
            truncated = True
    for nid, n in boundary.items():  # beyond the hops asked: flagged, not a truncation
        if n > supernode_degree:
            nodes[nid].props[COLLAPSED] = n - shown.get(nid, 0)
    rels = {k: v for k, (_, v) in rels.items()}
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



"""Exploration reads, bounded so an analyst's click answers in interactive time on both engines:
expansion hop by hop, search through indexes, shortest paths under a hop cap.

The Cypher here follows ``graph/queries.py``'s rule (labels and types pass the ontology
whitelist; every value is a ``$parameter``).

**Expansion** (``expand``) is a breadth-first walk done one statement per hop, never one
variable-length pattern: the old ``MATCH p = (s)-[*1..3]-(m) ... ORDER BY length(p) LIMIT``
enumerated and sorted every path before the limit (22-26 s from a port on a 2k world).
Each hop sends the frontier (grouped by label, so each start is an index lookup) and, per
frontier node, two ``CALL {}`` subqueries:
  * a count of its matching edges, stopped at ``count_cap`` (``LIMIT`` before ``count``):
    O(min(degree, cap)) on both engines;
  * its first ``fanout`` matching (edge, neighbour) pairs - none when the node is a
    supernode (count above ``supernode_degree``) reached after the start: such a node is
    returned collapsed, with ``props["collapsed_count"]`` = how many of its neighbours were
    not shown (also set on any node whose neighbours were cut by the fan-out cap).
The node budget ``limit`` bounds the whole answer; the next frontier is at most that. A
last count-only statement flags the supernodes among the nodes of the last hop (their
``collapsed_count`` says what lies beyond; that alone does not make the answer truncated).
"""

from __future__ import annotations

import re
from typing import Any, Callable

from graph import ontology

_N = "{{id: elementId({v}), labels: labels({v}), props: properties({v})}}"
_R = ("{{id: elementId({v}), type: type({v}), start: elementId(startNode({v})), "
      "end: elementId(endNode({v})), props: properties({v})}}")
TIME_OK = ("($since IS NULL OR coalesce(r.at, r.last_seen) >= $since) AND "
           "($until IS NULL OR coalesce(r.at, r.last_seen) <= $until)")
COUNT_CAP = 10_000
COLLAPSED = "collapsed_count"


def _label(label: str) -> str:
    return ontology.check_label(label).label


def expand_hop(frontier_labels: list[str] | None, rel_types: list[str] | None,
               labels_filtered: bool, light: bool = False) -> str:
    """One hop from the frontier. Params: ``$keys`` (list of key lists, one per label, in
    ``frontier_labels`` order), ``$fanout``, ``$super`` (count above which a node is not
    expanded), ``$cap``, ``$since``, ``$until``, ``$labels``. Rows: {key, label, n, items}."""
    types = ":" + "|".join(ontology.check_rel_type(t).type for t in rel_types) if rel_types \
        else ""
    where = TIME_OK + (" AND any(l IN labels(m) WHERE l IN $labels)" if labels_filtered
                       else "")
    node = ("{id: elementId(m), labels: labels(m), props: {key: m.key}}" if light
            else _N.format(v="m"))
    # frontier_labels None: by element id, one statement text whatever the frontier (Neo4j
    # plans each distinct text; an element-id seek is O(1) there)
    heads = ([("UNWIND $ids AS id\nMATCH (s) WHERE elementId(s) = id\n", "")]
             if frontier_labels is None else
             [(f"UNWIND $keys[{i}] AS k\nMATCH (s:{_label(l)} {{key: k}})\n", "")
              for i, l in enumerate(frontier_labels)])
    branches = []
    for head, _ in heads:
        branches.append(
            head +
            f"CALL {{ WITH s MATCH (s)-[r{types}]-(m) WHERE {where}\n"
            f"       WITH r LIMIT $cap RETURN count(r) AS n }}\n"
            f"CALL {{ WITH s, n WITH s, n WHERE n <= $super\n"
            f"       MATCH (s)-[r{types}]-(m) WHERE {where}\n"
            f"       WITH r, m LIMIT $fanout\n"
            f"       RETURN collect({{r: {_R.format(v='r')}, m: {node}}}) AS items }}\n"
            f"RETURN elementId(s) AS sid, n, items")
    return "\nUNION ALL\n".join(branches)


def expand(read: Callable[..., list[dict[str, Any]]], start: Any, hops: int,
           labels: list[str] | None, rel_types: list[str] | None, since: str | None,
           until: str | None, limit: int, fanout: int, supernode_degree: int,
           node_from_row: Callable[[dict], Any], rel_from_row: Callable[..., Any],
           by_id: bool = False) -> tuple[dict[str, Any], dict[str, Any], bool]:
    """Breadth-first expansion from ``start`` (a Node); returns (nodes by id, rels by id,
    truncated). ``read(what, cypher, **params)`` runs one read statement."""
    nodes: dict[str, Any] = {start.id: start}
    rels: dict[str, Any] = {}
    degree: dict[str, int] = {}  # matching edges of each expanded node (up to COUNT_CAP)
    truncated = False
    frontier = [start]
    boundary: dict[str, int] = {}  # the same count for the nodes of the last hop
    for hop in range(1, hops + 2):
        last = hop > hops  # counts only: is a node of the last hop a supernode?
        order, keys = _frontier(frontier, by_id)
        rows = read(f"expansion hop {hop} from {start.label} {start.key!r}",
                    expand_hop(order, rel_types, bool(labels)), **keys, fanout=fanout,
                    super=(-1 if last else COUNT_CAP if hop == 1 else supernode_degree),
                    cap=COUNT_CAP,
                    since=since, until=until, labels=labels)
        nxt = []
        for row in rows:
            src_id = str(row["sid"])
            if src_id not in nodes:
                continue
            (boundary if last else degree)[src_id] = int(row["n"])
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


# -- search -------------------------------------------------------------------------------

def exact_key(labels: list[str]) -> str:
    """Index lookups of ``$variants`` (the text as typed, upper- and lower-cased) per label."""
    return "\nUNION ALL\n".join(
        f"UNWIND $variants AS k MATCH (n:{_label(l)} {{key: k}}) RETURN {_N.format(v='n')} AS n"
        for l in labels)


def listing(labels: list[str]) -> str:
    """The first $limit nodes of each label in key order (an empty search text)."""
    return "\nUNION ALL\n".join(
        f"CALL {{ MATCH (n:{_label(l)}) RETURN n ORDER BY n.key LIMIT $limit }}\n"
        f"RETURN {_N.format(v='n')} AS n" for l in labels)


def key_prefix(labels: list[str]) -> str:
    """Range-index scans ``key STARTS WITH`` each of ``$variants``, at most $limit per label."""
    return "\nUNION ALL\n".join(
        f"CALL {{ UNWIND $variants AS k MATCH (n:{_label(l)}) WHERE n.key STARTS WITH k\n"
        f"       RETURN n LIMIT $limit }}\nRETURN {_N.format(v='n')} AS n"
        for l in labels)


def name_scan(labels: list[str]) -> str:
    """Substring of the name or key, label by label (ArcadeDB's fallback; bounded by LIMIT
    and the read timeout)."""
    return "\nUNION ALL\n".join(
        f"CALL {{ MATCH (n:{_label(l)})\n"
        f"       WHERE toLower(coalesce(n.name, '')) CONTAINS $text "
        f"OR toLower(n.key) CONTAINS $text\n"
        f"       RETURN n LIMIT $limit }}\nRETURN {_N.format(v='n')} AS n"
        for l in labels)


FULLTEXT_INDEX = "ps_search"
FULLTEXT_PROPS = ("name", "key")


def fulltext_labels() -> list[str]:
    return sorted(l for l, nt in ontology.NODE_TYPES.items() if "name" in nt.props)


FULLTEXT_SEARCH = f"""
CALL db.index.fulltext.queryNodes('{FULLTEXT_INDEX}', $query, {{limit: $probe}})
YIELD node AS n
WHERE any(l IN labels(n) WHERE l IN $labels)
  AND (toLower(coalesce(n.name, '')) CONTAINS $text OR toLower(n.key) CONTAINS $text)
RETURN {_N.format(v='n')} AS n
LIMIT $limit
"""

_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')
_CJK = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def lucene_query(text: str) -> str:
    """A Lucene query whose hits are a superset of the nodes whose name or key contains
    ``text`` (the Cypher after it keeps exactly those): a word as ``*word*``, a run with CJK
    characters (one token per character in the standard analyser) as a phrase."""
    parts = []
    for tok in text.split():
        esc = _LUCENE_SPECIAL.sub(r"\\\1", tok)
        parts.append(f'"{esc}"' if _CJK.search(tok) else f"*{esc}*")
    return " AND ".join(parts)


def search(read: Callable[..., list[dict[str, Any]]], text: str, labels: list[str],
           limit: int, exact_only: bool, fulltext: bool,
           node_from_row: Callable[[dict], Any]) -> list[Any]:
    """Exact key (unique index) -> key prefix (range index) -> name or key substring, the
    last only for labels that have a name (Neo4j: the ``ps_search`` full-text index, then
    the same CONTAINS test on its hits; ArcadeDB: a label-by-label scan that stops at the
    limit). A key's inner substring is thus found only on named labels."""
    text = text.strip()
    if not text:
        rows = read("node listing", listing(labels), limit=limit)
        rows.sort(key=lambda r: str(r["n"]["props"].get("key", "")))
        return [node_from_row(r["n"]) for r in rows[:limit]]
    out: dict[str, Any] = {}

    def add(rows: list[dict[str, Any]]) -> bool:
        for r in rows:
            n = node_from_row(r["n"])
            out.setdefault(n.id, n)
            if len(out) >= limit:
                return True
        return False

    vs = variants(text)
    if add(read("search by key", exact_key(labels), variants=vs)) or exact_only:
        return list(out.values())[:limit]
    pre = read("search by key prefix", key_prefix(labels), variants=vs, limit=limit)
    if add(sorted(pre, key=lambda r: str(r["n"]["props"].get("key", "")))):
        return list(out.values())
    low = text.lower()
    named = [l for l in labels if l in fulltext_labels()]
    if not named:
        return list(out.values())
    if fulltext:
        rows = read("search by name", FULLTEXT_SEARCH, query=lucene_query(text), text=low,
                    labels=named, probe=max(100, limit * 10), limit=limit + len(out))
    else:
        rows = read("search by name", name_scan(named), text=low, limit=limit + len(out))
    add(rows)
    return list(out.values())[:limit]


def variants(text: str) -> list[str]:
    return list(dict.fromkeys([text, text.upper(), text.lower()]))


# -- shortest paths -----------------------------------------------------------------------

FRONTIER_CAP = 1000  # nodes expanded per level and side


def shortest(read: Callable[..., list[dict[str, Any]]], a: Any, b: Any, max_hops: int,
             limit: int, supernode_degree: int, node_from_row: Callable[[dict], Any],
             rel_from_row: Callable[..., Any], hydrate: Callable[[str, str], Any],
             by_id: bool = False) -> list[tuple[list[Any], list[Any]]]:
    """Every shortest undirected path from node ``a`` to node ``b`` (at most ``limit``), by a
    bidirectional breadth-first search, one statement per level, the smaller side first.
    A node with more than ``supernode_degree`` edges is not walked through (a country or
    a port joins everything to everything); the two ends always are. Returns
    [(nodes, rels)] with rels in path order, direction kept."""
    nodes = {a.id: a, b.id: b}
    rmaps: dict[str, dict] = {}
    sides = [{"dist": {a.id: 0}, "par": {a.id: []}, "front": [a], "d": 0},
             {"dist": {b.id: 0}, "par": {b.id: []}, "front": [b], "d": 0}]
    best: list[str] = []
    while sides[0]["d"] + sides[1]["d"] < max_hops and sides[0]["front"] and sides[1]["front"]:
        i = 0 if len(sides[0]["front"]) <= len(sides[1]["front"]) else 1
        side, other = sides[i], sides[1 - i]
        order, keys = _frontier(side["front"][:FRONTIER_CAP], by_id)
        rows = read(f"shortest paths level {side['d'] + 1}",
                    expand_hop(order, None, False, light=True), **keys,
                    fanout=supernode_degree,
                    super=COUNT_CAP if side["d"] == 0 else supernode_degree,
                    cap=supernode_degree + 1, since=None, until=None, labels=None)
        d = side["d"] + 1
        nxt = []
        for row in rows:
            src = str(row["sid"])
            if src not in nodes:
                continue
            for it in row["items"]:
                mid, rid = str(it["m"]["id"]), str(it["r"]["id"])
                if mid not in nodes:
                    nodes[mid] = node_from_row(it["m"])
                rmaps[rid] = it["r"]
                seen = side["dist"].get(mid)
                if seen is None:
                    side["dist"][mid], side["par"][mid] = d, [(src, rid)]
                    nxt.append(nodes[mid])
                elif seen == d and (src, rid) not in side["par"][mid]:
                    side["par"][mid].append((src, rid))
        side["d"], side["front"] = d, nxt
        meet = [x.id for x in nxt if x.id in other["dist"]]
        if meet:
            total = min(d + other["dist"][x] for x in meet)
            best = [x for x in meet if d + other["dist"][x] == total]
            break
    out: list[tuple[list[Any], list[Any]]] = []
    if best:  # the walk carried keys only: the path's nodes with their properties
        need = {n for x in best for side in sides for w in _walks(side["par"], x, limit)
                for n, _ in w} | set(best)
        full = {}
        for nid in need - {a.id, b.id}:
            n = nodes[nid]
            got = hydrate(n.label, n.key)
            full[nid] = got if got is not None else n
        nodes.update(full)
    for x in best:
        for pa in _walks(sides[0]["par"], x, limit):
            for pb in _walks(sides[1]["par"], x, limit):
                ns = [nodes[n] for n, _ in reversed(pa)] + [nodes[x]] + [nodes[n] for n, _ in pb]
                rs = [rmaps[r] for _, r in reversed(pa)] + [rmaps[r] for _, r in pb]
                out.append((ns, [rel_from_row(r, nodes) for r in rs]))
                if len(out) >= limit:
                    return out
    return out


def _walks(par: dict[str, list[tuple[str, str]]], x: str, limit: int
           ) -> list[list[tuple[str, str]]]:
    """Walks from ``x`` back to the root: [(parent, rel), ...] nearest first."""
    if not par.get(x):
        return [[]]
    out = []
    for p, r in par[x]:
        for rest in _walks(par, p, limit):
            out.append([(p, r), *rest])
            if len(out) >= limit:
                return out
    return out

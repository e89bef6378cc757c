"""Shortest paths between two nodes (``GraphStore.shortest_paths``): a bidirectional
breadth-first search, one statement per level, the smaller side first, neighbours' ids and
keys only on the walk. Not ``allShortestPaths`` (2.6-13 s between two enterprises on
ArcadeDB, 20k world)."""

from __future__ import annotations

from typing import Any, Callable

from graph.explore import _N, ALWAYS, SEEK, _frontier, expand_hop



def hydrate_nodes(seek: str) -> str:
    return f"UNWIND $ids AS x MATCH (s) WHERE {SEEK[seek]}\nRETURN {_N.format(v='s')} AS n"


def hydrate_rels(seek: str) -> str:
    """Edges by id, walked from their start node (``$pairs``: [start id, edge id])."""
    return ("UNWIND $pairs AS p WITH p[0] AS x, p[1] AS rid\n"
            f"MATCH (s) WHERE {SEEK[seek]} MATCH (s)-[r]->() WHERE elementId(r) = rid\n"
            "RETURN elementId(r) AS id, properties(r) AS props")

FRONTIER_CAP = 1000  # nodes expanded per level and side


def shortest(read: Callable[..., list[dict[str, Any]]], a: Any, b: Any, max_hops: int,
             limit: int, supernode_degree: int, node_from_row: Callable[[dict], Any],
             rel_from_row: Callable[..., Any], hydrate: Callable[[str, str], Any],
             seek: str | None = None, degrees: Any = None
             ) -> list[tuple[list[Any], list[Any]]]:
    """Every shortest undirected path from node ``a`` to node ``b`` (at most ``limit``), by a
    bidirectional breadth-first search, one statement per level, the smaller side first.
    A node with more than ``supernode_degree`` edges is not walked through (a country or
    a port joins everything to everything); the two ends always are. Returns
    [(nodes, rels)] with rels in path order, direction kept. The walk carries the
    neighbours' ids and keys only (and, with ``seek``, its edges without properties); the
    nodes and edges of the paths found are then read in full, in two statements (without
    ``seek``: ``hydrate`` per node). ``seek``, ``degrees``: as in ``expand`` (a cached
    supernode past the ends is not sent: it is not walked through)."""
    nodes = {a.id: a, b.id: b}
    rmaps: dict[str, dict] = {}
    sides = [{"dist": {a.id: 0}, "par": {a.id: []}, "front": [a], "d": 0},
             {"dist": {b.id: 0}, "par": {b.id: []}, "front": [b], "d": 0}]
    best: list[str] = []
    while sides[0]["d"] + sides[1]["d"] < max_hops and sides[0]["front"] and sides[1]["front"]:
        i = 0 if len(sides[0]["front"]) <= len(sides[1]["front"]) else 1
        side, other = sides[i], sides[1 - i]
        front = side["front"][:FRONTIER_CAP]
        if degrees is not None and side["d"] > 0:
            front = [x for x in front if (degrees.get(x.id, ()) or 0) <= supernode_degree]
        order, keys = _frontier(front, seek is not None)
        rows = read(f"shortest paths level {side['d'] + 1}",
                    expand_hop(order, None, False, light=seek is not None or "keys",
                               timed=False, seek=seek or "elementId"), **keys,
                    fanout=supernode_degree,
                    super=ALWAYS if side["d"] == 0 else supernode_degree,
                    cap=supernode_degree + 1, since=None, until=None,
                    labels=None) if front else []
        d = side["d"] + 1
        nxt = []
        for row in rows:
            src = str(row["sid"])
            if src not in nodes:
                continue
            if degrees is not None and int(row["n"]) > supernode_degree:
                degrees.put(src, (), int(row["n"]))
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
    # the paths returned: at most ``limit`` (walk to a, meeting node, walk to b) triples
    chosen = [(pa, x, pb) for x in best for pa in _walks(sides[0]["par"], x, limit)
              for pb in _walks(sides[1]["par"], x, limit)][:limit]
    if chosen and seek is not None:  # only those paths' nodes and edges in full, 2 statements
        need = sorted(({n for pa, x, pb in chosen for n, _ in pa + pb}
                       | {x for _, x, _ in chosen}) - {a.id, b.id})
        for row in read("shortest paths: nodes", hydrate_nodes(seek),
                        ids=need):
            nodes[str(row["n"]["id"])] = node_from_row(row["n"])
        used = sorted({r for pa, _, pb in chosen for _, r in pa + pb})
        for row in read("shortest paths: edges", hydrate_rels(seek),
                        pairs=[[rmaps[r]["start"], r] for r in used]):
            rmaps[str(row["id"])] = dict(rmaps[str(row["id"])], props=dict(row["props"]))
    elif chosen:  # the walk carried keys only: the path's nodes with their properties
        need = {n for pa, x, pb in chosen for n, _ in pa + pb} | {x for _, x, _ in chosen}
        full = {}
        for nid in need - {a.id, b.id}:
            n = nodes[nid]
            got = hydrate(n.label, n.key)
            full[nid] = got if got is not None else n
        nodes.update(full)
    out: list[tuple[list[Any], list[Any]]] = []
    for pa, x, pb in chosen:
        ns = [nodes[n] for n, _ in reversed(pa)] + [nodes[x]] + [nodes[n] for n, _ in pb]
        rs = [rmaps[r] for _, r in reversed(pa)] + [rmaps[r] for _, r in pb]
        out.append((ns, [rel_from_row(r, nodes) for r in rs]))
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

"""Crossing evidence for entity explanations (``risk.entity.explain``): a road manifest is
the crossing record, linked to its declaration (Declaration-[:ON_MANIFEST]->Manifest), its
vehicle (Manifest-[:CARRIED_BY]->Vehicle) and the driver recorded for it
(Person-[:DRIVER_OF]->Manifest). ``crossings(q, person)`` counts the crossings a person drove
and those with seizures; ``crossing_drivers(q, vehicle)`` the drivers of a vehicle's crossings
and those with seizures on crossings they drove. Each read is one bounded 2-hop query."""

from __future__ import annotations

from typing import Any

from risk.entity.explain import MAX_FAN, MAX_PATHS, _holders, _join, _path, _Q, _reason, canonical

MAX_CROSSINGS = 2000  # crossings counted per driver (then "at least")


def _two_hops(q: _Q, node: tuple[str, str], rels: list[str], labels: list[str]
              ) -> tuple[dict, list]:
    """One bounded 2-hop read along ``rels`` (nodes by (label, key), relationships)."""
    ck = ("2", node, tuple(rels), tuple(labels))
    if ck not in q.cache:
        sub = q.store.neighbourhood(node[0], node[1], hops=2, rel_types=rels, labels=labels,
                                    limit=5000, fanout=5000, supernode_degree=10_000)
        q.cache[ck] = ({(n.label, n.key): n for n in sub.nodes}, list(sub.relationships))
    return q.cache[ck]



def crossings(q: _Q, person: tuple[str, str], first_only: bool = False
              ) -> tuple[int, int, list[dict[str, Any]]]:
    """(#crossings, #with seizures, paths person [→ mention] → road manifest ← declaration ←
    hit inspection) of the crossings a person drove (at most ``MAX_CROSSINGS``);
    ``first_only``: stop at the first seizure."""
    n, m, paths = 0, 0, []
    for h in _holders(q, person):
        end = tuple(h["nodes"][-1])
        nodes, rels = _two_hops(q, end, ["DRIVER_OF", "ON_MANIFEST"], ["Manifest", "Declaration"])
        on: dict[tuple, list] = {}
        for r in rels:
            if r.type == "ON_MANIFEST" and r.start in nodes:
                on.setdefault(r.end, []).append((r, nodes[r.start]))
        for r in rels:
            if r.type != "DRIVER_OF" or r.start != end or r.end not in nodes:
                continue
            if n >= MAX_CROSSINGS:
                return n, m, paths
            n, mf = n + 1, nodes[r.end]
            for r2, d in on.get(r.end, []):
                if d.props.get("fraud") not in (1, True, "1"):
                    continue
                m += 1
                if len(paths) < MAX_PATHS:
                    p = _join(h, _path(end, (r, mf), (r2, d)))
                    ins = [(ri, i) for ri, i in q.links(("Declaration", d.key), ["INSPECTED"],
                                                        ["Inspection"], "in")
                           if i.props.get("result") == "hit"]
                    paths.append(_join(p, _path(("Declaration", d.key), ins[0])) if ins else p)
                if first_only:
                    return n, m, paths
    return n, m, paths


def crossing_drivers(q: _Q, v: tuple[str, str], who: tuple[str, str] | None = None
                     ) -> dict[str, Any] | None:
    """The drivers of a vehicle's crossings, those with seizures on crossings they drove;
    ``who``: the vehicle's (zh, en) words (``explain.name_words``; default its key)."""
    seen, bad, paths = set(), 0, []
    nodes, rels = _two_hops(q, v, ["CARRIED_BY", "DRIVER_OF"], ["Manifest", "Person"])
    drv: dict[tuple, list] = {}
    for r in rels:
        if r.type == "DRIVER_OF" and r.start in nodes:
            drv.setdefault(r.end, []).append((r, nodes[r.start]))
    for r1 in rels:
        if r1.type != "CARRIED_BY" or r1.end != v or r1.start not in nodes:
            continue
        mf = nodes[r1.start]
        for r2, p in drv.get(r1.start, []):
            c, hop = canonical(q, (p.label, p.key))
            if c in seen or len(seen) >= MAX_FAN:
                continue
            seen.add(c)
            _, k, ev = crossings(q, c, first_only=True)
            if k:
                bad += 1
                if len(paths) < MAX_PATHS:
                    base = _path(v, (r1, mf), (r2, p), *hop)
                    paths.append(_join(base, ev[0]))
    return _reason("crossing_drivers", who or (v[1], v[1]), len(seen), bad, paths) \
        if seen else None

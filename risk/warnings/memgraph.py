"""A small in-memory ``GraphStore`` for the warnings unit tests and the engine-only bench.

It follows the base class's contract (validation happens in ``GraphStore``; merge rule from
``graph.ontology``) for the operations the rules use: upsert, get, neighbourhood, search,
set_properties, counts. It is not a graph backend: paths, shared links and export are absent.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from typing import Any, Mapping

from graph.base import GraphStore, Node, NodeRecord, Rel, RelRecord, Subgraph, Tables, UpsertResult
from graph.clock import now_iso


def _merge(stored: dict[str, Any], incoming: Mapping[str, Any], source: str, seen: str) -> None:
    for k, v in incoming.items():
        if v is not None:
            stored[k] = v
    stored["sources"] = sorted(set(stored.get("sources", [])) | {source})
    stored["first_seen"] = min(stored.get("first_seen", seen), seen)
    stored["last_seen"] = max(stored.get("last_seen", seen), seen)


class MemoryGraphStore(GraphStore):
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.clear()

    def connect(self) -> "MemoryGraphStore":
        return self

    def close(self) -> None:
        pass

    def ensure_schema(self) -> None:
        pass

    def server_info(self) -> dict[str, Any]:
        return {"engine": "memory", "version": "0"}

    def clear(self) -> None:
        with getattr(self, "_lock", threading.RLock()):
            self.nodes: dict[tuple[str, str], dict[str, Any]] = {}
            self.rels: dict[tuple[str, tuple[str, str], tuple[str, str]], dict[str, Any]] = {}
            self._adj: dict[tuple[str, str], set] = defaultdict(set)

    def _upsert(self, nodes: list[NodeRecord], relationships: list[RelRecord]) -> UpsertResult:
        with self._lock:
            for n in nodes:
                _merge(self.nodes.setdefault((n.label, n.key), {"key": n.key}), n.props,
                       n.source, n.seen_at or now_iso())
            for r in relationships:
                s, e = (r.start_label, r.start_key), (r.end_label, r.end_key)
                for ref in (s, e):
                    self.nodes.setdefault(ref, {"key": ref[1]})
                rk = (r.type, s, e)
                _merge(self.rels.setdefault(rk, {}), r.props, r.source, r.seen_at or now_iso())
                self._adj[s].add(rk)
                self._adj[e].add(rk)
            return UpsertResult(len(nodes), len(relationships), 1)

    def _set_properties(self, label: str, updates: dict[str, Mapping[str, Any]]) -> int:
        with self._lock:
            n = 0
            for key, props in updates.items():
                if (label, key) in self.nodes:
                    self.nodes[(label, key)].update({k: v for k, v in props.items()
                                                     if v is not None})
                    n += 1
            return n

    def _delete_by_source(self, source: str) -> dict[str, int]:
        raise NotImplementedError("MemoryGraphStore: delete_by_source")

    def _node(self, ref: tuple[str, str]) -> Node:
        return Node(ref[0], ref[1], dict(self.nodes[ref]), id=f"{ref[0]}:{ref[1]}")

    def _get(self, label: str, key: str) -> Node | None:
        with self._lock:
            return self._node((label, key)) if (label, key) in self.nodes else None

    def _neighbourhood(self, label, key, hops, labels, rel_types, since, until, limit) -> Subgraph:
        with self._lock:
            start = (label, key)
            if start not in self.nodes:
                return Subgraph()
            seen, frontier, rels = {start}, [start], {}
            for _ in range(hops):
                nxt = []
                for ref in frontier:
                    for rk in sorted(self._adj[ref]):
                        if rel_types and rk[0] not in rel_types:
                            continue
                        other = rk[2] if rk[1] == ref else rk[1]
                        if labels and other[0] not in labels:
                            continue
                        rels[rk] = None
                        if other not in seen:
                            seen.add(other)
                            nxt.append(other)
                frontier = nxt
            refs = [r for r in seen if r != start][:limit]
            keep = set(refs) | {start}
            return Subgraph(nodes=[self._node(start)] + [self._node(r) for r in refs],
                            relationships=[Rel(t, s, e, dict(self.rels[(t, s, e)]))
                                           for t, s, e in rels if s in keep and e in keep],
                            truncated=len(seen) - 1 > limit)

    def _shortest_paths(self, a, b, max_hops, limit):
        return []

    def _shared_attribute_links(self, label, key, via, limit):
        return []

    def _export(self, labels, rel_types, since, until) -> Tables:
        raise NotImplementedError("MemoryGraphStore: export")

    def counts(self) -> dict[str, dict[str, int]]:
        with self._lock:
            nodes: dict[str, int] = defaultdict(int)
            rels: dict[str, int] = defaultdict(int)
            for l, _ in self.nodes:
                nodes[l] += 1
            for t, _, _ in self.rels:
                rels[t] += 1
            return {"nodes": dict(nodes), "relationships": dict(rels)}

    def _search(self, text: str, labels: list[str], limit: int) -> list[Node]:
        t = text.lower()
        with self._lock:
            out = [self._node(ref) for ref, p in self.nodes.items() if ref[0] in labels
                   and (t in ref[1].lower() or t in str(p.get("name", "")).lower())]
            return out[:limit]

"""Read-only access to the graph for the rules, through ``GraphStore`` methods only.

A ``GraphView`` lives for one evaluation batch and memoises what it read, so ten thousand
events touching the same enterprise cost one lookup. ``Evidence`` collects the nodes and
relationships that made a rule fire, by their real graph keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any, Iterable

from graph import ontology
from graph.base import GraphStore, Node

NodeRef = tuple[str, str]  # (label, key)
# labels whose nodes have a handful of relationships: fetched whole, once per batch
FETCH_ALL = frozenset({"Declaration"})


@dataclass
class Link:
    """A relationship seen from one node: ``other`` is the node at the far end."""

    type: str
    start: NodeRef
    end: NodeRef
    props: dict[str, Any]
    other: Node
    outgoing: bool


def _same(ref: NodeRef, label: str, key: str) -> bool:
    if ref[1] != key:
        return False
    nt = ontology.NODE_TYPES.get(label)
    return ref[0] == label or (nt is not None and ref[0] in nt.extra_labels)


class GraphView:
    def __init__(self, store: GraphStore, *, limit: int = 500):
        self.store = store
        self.limit = limit
        self._nodes: dict[NodeRef, Node | None] = {}
        self._links: dict[tuple, list[Link]] = {}
        self.queries = 0

    def node(self, label: str, key: str) -> Node | None:
        ref = (label, key)
        if ref not in self._nodes:
            self.queries += 1
            self._nodes[ref] = self.store.get(label, key)
        return self._nodes[ref]

    def links(self, label: str, key: str, rel_types: Iterable[str], *,
              labels: Iterable[str] | None = None, direction: str = "both",
              limit: int | None = None) -> list[Link]:
        """Relationships of (label, key) of the given types, optionally only to nodes of
        ``labels`` and only ``out``going or ``in``coming."""
        rel_types = tuple(sorted(set(rel_types)))
        labels = tuple(sorted(set(labels))) if labels else None
        lim = int(limit or self.limit)
        if label in FETCH_ALL:  # few links each: one round trip serves every rule
            found = [l for l in self._fetch(label, key, None, None, lim)
                     if l.type in rel_types and (not labels or l.other.label in labels)]
        else:
            found = self._fetch(label, key, rel_types, labels, lim)
        if direction == "out":
            return [l for l in found if l.outgoing]
        if direction == "in":
            return [l for l in found if not l.outgoing]
        return list(found)

    def _fetch(self, label: str, key: str, rel_types: tuple[str, ...] | None,
               labels: tuple[str, ...] | None, lim: int) -> list[Link]:
        ck = (label, key, rel_types, labels, lim)
        if ck not in self._links:
            self.queries += 1
            sg = self.store.neighbourhood(label, key, hops=1, rel_types=rel_types, labels=labels,
                                          limit=lim)
            by_ref = {(n.label, n.key): n for n in sg.nodes}
            by_key = {}
            for n in sg.nodes:
                by_key.setdefault(n.key, n)
            out: list[Link] = []
            for r in sg.relationships:
                if _same(r.start, label, key):
                    other_ref, outgoing = r.end, True
                elif _same(r.end, label, key):
                    other_ref, outgoing = r.start, False
                else:
                    continue  # a relationship between two neighbours
                if labels and other_ref[0] not in labels:
                    continue
                other = by_ref.get(other_ref) or by_key.get(other_ref[1]) or Node(
                    other_ref[0], other_ref[1], {})
                self._nodes.setdefault((other.label, other.key), other)
                out.append(Link(r.type, tuple(r.start), tuple(r.end), dict(r.props or {}),
                                other, outgoing))
            self._links[ck] = out
        return self._links[ck]


@dataclass
class Evidence:
    nodes: dict[NodeRef, None] = field(default_factory=dict)  # ordered set
    relationships: dict[tuple[str, NodeRef, NodeRef], None] = field(default_factory=dict)

    def node(self, label: str, key: str) -> "Evidence":
        self.nodes[(label, key)] = None
        return self

    def rel(self, rel_type: str, start: NodeRef, end: NodeRef) -> "Evidence":
        self.node(*start).node(*end)
        self.relationships[(rel_type, tuple(start), tuple(end))] = None
        return self

    def link(self, link: Link) -> "Evidence":
        return self.rel(link.type, link.start, link.end)

    def to_json(self) -> dict[str, Any]:
        return {"nodes": [{"label": l, "key": k} for l, k in self.nodes],
                "relationships": [{"type": t, "start": list(s), "end": list(e)}
                                  for t, s, e in self.relationships]}


def parse_time(v: Any) -> datetime | None:
    """A date or date-time (ISO text, date, datetime) as an aware UTC datetime, else None."""
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        dt = v
    elif isinstance(v, date):
        dt = datetime(v.year, v.month, v.day)
    else:
        s = str(v).strip().replace("Z", "+00:00")
        try:
            dt = datetime.fromisoformat(s)
        except ValueError:
            try:
                dt = datetime.fromisoformat(s[:10])
            except ValueError:
                return None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def display(node: Node | None, key: str) -> str:
    """``name（key）`` for messages; a person is shown by key only (names are personal data)."""
    if node is None or node.label == "Person":
        return key
    name = node.props.get("name")
    return f"{name}（{key}）" if name and name != key else key


def port_of(view: GraphView, label: str, key: str) -> str | None:
    """The port a document or conveyance is at (its first AT_PORT), if any."""
    if label not in {s for s, _ in ontology.REL_TYPES["AT_PORT"].pairs}:
        return None
    ports = view.links(label, key, ["AT_PORT"], labels=["Port"], direction="out")
    return ports[0].other.key if ports else None

"""The records that cross the GraphStore interface: what a caller writes (``NodeRecord``,
``RelRecord``), what a store returns (``Node``, ``Rel``, ``Path``, ``Subgraph``, ``SharedLink``,
``Tables``, ``UpsertResult``), and the checks every write batch passes before it is sent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from graph import ontology
from graph.exceptions import RecordError


@dataclass(frozen=True)
class NodeRecord:
    """A node to upsert. ``key`` is the natural key; ``source`` the id of what asserted it."""

    label: str
    key: str
    props: Mapping[str, Any] = field(default_factory=dict)
    source: str = "unknown"
    seen_at: str | None = None  # ISO date-time; defaults to now


@dataclass(frozen=True)
class RelRecord:
    """A relationship to upsert, MERGEd on (start, type, end): one edge per pair and type."""

    type: str
    start_label: str
    start_key: str
    end_label: str
    end_key: str
    props: Mapping[str, Any] = field(default_factory=dict)
    source: str = "unknown"
    seen_at: str | None = None


@dataclass
class UpsertResult:
    nodes: int = 0  # records written (created or merged)
    relationships: int = 0
    batches: int = 0


@dataclass
class Node:
    label: str
    key: str
    props: dict[str, Any]
    id: str = ""  # engine element id, for paths within one response only

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "key": self.key, "props": self.props}


@dataclass
class Rel:
    type: str
    start: tuple[str, str]  # (label, key)
    end: tuple[str, str]
    props: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"type": self.type, "start": list(self.start), "end": list(self.end),
                "props": self.props}


@dataclass
class Subgraph:
    nodes: list[Node] = field(default_factory=list)
    relationships: list[Rel] = field(default_factory=list)
    truncated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"nodes": [n.to_json() for n in self.nodes],
                "relationships": [r.to_json() for r in self.relationships],
                "truncated": self.truncated}


@dataclass
class Path:
    nodes: list[Node]
    relationships: list[Rel]

    def __len__(self) -> int:
        return len(self.relationships)

    def to_json(self) -> dict[str, Any]:
        return {"length": len(self), "nodes": [n.to_json() for n in self.nodes],
                "relationships": [r.to_json() for r in self.relationships]}


@dataclass
class SharedLink:
    """``a`` and ``b`` both link to ``via`` (an Address, Phone, Email or Person)."""

    a: Node
    b: Node
    via: Node
    a_rel: str
    b_rel: str


@dataclass
class Tables:
    """A subgraph as typed tables for training: one DataFrame per label and per rel type.

    Node frames have a ``key`` column plus properties; relationship frames have
    ``start_key``, ``end_key`` (and ``start_label``/``end_label``) plus properties.
    """

    nodes: dict[str, Any]  # label -> pandas.DataFrame
    relationships: dict[str, Any]  # type -> pandas.DataFrame


def check_node_records(nodes: Sequence[NodeRecord]) -> None:
    """Validate a whole batch before any write, so a bad record leaves the store untouched."""
    for i, n in enumerate(nodes):
        if not isinstance(n, NodeRecord):
            raise RecordError(f"node record #{i}: expected NodeRecord, got {type(n).__name__}",
                              index=i)
        if not isinstance(n.key, str) or not n.key.strip():
            raise RecordError(f"node record #{i} ({n.label}): field 'key' is empty", index=i,
                              field="key")
        try:
            ontology.validate_node_props(n.label, n.props)
        except ValueError as e:
            raise RecordError(f"node record #{i} ({n.label} {n.key!r}): {e}", index=i) from e


def check_rel_records(rels: Sequence[RelRecord]) -> None:
    for i, r in enumerate(rels):
        if not isinstance(r, RelRecord):
            raise RecordError(f"relationship record #{i}: expected RelRecord", index=i)
        for f in ("start_key", "end_key"):
            v = getattr(r, f)
            if not isinstance(v, str) or not v.strip():
                raise RecordError(f"relationship record #{i} ({r.type}): field {f!r} is empty",
                                  index=i, field=f)
        try:
            ontology.check_pair(r.type, r.start_label, r.end_label)
            ontology.validate_rel_props(r.type, r.props)
        except ValueError as e:
            raise RecordError(f"relationship record #{i} ({r.start_label} {r.start_key!r} "
                              f"-[:{r.type}]-> {r.end_label} {r.end_key!r}): {e}", index=i) from e

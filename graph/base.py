"""The GraphStore interface (the records that cross it: ``graph/records.py``, re-exported).

One implementation speaks Bolt + Cypher (``graph/neo4j.py``) and serves both engines:
the embedded ArcadeDB default (``graph/embedded.py`` starts it) and a Neo4j 5 server.
The public methods validate against the ontology here, in the base class, then call one
abstract hook per operation (the neo4j-graphrag pattern), so every backend refuses the
same bad input with the same error.
"""

from __future__ import annotations

import abc
import threading
from typing import Any, Iterable, Mapping, Sequence

from graph import ontology
from graph.exceptions import RecordError
from graph.records import (Node, NodeRecord, Path, Rel, RelRecord, SharedLink,  # noqa: F401
                           Subgraph, Tables, UpsertResult, check_node_records,
                           check_rel_records)

# the risk write-back (risk.scoring, risk.entity.scoring): a property write of these only is
# counted per label, apart from every other write (``GraphStore.generation``)
RISK_PROPS = frozenset({"risk_score", "risk_level", "model_version", "scored_at"})
_GEN_LOCK = threading.Lock()


class GraphStore(abc.ABC):
    """Knowledge-graph storage. Thread-safe; open with ``connect()``, close with ``close()``.

    Write semantics: ``upsert`` validates every record first, then writes in batches of
    ``batch_size``; each call's batches run in ONE transaction, so a failure midway (bad
    record, engine error, killed process) leaves the store as it was before the call.
    Relationship upserts need both end nodes to exist (they are MERGEd by key, with the
    label from the record, so a missing end node is created bare and counted).
    """

    batch_size: int = 1000

    # -- lifecycle --------------------------------------------------------------
    @abc.abstractmethod
    def connect(self) -> "GraphStore": ...

    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> "GraphStore":
        return self.connect()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abc.abstractmethod
    def ensure_schema(self) -> None:
        """Create key constraints/indexes for every label, idempotently."""

    @abc.abstractmethod
    def server_info(self) -> dict[str, Any]:
        """Engine name, version and address, for /ready and the README's demo output."""

    # -- writes -----------------------------------------------------------------
    def upsert(self, nodes: Sequence[NodeRecord] = (), relationships: Sequence[RelRecord] = (),
               ) -> UpsertResult:
        nodes, relationships = list(nodes), list(relationships)
        check_node_records(nodes)
        check_rel_records(relationships)
        try:
            return self._upsert(nodes, relationships)
        finally:
            self._wrote()

    def upsert_nodes(self, nodes: Sequence[NodeRecord]) -> UpsertResult:
        return self.upsert(nodes, ())

    def upsert_relationships(self, relationships: Sequence[RelRecord]) -> UpsertResult:
        return self.upsert((), relationships)

    @abc.abstractmethod
    def _upsert(self, nodes: list[NodeRecord], relationships: list[RelRecord]) -> UpsertResult:
        ...

    def set_properties(self, label: str, updates: Mapping[str, Mapping[str, Any]]) -> int:
        """Set properties on existing nodes (e.g. risk scores): {key: {prop: value}}.
        Returns how many nodes were found and updated. Unknown keys are skipped."""
        ontology.check_label(label)
        for k, props in updates.items():
            ontology.validate_node_props(label, props)
        risk_only = all(set(p) <= RISK_PROPS for p in updates.values())
        try:
            return self._set_properties(label, dict(updates))
        finally:
            self._wrote(label if risk_only else None)

    @abc.abstractmethod
    def _set_properties(self, label: str, updates: dict[str, Mapping[str, Any]]) -> int: ...

    def delete_by_source(self, source: str) -> dict[str, int]:
        """Remove ``source`` from every node/relationship; delete those left with none.
        Returns {"nodes": deleted, "relationships": deleted}."""
        if not isinstance(source, str) or not source:
            raise RecordError("delete_by_source: source must be a non-empty string",
                              field="source")
        return self._delete_by_source(source)

    @abc.abstractmethod
    def _delete_by_source(self, source: str) -> dict[str, int]: ...

    # -- what this instance has written (in-process reuse of an export keys on it) ------
    def _wrote(self, risk_label: str | None = None) -> None:
        """Count one write: ``risk_label`` for a risk write-back (``RISK_PROPS`` only) to
        that label, else a data write (upsert, other properties, delete, clear)."""
        with _GEN_LOCK:
            gen = self.__dict__.setdefault("_generations", {})
            k = ("risk", risk_label) if risk_label else ("data", None)
            gen[k] = gen.get(k, 0) + 1

    def generation(self, risk_of: Iterable[str] = ()) -> tuple[int, ...]:
        """How many writes this store instance has made: every data write, then the risk
        write-backs to each label of ``risk_of``. Equal values = nothing that a reader of
        those risk properties (and of all data) sees was written *through this instance*
        in between; another process's writes are not counted (``graph.snapshot`` checks
        the counts for those)."""
        with _GEN_LOCK:
            gen = dict(self.__dict__.get("_generations", {}))
        return (gen.get(("data", None), 0),
                *(gen.get(("risk", str(l)), 0) for l in risk_of))

    # -- reads ------------------------------------------------------------------
    def get(self, label: str, key: str) -> Node | None:
        ontology.check_label(label)
        return self._get(label, key)

    @abc.abstractmethod
    def _get(self, label: str, key: str) -> Node | None: ...

    def neighbourhood(self, label: str, key: str, *, hops: int = 1,
                      labels: Iterable[str] | None = None,
                      rel_types: Iterable[str] | None = None,
                      since: str | None = None, until: str | None = None,
                      limit: int = 200, fanout: int | None = None,
                      supernode_degree: int | None = None) -> Subgraph:
        """Nodes within ``hops`` (1-3) of (label, key), optionally only through the given
        relationship types, only returning nodes of the given labels, and only relationships
        whose ``at`` (or ``last_seen``) lies in [since, until].

        Bounded per hop (``graph/explore.py``): at most ``fanout`` neighbours per node per
        hop (default: ``limit`` for one hop, else ``PS_GRAPH_EXPAND_FANOUT``), a node with more than ``supernode_degree``
        matching edges reached after the start is not expanded, and a node whose neighbours
        were cut carries ``props["collapsed_count"]`` (how many are not shown; ``truncated``
        is then true). At most ``limit`` nodes."""
        ontology.check_label(label)
        if not 1 <= int(hops) <= 3:
            raise RecordError(f"hops must be 1..3, got {hops}", field="hops")
        labels = [ontology.check_label(l).label for l in labels] if labels else None
        rel_types = [ontology.check_rel_type(t).type for t in rel_types] if rel_types else None
        if not 1 <= int(limit) <= 10_000:
            raise RecordError(f"limit must be 1..10000, got {limit}", field="limit")
        for name, v in (("fanout", fanout), ("supernode_degree", supernode_degree)):
            if v is not None and not 1 <= int(v) <= 10_000:
                raise RecordError(f"{name} must be 1..10000, got {v}", field=name)
        return self._neighbourhood(label, key, int(hops), labels, rel_types, since, until,
                                   int(limit), fanout, supernode_degree)

    @abc.abstractmethod
    def _neighbourhood(self, label: str, key: str, hops: int, labels: list[str] | None,
                       rel_types: list[str] | None, since: str | None, until: str | None,
                       limit: int, fanout: int | None = None,
                       supernode_degree: int | None = None) -> Subgraph: ...

    def shortest_paths(self, a: tuple[str, str], b: tuple[str, str], *, max_hops: int = 6,
                       limit: int = 5) -> list[Path]:
        """Shortest undirected paths between two (label, key) nodes, up to ``max_hops``
        (and the read timeout: a search that runs past it raises ``QueryTimeout``).
        A bidirectional breadth-first search (``graph/explore.py``) that does not walk
        through supernodes (more than ``PS_GRAPH_SUPERNODE_DEGREE`` edges: a country or a
        port links everything); the two ends themselves may be supernodes."""
        ontology.check_label(a[0])
        ontology.check_label(b[0])
        if not 1 <= int(max_hops) <= 10:
            raise RecordError(f"max_hops must be 1..10, got {max_hops}", field="max_hops")
        return self._shortest_paths(a, b, int(max_hops), int(limit))

    @abc.abstractmethod
    def _shortest_paths(self, a: tuple[str, str], b: tuple[str, str], max_hops: int,
                        limit: int) -> list[Path]: ...

    def shared_attribute_links(self, label: str, key: str | None = None, *,
                               via: Iterable[str] = ontology.SHARED_ATTRIBUTE_LABELS,
                               limit: int = 1000) -> list[SharedLink]:
        """Pairs of ``label`` nodes sharing an Address, Phone, Email or Person; only those
        involving ``key`` when given."""
        ontology.check_label(label)
        via = [ontology.check_label(v).label for v in via]
        return self._shared_attribute_links(label, key, via, int(limit))

    @abc.abstractmethod
    def _shared_attribute_links(self, label: str, key: str | None, via: list[str],
                                limit: int) -> list[SharedLink]: ...

    def export(self, *, labels: Iterable[str] | None = None,
               rel_types: Iterable[str] | None = None,
               since: str | None = None, until: str | None = None) -> Tables:
        """Export nodes and relationships as typed tables (pandas), for training. A
        relationship frame is in (start label, start key, end key) order, whatever order the
        engine walked its edges in, so readers that keep the first link of a node (a
        declaration's vehicle) read the same on both engines."""
        labels = [ontology.check_label(l).label for l in labels] if labels else sorted(
            ontology.LABELS)
        rel_types = [ontology.check_rel_type(t).type for t in rel_types] if rel_types else sorted(
            ontology.REL_TYPE_NAMES)
        t = self._export(labels, rel_types, since, until)
        for k, df in t.relationships.items():
            if len(df) > 1:
                t.relationships[k] = df.sort_values(["start_label", "start_key", "end_key"],
                                                    kind="stable").reset_index(drop=True)
        return t

    @abc.abstractmethod
    def _export(self, labels: list[str], rel_types: list[str], since: str | None,
                until: str | None) -> Tables: ...

    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """{"nodes": {label: n}, "relationships": {type: n}} for every non-empty one."""

    def search(self, text: str, *, labels: Iterable[str] | None = None,
               limit: int = 20, exact_only: bool = False) -> list[Node]:
        """Nodes whose key or name contains ``text`` (case-insensitive), exact key matches
        first (a unique-index lookup), then keys starting with it, then the rest (through
        the engine's full-text index where it has one). ``exact_only``: key matches only
        (for callers not allowed substring search of personal names). An empty ``text``
        lists nodes of ``labels`` in key order."""
        labels = [ontology.check_label(l).label for l in labels] if labels else sorted(
            ontology.LABELS)
        if not 1 <= int(limit) <= 10_000:
            raise RecordError(f"limit must be 1..10000, got {limit}", field="limit")
        return self._search(str(text), labels, int(limit), bool(exact_only))

    @abc.abstractmethod
    def _search(self, text: str, labels: list[str], limit: int,
                exact_only: bool = False) -> list[Node]: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Delete everything (tests and the demo's reset only)."""

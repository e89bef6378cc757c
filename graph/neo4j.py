"""``Neo4jGraphStore``: the one GraphStore implementation, Bolt + Cypher over the official
``neo4j`` driver. It serves Neo4j 5 and the embedded ArcadeDB alike; engine differences
live in ``graph/dialect.py`` and every statement in ``graph/queries.py``.

Writes: one ``upsert`` call = one managed write transaction (``execute_write``), so the
driver retries it whole on transient errors and a failure anywhere (engine error, lost
connection, killed process) commits nothing. Driver errors are wrapped into
``graph.exceptions``.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

from graph import explore, export, ontology, paths, queries, search, side_index
from graph.base import GraphStore
from graph.dialect import Dialect, detect
from graph.exceptions import GraphError, GraphUnavailable, QueryError, QueryTimeout
from graph.records import (Node, NodeRecord, Path, Rel, RelRecord, SharedLink, Subgraph,
                           Tables, UpsertResult)
from graph.rows import node_from_row
from graph.statements import bolt_value, write_statements

log = logging.getLogger(__name__)


class Neo4jGraphStore(GraphStore):
    """GraphStore over Bolt. ``uri`` like ``bolt://127.0.0.1:7687`` or ``neo4j://host``.

    ``__init__`` only stores configuration; ``connect()`` opens the driver and detects the
    dialect. ``on_close`` runs after the driver closes (the embedded engine's release).
    """

    def __init__(self, uri: str, user: str = "neo4j", password: str | None = None, *,
                 database: str | None = None, batch_size: int = 2000,
                 on_close: Callable[[], None] | None = None, name: str | None = None,
                 query_timeout_s: float = 10.0, bulk_timeout_s: float = 600.0,
                 expand_fanout: int = 25, supernode_degree: int = 200):
        self.uri = uri
        self.query_timeout_s = float(query_timeout_s)
        self.bulk_timeout_s = float(bulk_timeout_s)
        self.expand_fanout = int(expand_fanout)
        self.supernode_degree = int(supernode_degree)
        self.user = user
        self._password = password
        self.database = database
        self.batch_size = int(batch_size)
        self._on_close = on_close
        self.name = name
        self._driver = None
        self.side_index: side_index.SideIndex | None = None  # the embedded engine's search
        self.sql: Any = None  # the embedded engine's SQL export (graph/arcadedb_sql.py)
        self._side_synced = False
        self.degrees = explore.DegreeCache()  # supernode degrees, ArcadeDB only (explore.py)
        self.dialect: Dialect | None = None
        self._agent = ""

    # -- lifecycle --------------------------------------------------------------
    def connect(self) -> "Neo4jGraphStore":
        if self._driver is not None:
            return self
        import neo4j
        from neo4j import exceptions as nx

        auth = (self.user, self._password or "")
        try:
            driver = neo4j.GraphDatabase.driver(
                self.uri, auth=auth, max_transaction_retry_time=30.0,
                connection_acquisition_timeout=60.0, notifications_min_severity="OFF")
            driver.verify_connectivity()
            info = driver.get_server_info()
        except (nx.DriverError, nx.Neo4jError, OSError, ValueError) as e:
            raise GraphUnavailable(f"cannot reach the graph engine at {self.uri}: {e}") from e
        self._driver = driver
        self._agent = info.agent
        self.dialect = detect(info.agent)
        log.debug("connected to %s (%s)", self.uri, info.agent)
        return self

    def close(self) -> None:
        driver, self._driver = self._driver, None
        if driver is not None:
            driver.close()
        if self.side_index is not None:
            self.side_index.close()
        cb, self._on_close = self._on_close, None
        if cb is not None:
            cb()

    @property
    def driver(self):
        if self._driver is None:
            raise GraphUnavailable("graph store is not connected (call connect())")
        return self._driver

    def _session(self):
        return self.driver.session(database=self.database)

    def _wrap(self, e: Exception, what: str) -> GraphError:
        from neo4j import exceptions as nx
        if isinstance(e, GraphError):
            return e
        if isinstance(e, (nx.ServiceUnavailable, nx.SessionExpired, nx.AuthError, OSError)):
            return GraphUnavailable(f"{what}: graph engine unavailable at {self.uri}: {e}")
        msg = getattr(e, "message", None) or str(e)
        code = getattr(e, "code", None) or ""
        if "TransactionTimedOut" in code:
            return QueryTimeout(f"{what}: stopped by the read timeout (PS_GRAPH_QUERY_TIMEOUT_S "
                                f"{self.query_timeout_s:g} s, bulk {self.bulk_timeout_s:g} s)")
        return QueryError(f"{what}: {type(e).__name__}: {msg}")

    def _write(self, what: str, work: Callable[[Any], Any]) -> Any:
        """Run ``work(tx)`` in one managed write transaction (retried on transient errors)."""
        try:
            with self._session() as s:
                return s.execute_write(work)
        except Exception as e:  # noqa: BLE001 - every driver error is wrapped
            raise self._wrap(e, what) from e

    def _read(self, what: str, cypher: str, *, bulk: bool = False, **params: Any
              ) -> list[dict[str, Any]]:
        """One read transaction, stopped by the server after ``query_timeout_s`` (the
        driver's transaction timeout; Neo4j enforces it, ArcadeDB receives it and lets the
        statement run). ``bulk`` reads (export, counts, shared links) get
        ``bulk_timeout_s``: they walk whole labels."""
        import neo4j

        @neo4j.unit_of_work(timeout=self.bulk_timeout_s if bulk else self.query_timeout_s)
        def work(tx):
            return [r.data() for r in tx.run(cypher, params)]
        try:
            with self._session() as s:
                return s.execute_read(work)
        except Exception as e:  # noqa: BLE001
            raise self._wrap(e, what) from e

    def _auto(self, what: str, cypher: str, **params: Any) -> None:
        """An auto-commit statement (schema DDL cannot share a transaction with data)."""
        try:
            with self._session() as s:
                s.run(cypher, params).consume()
        except Exception as e:  # noqa: BLE001
            raise self._wrap(e, what) from e

    def ensure_schema(self) -> None:
        d = self.dialect or detect(self._agent)
        for label in sorted(ontology.LABELS):
            self._auto(f"key constraint on {label}", d.key_constraint(label))
        for label, nt in sorted(ontology.NODE_TYPES.items()):
            if "name" in nt.props:
                self._auto(f"name index on {label}", d.property_index(label, "name"))
        ft = d.fulltext_index(search.fulltext_labels(), list(search.FULLTEXT_PROPS),
                              name=search.FULLTEXT_INDEX)
        if ft:
            self._auto("full-text index", ft)
        aw = d.await_indexes()
        if aw:
            self._auto("await indexes", aw)
        self._side()

    def server_info(self) -> dict[str, Any]:
        return {"engine": self.dialect.name if self.dialect else "unknown",
                "agent": self._agent, "uri": self.uri, "database": self.database,
                "name": self.name}

    # -- writes -----------------------------------------------------------------
    def _statements(self, nodes: list[NodeRecord], rels: list[RelRecord]
                    ) -> list[tuple[str, list[dict[str, Any]]]]:
        return write_statements(nodes, rels, dialect=self.dialect or detect(self._agent),
                                batch_size=self.batch_size)

    def _upsert(self, nodes: list[NodeRecord], relationships: list[RelRecord]) -> UpsertResult:
        statements = self._statements(nodes, relationships)
        if not statements:
            return UpsertResult()

        def work(tx):
            self._run_batches(tx, statements)

        self._write(f"upsert of {len(nodes)} nodes and {len(relationships)} relationships",
                    work)
        if self.side_index is not None:
            self.side_index.put(side_index.entries_of(nodes, relationships))
        if relationships:
            self.degrees.clear()
        return UpsertResult(nodes=len(nodes), relationships=len(relationships),
                            batches=len(statements))

    @staticmethod
    def _run_batches(tx, statements: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Every batch of one upsert, inside its one transaction (a seam for the tests)."""
        for cypher, rows in statements:
            tx.run(cypher, rows=rows).consume()

    def _set_properties(self, label: str, updates: dict[str, Mapping[str, Any]]) -> int:
        rows = [{"key": k, "props": {p: bolt_value(v) for p, v in props.items()}}
                for k, props in updates.items()]
        if not rows:
            return 0
        q = queries.set_properties(label)

        def work(tx):
            total = 0
            for i in range(0, len(rows), self.batch_size):
                total += tx.run(q, rows=rows[i:i + self.batch_size]).single()["updated"]
            return total

        n = int(self._write(f"set_properties on {label}", work))
        if self.side_index is not None and label in side_index.named_labels():
            self.side_index.put((label, k, p["name"]) for k, p in updates.items()
                                if p.get("name") is not None)
        return n

    def _delete_by_source(self, source: str) -> dict[str, int]:
        def work(tx):
            r = tx.run(queries.DELETE_RELS_BY_SOURCE, source=source).single()["deleted"]
            n = tx.run(queries.DELETE_NODES_BY_SOURCE, source=source).single()["deleted"]
            return {"nodes": int(n), "relationships": int(r)}

        try:
            return self._write(f"delete_by_source {source!r}", work)
        finally:
            self.degrees.clear()

    def clear(self) -> None:
        def work(tx):
            return tx.run(queries.CLEAR_CHUNK, chunk=10_000).single()["deleted"]

        try:
            while self._write("clear", work):
                pass
        finally:
            self._wrote()
        self.degrees.clear()
        if self.side_index is not None:
            self.side_index.clear()

    # -- reads ------------------------------------------------------------------
    def _get(self, label: str, key: str) -> Node | None:
        rows = self._read(f"get {label} {key!r}", queries.get_node(label), key=key)
        return node_from_row(rows[0]["n"]) if rows else None

    @staticmethod
    def _rel(m: Mapping[str, Any], by_id: Mapping[str, Node]) -> Rel:
        s, e = by_id[str(m["start"])], by_id[str(m["end"])]
        return Rel(type=m["type"], start=(s.label, s.key), end=(e.label, e.key),
                   props=dict(m["props"]))

    def _neighbourhood(self, label, key, hops, labels, rel_types, since, until, limit,
                       fanout=None, supernode_degree=None):
        got = explore.expand(
            self._read, label, key, hops, labels, rel_types, since, until, limit,
            fanout or (limit if hops == 1 else self.expand_fanout),
            supernode_degree or self.supernode_degree,
            node_from_row, self._rel, seek=self._seek, degrees=self._degrees)
        if got is None:
            return Subgraph()
        nodes, rels, truncated = got
        return Subgraph(nodes=list(nodes.values()), relationships=list(rels.values()),
                        truncated=truncated)

    @property
    def _degrees(self) -> explore.DegreeCache | None:  # Neo4j reads degrees in O(1)
        return self.degrees if self._seek == "id" else None

    @property
    def _seek(self) -> str:  # how the walk finds nodes by element id (dialect.py)
        return self.dialect.seek if self.dialect is not None else "elementId"

    def _shortest_paths(self, a, b, max_hops, limit):
        na, nb = self._get(*a), self._get(*b)
        if na is None or nb is None:
            return []
        if na.id == nb.id:
            return [Path(nodes=[na], relationships=[])]
        found = paths.shortest(self._read, na, nb, max_hops, limit, self.supernode_degree,
                               node_from_row, self._rel, self._get, seek=self._seek,
                               degrees=self._degrees)
        return [Path(nodes=ns, relationships=rs) for ns, rs in found]

    def _shared_attribute_links(self, label, key, via, limit):
        rows = self._read(f"shared-attribute links of {label}",
                          queries.shared_attribute_links(label, key is not None), bulk=True,
                          key=key, via=via, limit=limit)
        return [SharedLink(a=node_from_row(r["a"]), b=node_from_row(r["b"]), via=node_from_row(r["v"]),
                           a_rel=r["a_rel"], b_rel=r["b_rel"]) for r in rows]

    def _export(self, labels, rel_types, since, until) -> Tables:
        if self.sql is not None:
            try:
                return self.sql.export(labels, rel_types, since, until)
            except GraphUnavailable as e:  # its HTTP API unreachable: Bolt still answers
                log.warning("SQL export unavailable (%s); exporting over Bolt", e)
        return export.export(lambda what, q, **kw: self._read(what, q, bulk=True, **kw),
                             labels, rel_types, since, until)

    def counts(self) -> dict[str, dict[str, int]]:
        labels = sorted(ontology.LABELS)
        types = sorted(ontology.REL_TYPE_NAMES)
        n = self._read("count nodes", queries.count_nodes(labels), bulk=True)
        r = self._read("count relationships", queries.count_rels(types), bulk=True)
        return {"nodes": {x["name"]: int(x["c"]) for x in n if x["c"]},
                "relationships": {x["name"]: int(x["c"]) for x in r if x["c"]}}

    def _search(self, text: str, labels: list[str], limit: int,
                exact_only: bool = False) -> list[Node]:
        fulltext = self.dialect is not None and self.dialect.supports_fulltext
        return search.search(self._read, text, labels, limit, exact_only, fulltext,
                             node_from_row, side=None if fulltext else self._side())

    def _side(self) -> side_index.SideIndex | None:
        """The side index, brought in step with the graph once per store (side_index.py)."""
        if self.side_index is not None and not self._side_synced:
            side_index.sync(self.side_index, lambda w, q: self._read(w, q, bulk=True),
                            self.counts()["nodes"], sql=self.sql)
            self._side_synced = True
        return self.side_index

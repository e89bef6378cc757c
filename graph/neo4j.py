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
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Callable, Mapping

from graph import ontology, queries
from graph.base import (GraphStore, Node, NodeRecord, Path, Rel, RelRecord, SharedLink,
                        Subgraph, Tables, UpsertResult)
from graph.clock import now_iso
from graph.dialect import Dialect, detect
from graph.exceptions import GraphError, GraphUnavailable, QueryError

log = logging.getLogger(__name__)


def _value(v: Any) -> Any:
    """Values as both engines store them: ISO strings for dates, lists for tuples."""
    if isinstance(v, datetime):
        return v.isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, tuple):
        return [_value(x) for x in v]
    if isinstance(v, list):
        return [_value(x) for x in v]
    return v


def _clean(props: Mapping[str, Any], system: tuple[str, ...]) -> dict[str, Any]:
    """Drop nulls (a null never erases) and system properties (the store stamps those)."""
    return {k: _value(v) for k, v in props.items() if v is not None and k not in system}


def _fold(rows: dict[Any, dict[str, Any]], key: Any, ident: dict[str, Any],
          props: dict[str, Any], source: str, seen: str) -> None:
    """Merge one record into ``rows[key]`` by the merge rule (later non-null props win)."""
    row = rows.get(key)
    if row is None:
        rows[key] = {**ident, "props": dict(props), "sources": [source], "first": seen,
                     "last": seen}
        return
    row["props"].update(props)
    if source not in row["sources"]:
        row["sources"].append(source)
    row["first"] = min(row["first"], seen)
    row["last"] = max(row["last"], seen)


def _primary_label(labels: list[str]) -> str:
    for l in labels:
        if l in ontology.LABELS:
            return l
    return labels[0] if labels else ""


def _node(m: Mapping[str, Any]) -> Node:
    props = dict(m["props"])
    return Node(label=_primary_label(list(m["labels"])), key=str(props.get("key", "")),
                props=props, id=str(m["id"]))


class Neo4jGraphStore(GraphStore):
    """GraphStore over Bolt. ``uri`` like ``bolt://127.0.0.1:7687`` or ``neo4j://host``.

    ``__init__`` only stores configuration; ``connect()`` opens the driver and detects the
    dialect. ``on_close`` runs after the driver closes (the embedded engine's release).
    """

    def __init__(self, uri: str, user: str = "neo4j", password: str | None = None, *,
                 database: str | None = None, batch_size: int = 2000,
                 on_close: Callable[[], None] | None = None, name: str | None = None):
        self.uri = uri
        self.user = user
        self._password = password
        self.database = database
        self.batch_size = int(batch_size)
        self._on_close = on_close
        self.name = name
        self._driver = None
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
        return QueryError(f"{what}: {type(e).__name__}: {msg}")

    def _write(self, what: str, work: Callable[[Any], Any]) -> Any:
        """Run ``work(tx)`` in one managed write transaction (retried on transient errors)."""
        try:
            with self._session() as s:
                return s.execute_write(work)
        except Exception as e:  # noqa: BLE001 - every driver error is wrapped
            raise self._wrap(e, what) from e

    def _read(self, what: str, cypher: str, **params: Any) -> list[dict[str, Any]]:
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
        ft = d.fulltext_index(["Enterprise", "Person"], ["name"])
        if ft:
            self._auto("full-text index", ft)
        aw = d.await_indexes()
        if aw:
            self._auto("await indexes", aw)

    def server_info(self) -> dict[str, Any]:
        return {"engine": self.dialect.name if self.dialect else "unknown",
                "agent": self._agent, "uri": self.uri, "database": self.database,
                "name": self.name}

    # -- writes -----------------------------------------------------------------
    def _statements(self, nodes: list[NodeRecord], rels: list[RelRecord]
                    ) -> list[tuple[str, list[dict[str, Any]]]]:
        """(cypher, rows) per batch, in write order: nodes by label, then per relationship
        group (type, start label, end label) its absent end nodes, then the relationships.
        Records of one call are merged per key first, by the ontology's merge rule."""
        stamp = now_iso()
        d = self.dialect or detect(self._agent)
        out: list[tuple[str, list[dict[str, Any]]]] = []

        def add(cypher: str, rows: list[dict[str, Any]]) -> None:
            out.extend((cypher, rows[i:i + self.batch_size])
                       for i in range(0, len(rows), self.batch_size))

        by_label: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
        for n in nodes:
            _fold(by_label[n.label], n.key, {"key": n.key},
                  _clean(n.props, ontology.SYSTEM_NODE_PROPS), n.source,
                  _value(n.seen_at) or stamp)
        # (label, key) of the nodes that exist once the statements so far have run: their
        # end-node checks are skipped (a no-op in the same transaction, but not a free one)
        present: set[tuple[str, str]] = set()
        for label, rows in by_label.items():
            multi = bool(ontology.NODE_TYPES[label].extra_labels)
            if multi and not d.multi_label_merge:
                add(queries.create_missing_nodes(label), list(rows.values()))
            add(queries.merge_nodes(label, all_labels=d.multi_label_merge),
                list(rows.values()))
            present.update((label, k) for k in rows)

        by_type: dict[tuple[str, str, str], dict[Any, dict[str, Any]]] = defaultdict(dict)
        for r in rels:
            _fold(by_type[(r.type, r.start_label, r.end_label)], (r.start_key, r.end_key),
                  {"start": r.start_key, "end": r.end_key},
                  _clean(r.props, ontology.SYSTEM_REL_PROPS), r.source,
                  _value(r.seen_at) or stamp)
        for (t, sl, el), rows in by_type.items():
            from_end = (d.merge_walks_first_node
                        and len({k[1] for k in rows}) > len({k[0] for k in rows}))
            if d.multi_label_merge:  # MERGE the ends that may be absent, then the edge
                known, unknown = [], []
                for row in rows.values():
                    (known if (sl, row["start"]) in present and (el, row["end"]) in present
                     else unknown).append(row)
                    present.add((sl, row["start"]))
                    present.add((el, row["end"]))
                add(queries.merge_rels(t, sl, el, ensure_ends=True, from_end=from_end),
                    unknown)
                add(queries.merge_rels(t, sl, el, ensure_ends=False, from_end=from_end),
                    known)
                continue
            ends: dict[str, dict[str, dict[str, Any]]] = {sl: {}, el: {}}
            for row in rows.values():
                for label, key in ((sl, row["start"]), (el, row["end"])):
                    if (label, key) in present:
                        continue
                    for src in row["sources"]:
                        _fold(ends[label], key, {"key": key}, {}, src, row["first"])
                    _fold(ends[label], key, {"key": key}, {}, row["sources"][0], row["last"])
            for label, end_rows in ends.items():
                add(queries.create_missing_nodes(label, stamped=True), list(end_rows.values()))
                present.update((label, k) for k in end_rows)
            add(queries.merge_rels(t, sl, el, ensure_ends=False, from_end=from_end),
                list(rows.values()))
        return out

    def _upsert(self, nodes: list[NodeRecord], relationships: list[RelRecord]) -> UpsertResult:
        statements = self._statements(nodes, relationships)
        if not statements:
            return UpsertResult()

        def work(tx):
            self._run_batches(tx, statements)

        self._write(f"upsert of {len(nodes)} nodes and {len(relationships)} relationships",
                    work)
        return UpsertResult(nodes=len(nodes), relationships=len(relationships),
                            batches=len(statements))

    @staticmethod
    def _run_batches(tx, statements: list[tuple[str, list[dict[str, Any]]]]) -> None:
        """Every batch of one upsert, inside its one transaction (a seam for the tests)."""
        for cypher, rows in statements:
            tx.run(cypher, rows=rows).consume()

    def _set_properties(self, label: str, updates: dict[str, Mapping[str, Any]]) -> int:
        rows = [{"key": k, "props": {p: _value(v) for p, v in props.items()}}
                for k, props in updates.items()]
        if not rows:
            return 0
        q = queries.set_properties(label)

        def work(tx):
            total = 0
            for i in range(0, len(rows), self.batch_size):
                total += tx.run(q, rows=rows[i:i + self.batch_size]).single()["updated"]
            return total

        return int(self._write(f"set_properties on {label}", work))

    def _delete_by_source(self, source: str) -> dict[str, int]:
        def work(tx):
            r = tx.run(queries.DELETE_RELS_BY_SOURCE, source=source).single()["deleted"]
            n = tx.run(queries.DELETE_NODES_BY_SOURCE, source=source).single()["deleted"]
            return {"nodes": int(n), "relationships": int(r)}

        return self._write(f"delete_by_source {source!r}", work)

    def clear(self) -> None:
        def work(tx):
            return tx.run(queries.CLEAR_CHUNK, chunk=10_000).single()["deleted"]

        while self._write("clear", work):
            pass

    # -- reads ------------------------------------------------------------------
    def _get(self, label: str, key: str) -> Node | None:
        rows = self._read(f"get {label} {key!r}", queries.get_node(label), key=key)
        return _node(rows[0]["n"]) if rows else None

    @staticmethod
    def _rel(m: Mapping[str, Any], by_id: Mapping[str, Node]) -> Rel:
        s, e = by_id[str(m["start"])], by_id[str(m["end"])]
        return Rel(type=m["type"], start=(s.label, s.key), end=(e.label, e.key),
                   props=dict(m["props"]))

    def _paths(self, rows: list[dict[str, Any]]) -> list[Path]:
        out = []
        for row in rows:
            ns = [_node(m) for m in row["nodes"]]
            by_id = {n.id: n for n in ns}
            out.append(Path(nodes=ns, relationships=[self._rel(m, by_id) for m in row["rels"]]))
        return out

    def _neighbourhood(self, label, key, hops, labels, rel_types, since, until, limit):
        start = self._get(label, key)
        if start is None:
            return Subgraph()
        max_paths = limit * 20
        rows = self._read(f"neighbourhood of {label} {key!r}",
                          queries.neighbourhood(label, hops, rel_types, bool(labels)),
                          key=key, labels=labels, since=since, until=until,
                          max_paths=max_paths)
        nodes: dict[str, Node] = {start.id: start}
        rels: dict[str, Rel] = {}
        truncated = len(rows) >= max_paths
        for row in rows:
            for m in row["nodes"]:
                nid = str(m["id"])
                if nid not in nodes:
                    if len(nodes) >= limit:
                        truncated = True
                        continue
                    nodes[nid] = _node(m)
            for m in row["rels"]:
                rid = str(m["id"])
                if rid not in rels and str(m["start"]) in nodes and str(m["end"]) in nodes:
                    rels[rid] = self._rel(m, nodes)
        return Subgraph(nodes=list(nodes.values()), relationships=list(rels.values()),
                        truncated=truncated)

    def _shortest_paths(self, a, b, max_hops, limit):
        if a == b:
            n = self._get(*a)
            return [Path(nodes=[n], relationships=[])] if n else []
        rows = self._read(f"shortest paths {a} - {b}",
                          queries.shortest_paths(a[0], b[0], max_hops),
                          a=a[1], b=b[1], limit=limit)
        return self._paths(rows)

    def _shared_attribute_links(self, label, key, via, limit):
        rows = self._read(f"shared-attribute links of {label}",
                          queries.shared_attribute_links(label, key is not None),
                          key=key, via=via, limit=limit)
        return [SharedLink(a=_node(r["a"]), b=_node(r["b"]), via=_node(r["v"]),
                           a_rel=r["a_rel"], b_rel=r["b_rel"]) for r in rows]

    def _export(self, labels, rel_types, since, until) -> Tables:
        import pandas as pd
        node_frames: dict[str, Any] = {}
        for label in labels:
            rows = self._read(f"export {label}", queries.export_nodes(label),
                              since=since, until=until)
            cols = ["key", *ontology.NODE_TYPES[label].props, "sources", "first_seen",
                    "last_seen"]
            recs = [r["props"] for r in rows]
            extra = sorted({k for p in recs for k in p} - set(cols))
            df = pd.DataFrame.from_records(recs, columns=cols + extra)
            node_frames[label] = _typed(df, ontology.NODE_TYPES[label].props)
        rel_frames: dict[str, Any] = {}
        for t in rel_types:
            rows = self._read(f"export {t}", queries.export_rels(t), since=since, until=until)
            cols = ["start_key", "end_key", "start_label", "end_label",
                    *ontology.REL_TYPES[t].props, "sources", "first_seen", "last_seen"]
            recs = [{"start_key": r["start_key"], "end_key": r["end_key"],
                     "start_label": _primary_label(r["start_labels"]),
                     "end_label": _primary_label(r["end_labels"]), **r["props"]} for r in rows]
            extra = sorted({k for p in recs for k in p} - set(cols))
            df = pd.DataFrame.from_records(recs, columns=cols + extra)
            rel_frames[t] = _typed(df, ontology.REL_TYPES[t].props)
        return Tables(nodes=node_frames, relationships=rel_frames)

    def counts(self) -> dict[str, dict[str, int]]:
        labels = sorted(ontology.LABELS)
        types = sorted(ontology.REL_TYPE_NAMES)
        n = self._read("count nodes", queries.count_nodes(labels))
        r = self._read("count relationships", queries.count_rels(types))
        return {"nodes": {x["name"]: int(x["c"]) for x in n if x["c"]},
                "relationships": {x["name"]: int(x["c"]) for x in r if x["c"]}}

    def _search(self, text: str, labels: list[str], limit: int) -> list[Node]:
        rows = self._read("search", queries.SEARCH, text=str(text).lower(), labels=labels,
                          limit=limit)
        return [_node(r["n"]) for r in rows]


def _typed(df, schema: Mapping[str, str]):
    """Give columns the ontology's dtypes (nullable), so an empty frame is typed too."""
    import pandas as pd
    kinds = {"str": "string", "int": "Int64", "float": "Float64", "bool": "boolean",
             "date": "string", "datetime": "string"}
    for col in ("key", "start_key", "end_key", "start_label", "end_label", "first_seen",
                "last_seen"):
        if col in df.columns:
            df[col] = df[col].astype("string")
    for col, kind in schema.items():
        if col in df.columns and kind in kinds:
            try:
                df[col] = df[col].astype(kinds[kind])
            except (TypeError, ValueError):
                df[col] = df[col].astype("object")
    return df

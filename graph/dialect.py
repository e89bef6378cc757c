"""Where the two Bolt engines differ, measured on each (kept in one small place).

Both engines take the same data Cypher (MERGE with ON CREATE/ON MATCH, UNWIND, list
comprehensions, variable-length patterns, ``shortestPath``/``allShortestPaths``,
``elementId``, explicit transactions with rollback). What differs, as measured on
ArcadeDB 26.10.2 ("Neo4j/5.26.0 compatible") against Neo4j 5.26:

* **full-text**: ArcadeDB refuses ``CREATE FULLTEXT INDEX`` ("Only standard, RANGE and TEXT
  index types are supported"). It does answer ``db.index.fulltext.queryNodes('Type[prop]',
  ...)`` over its native FULL_TEXT index, but that index is created in SQL only and not on a
  property that already has a range index, and its Lucene parser refuses a leading wildcard
  (so no "contains"). Search (``graph/search.py``) uses the Neo4j full-text index
  ``ps_search`` and, on ArcadeDB, the trigram side index of ``graph/side_index.py`` (same
  answers: both check their candidates with the same ``CONTAINS`` test).
* **read timeout**: the Bolt transaction timeout is enforced by Neo4j
  (``TransactionTimedOutClientConfiguration`` -> ``QueryTimeout``) and ignored by ArcadeDB.
* **index listing**: ArcadeDB has no ``db.indexes()``; both answer ``SHOW INDEXES``.
* **index readiness**: Neo4j builds indexes in the background (``CALL db.awaitIndexes``);
  ArcadeDB builds them synchronously and has no such procedure.
* **multiple labels**: ArcadeDB stores a node with two labels in a composite type
  (``Declaration~Document``). ``MERGE (n:Declaration:Document {key})`` does not use the key
  index there (measured: ~90 rows/s and falling as the type grows, against thousands for one
  label), and ``MERGE (n:Declaration {key}) ON CREATE SET n:Document`` fails with a
  duplicated key on its own index. So on ArcadeDB (``multi_label_merge=False``) absent nodes
  are first CREATEd with all labels (``OPTIONAL MATCH ... WHERE x IS NULL CREATE``), then
  MERGEd on the primary label (which matches the composite type, index-backed); Neo4j MERGEs
  on all labels in one statement.
* **relationship MERGE** between two bound nodes: Neo4j checks for the edge from whichever
  end has the lower degree; ArcadeDB walks the edges of the node written first in the
  pattern (measured: Enterprise -> Declaration batches, 2.5x faster written from the
  Declaration end). So on ArcadeDB (``merge_walks_first_node=True``) the store writes a
  batch's pattern from the side with more distinct keys, i.e. the lower-degree side.
* **element ids** look like ``#12:0`` on ArcadeDB and ``4:uuid:0`` on Neo4j: opaque strings,
  compared for equality only. ArcadeDB finds a node by one with ``id(n) = $x`` (its RID
  lookup: 100 nodes in ~15 ms) but scans with ``elementId(n) = $x`` (~100 ms) and is slower
  still by key (``seek``).
"""

from __future__ import annotations

from dataclasses import dataclass

from graph import ontology


@dataclass(frozen=True)
class Dialect:
    name: str  # "neo4j" | "arcadedb"
    supports_fulltext: bool
    supports_await_indexes: bool
    multi_label_merge: bool  # MERGE (n:A:B {key}) is index-backed and correct
    merge_walks_first_node: bool = False  # MERGE (a)-[r]->(b) scans a's edges, whatever b
    seek: str = "elementId"  # how a node is found by its element id (graph/explore.py SEEK)

    # -- DDL (structure only: names come from the ontology) ---------------------
    def key_constraint(self, label: str) -> str:
        label = ontology.check_label(label).label
        return (f"CREATE CONSTRAINT ps_{label}_key IF NOT EXISTS "
                f"FOR (n:{label}) REQUIRE n.key IS UNIQUE")

    def property_index(self, label: str, prop: str) -> str:
        label = ontology.check_label(label).label
        prop = ontology.check_property_name(prop)
        return f"CREATE INDEX ps_{label}_{prop} IF NOT EXISTS FOR (n:{label}) ON (n.{prop})"

    def fulltext_index(self, labels: list[str], props: list[str], name: str = "ps_names"
                       ) -> str | None:
        if not self.supports_fulltext:
            return None
        ls = "|".join(ontology.check_label(l).label for l in labels)
        ps = ", ".join(f"n.{ontology.check_property_name(p)}" for p in props)
        name = ontology.check_property_name(name)
        return f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{ls}) ON EACH [{ps}]"

    def await_indexes(self) -> str | None:
        return "CALL db.awaitIndexes(300)" if self.supports_await_indexes else None


NEO4J = Dialect("neo4j", supports_fulltext=True, supports_await_indexes=True,
                multi_label_merge=True)
ARCADEDB = Dialect("arcadedb", supports_fulltext=False, supports_await_indexes=False,
                   multi_label_merge=False, merge_walks_first_node=True, seek="id")


def detect(agent: str) -> Dialect:
    """Pick the dialect from the Bolt server agent string.

    ArcadeDB answers ``Neo4j/5.26.0 compatible (ArcadeDB 26.10.2)``; Neo4j ``Neo4j/5.26.0``.
    """
    return ARCADEDB if "arcadedb" in (agent or "").lower() else NEO4J

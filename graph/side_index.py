"""The embedded engine's search side index, kept in step with the store's writes
(``graph/search.py`` reads it): every node's (label, key), indexed by lower-cased key (key
prefix search), and the lower-cased name and key of every node of a label that has a name
in an SQLite FTS5 table with the trigram tokenizer (substring search).

Why: ArcadeDB 26.10.2 has no full-text index over Bolt (its SQL FULL_TEXT index cannot be
created on a property that already has our range index, and its Lucene parser refuses a
leading wildcard, so it cannot answer "contains"); a ``CONTAINS`` scan of every named node
is O(graph) per search; and its ``STARTS WITH`` walks every matching key before the LIMIT
(1-4 s for a 7-character prefix on a 50k world). A trigram index answers "contains" (GLOB
``*text*``) from the index for texts of 3 characters or more; a shorter text scans this
small table in C, not the graph.

The index only proposes candidates: ``graph/search.py`` reads them back from the graph by
key and applies the same ``CONTAINS`` test as the Neo4j path, so a stale entry (a node
deleted or renamed by another path) is never returned. What must not happen is a missing
entry, so:
  * ``upsert`` and ``set_properties`` record the nodes they wrote (the key of a bare
    end node too) after their transaction commits;
  * ``clear`` empties the index;
  * ``ensure_schema`` rebuilds it from the graph when it is absent or holds a different
    number of nodes per label than the graph (a process that died between its commit and
    the index write; a graph loaded before the index existed).
The file lives beside the engine's data (``<PS_DATA_DIR>/arcadedb/search.sqlite``, 0600),
shared by every process of that data dir (WAL mode).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Iterable

def _named() -> frozenset[str]:
    from graph import ontology
    return frozenset(l for l, nt in ontology.NODE_TYPES.items() if "name" in nt.props)


NAMED = _named()  # labels whose names (and keys) are searched by substring
SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, label TEXT NOT NULL, "
    "key TEXT NOT NULL, field TEXT NOT NULL, UNIQUE (label, key, field))",
    "CREATE INDEX IF NOT EXISTS entries_lkey ON entries (lower(key))",
    "CREATE VIRTUAL TABLE IF NOT EXISTS fts USING fts5(text, tokenize='trigram')",
)


class SideIndex:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            new = not self.path.exists()
            db = sqlite3.connect(self.path, check_same_thread=False, timeout=30.0)
            if new:
                os.chmod(self.path, 0o600)
            db.execute("PRAGMA journal_mode=WAL")
            for q in SCHEMA:
                db.execute(q)
            self._db = db
        return self._db

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    @staticmethod
    def _put(db: sqlite3.Connection, label: str, key: str, name: str | None) -> None:
        cur = db.execute("INSERT OR IGNORE INTO entries (label, key, field) "
                         "VALUES (?, ?, 'key')", (label, key))
        named = label in NAMED
        if cur.rowcount and named:
            db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)",
                       (cur.lastrowid, key.lower()))
        if name is None or not named:
            return
        row = db.execute("SELECT id FROM entries WHERE label = ? AND key = ? AND "
                         "field = 'name'", (label, key)).fetchone()
        if row:
            db.execute("UPDATE fts SET text = ? WHERE rowid = ?", (name.lower(), row[0]))
        else:
            cur = db.execute("INSERT INTO entries (label, key, field) VALUES (?, ?, 'name')",
                             (label, key))
            db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)",
                       (cur.lastrowid, name.lower()))

    def put(self, entries: Iterable[tuple[str, str, str | None]]) -> None:
        """(label, key, name or None) of nodes just written; a name replaces the old one, a
        None name keeps it."""
        rows = [(l, str(k), None if n is None else str(n)) for l, k, n in entries]
        if not rows:
            return
        with self._lock:
            db = self._conn()
            with db:
                for label, key, name in rows:
                    self._put(db, label, key, name)

    def find(self, text: str, labels: list[str], limit: int, offset: int = 0
             ) -> list[tuple[str, str]]:
        """(label, key) of the nodes whose lower-cased name or key contains ``text``
        (lower-cased by the caller), in (label, key) order."""
        if not labels:
            return []
        marks = ",".join("?" * len(labels))
        if len(text) >= 3:  # trigram index (GLOB: LIKE ... ESCAPE is not index-backed)
            esc = "".join(f"[{c}]" if c in "*?[" else c for c in text)
            cond, arg = "fts.text GLOB ?", f"*{esc}*"
        else:  # too short for a trigram: a scan of this table
            cond, arg = "instr(fts.text, ?) > 0", text
        with self._lock:
            rows = self._conn().execute(
                f"SELECT DISTINCT e.label, e.key FROM fts JOIN entries e ON e.id = fts.rowid "
                f"WHERE {cond} AND +e.label IN ({marks}) ORDER BY e.label, e.key "
                f"LIMIT ? OFFSET ?", (arg, *labels, limit, offset)).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def find_prefix(self, text: str, labels: list[str], limit: int, offset: int = 0
                    ) -> list[tuple[str, str]]:
        """(label, key) of the nodes whose key starts with ``text`` ignoring ASCII case
        (a superset of the case variants the caller checks), in key order."""
        if not labels or not text:
            return []
        marks = ",".join("?" * len(labels))
        lo = text.lower()
        with self._lock:
            rows = self._conn().execute(
                f"SELECT label, key FROM entries WHERE field = 'key' AND lower(key) >= ? "
                f"AND lower(key) < ? AND +label IN ({marks}) ORDER BY key, label "
                f"LIMIT ? OFFSET ?", (lo, lo + "\U0010ffff", *labels, limit, offset)
            ).fetchall()
        return [(str(a), str(b)) for a, b in rows]

    def counts(self) -> dict[str, int]:
        with self._lock:
            rows = self._conn().execute(
                "SELECT label, count(*) FROM entries WHERE field = 'key' GROUP BY label"
            ).fetchall()
        return {str(a): int(b) for a, b in rows}

    def replace_all(self, entries: Iterable[tuple[str, str, str | None]]) -> None:
        with self._lock:
            db = self._conn()
            with db:
                db.execute("DELETE FROM entries")
                db.execute("DELETE FROM fts")
                for label, key, name in entries:
                    self._put(db, label, str(key), None if name is None else str(name))

    def clear(self) -> None:
        self.replace_all(())


def named_labels() -> set[str]:
    return set(NAMED)


def entries_of(nodes: Iterable, rels: Iterable = ()) -> list[tuple[str, str, str | None]]:
    """What an upsert wrote to the index: its nodes (with their name when the record has
    one) and the end nodes of its relationships (key only: a bare end is created)."""
    out = [(n.label, n.key, n.props.get("name")) for n in nodes]
    for r in rels:
        out += [(r.start_label, r.start_key, None), (r.end_label, r.end_key, None)]
    return out


def _rebuild(label: str) -> str:
    from graph import ontology
    lab = ontology.check_label(label).label
    name = "n.name" if lab in NAMED else "null"
    return (f"MATCH (n:{lab}) WITH collect([n.key, {name}]) AS a\n"
            f"UNWIND range(0, size(a) - 1, 20000) AS i RETURN a[i..i + 20000] AS chunk")


def _entries(label: str, read, sql) -> list[tuple[str, str, str | None]]:
    """(label, key, name) of every node of ``label``: through the embedded engine's paged SQL
    (``graph/arcadedb_sql.py``) when it is there — ArcadeDB's Cypher ``collect()`` refuses
    more than 524,288 elements (``queryMaxHeapElementsAllowedPerOp``), so a 1M-entity graph
    could not be opened for search — else the Bolt read."""
    from graph import ontology
    from graph.exceptions import GraphUnavailable

    lab = ontology.check_label(label).label
    if sql is not None:
        cols = "key, name" if lab in NAMED else "key"
        try:
            rows = sql.query_paged(f"side index of {lab}", f"SELECT @rid, {cols} FROM `{lab}`")
            return [(lab, r.get("key"), r.get("name")) for r in rows]
        except GraphUnavailable:
            pass  # its HTTP API unreachable: the Bolt read
    return [(lab, k, nm) for row in read(f"side index of {lab}", _rebuild(lab))
            for k, nm in row["chunk"]]


def sync(side: SideIndex, read, counts: dict[str, int], sql=None) -> bool:
    """Rebuild ``side`` from the graph unless it holds as many nodes per label as ``counts``
    (the graph's); ``read(what, cypher)`` runs a bulk read, ``sql`` the embedded engine's
    ``ArcadeSQL`` (or None). True if rebuilt."""
    if {l: c for l, c in side.counts().items() if c} == {l: c for l, c in counts.items()
                                                        if c}:
        return False
    side.replace_all([e for l in sorted(counts) if counts[l] for e in _entries(l, read, sql)])
    return True

"""The embedded engine's search side index: the lower-cased name and key of every node of
a label that has a name, in an SQLite FTS5 table with the trigram tokenizer, kept in step
with the store's writes (``graph/search.py`` reads it).

Why: ArcadeDB 26.10.2 has no full-text index over Bolt (its SQL FULL_TEXT index cannot be
created on a property that already has our range index, and its Lucene parser refuses a
leading wildcard, so it cannot answer "contains"); a ``CONTAINS`` scan of every named node
is O(graph) per search. A trigram index answers ``LIKE '%text%'`` from the index for texts of
3 characters or more; a shorter text scans this small table in C, not the graph.

The index only proposes candidates: ``graph/search.py`` reads them back from the graph by
key and applies the same ``CONTAINS`` test as the Neo4j path, so a stale entry (a node
deleted or renamed by another path) is never returned. What must not happen is a missing
entry, so:
  * ``upsert`` and ``set_properties`` record the named nodes they wrote (the key of a bare
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

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (id INTEGER PRIMARY KEY, label TEXT NOT NULL, "
    "key TEXT NOT NULL, field TEXT NOT NULL, UNIQUE (label, key, field))",
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
        if cur.rowcount:
            db.execute("INSERT INTO fts (rowid, text) VALUES (?, ?)",
                       (cur.lastrowid, key.lower()))
        if name is None:
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
        if len(text) >= 3:  # trigram index
            esc = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            cond, arg = "fts.text LIKE ? ESCAPE '\\'", f"%{esc}%"
        else:  # too short for a trigram: a scan of this table
            cond, arg = "instr(fts.text, ?) > 0", text
        with self._lock:
            rows = self._conn().execute(
                f"SELECT DISTINCT e.label, e.key FROM fts JOIN entries e ON e.id = fts.rowid "
                f"WHERE {cond} AND e.label IN ({marks}) ORDER BY e.label, e.key "
                f"LIMIT ? OFFSET ?", (arg, *labels, limit, offset)).fetchall()
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
    from graph import ontology
    return {l for l, nt in ontology.NODE_TYPES.items() if "name" in nt.props}


def entries_of(nodes: Iterable, rels: Iterable = ()) -> list[tuple[str, str, str | None]]:
    """What an upsert wrote to the index: named nodes (their name when the record has one)
    and the named end nodes of its relationships (key only: a bare end is created)."""
    named = named_labels()
    out = [(n.label, n.key, n.props.get("name")) for n in nodes if n.label in named]
    for r in rels:
        out += [(l, k, None) for l, k in ((r.start_label, r.start_key),
                                          (r.end_label, r.end_key)) if l in named]
    return out


REBUILD = ("MATCH (n:{label}) WITH collect([n.key, n.name]) AS a\n"
           "UNWIND range(0, size(a) - 1, 20000) AS i RETURN a[i..i + 20000] AS chunk")


def sync(side: SideIndex, read, counts: dict[str, int]) -> bool:
    """Rebuild ``side`` from the graph unless it holds as many nodes per named label as
    ``counts`` (the graph's); ``read(what, cypher)`` runs a bulk read. True if rebuilt."""
    named = sorted(named_labels())
    if {l: c for l, c in side.counts().items() if c} == {l: counts[l] for l in named
                                                        if counts.get(l)}:
        return False
    entries = [(l, k, nm) for l in named if counts.get(l)
               for row in read(f"side index of {l}", REBUILD.format(label=l))
               for k, nm in row["chunk"]]
    side.replace_all(entries)
    return True

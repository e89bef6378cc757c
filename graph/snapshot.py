"""One export of the graph reused by several readers of one process (``portsentinel demo``:
both trainings and both scorings read the same declarations and entities):
``Snapshot.take(store, labels=, rel_types=)`` exports once; ``snap.tables(labels, rel_types)``
hands out any subset of it — the same tables a fresh ``store.export`` of those would give,
since every label and relationship type is exported on its own — as long as the store is
as it was.

"As it was" is checked at every hand-out, never assumed: this store instance has made no data
write since (``GraphStore.generation``: upserts, deletes, clears, property writes other than
the risk write-back), no risk write-back to the labels whose risk properties the reader reads
(``risk_of``; e.g. the entity graph reads the entities' previous levels, not the declarations'
scores), and the node and relationship counts are unchanged (another process's load). A
snapshot lives in memory only, for one process: a later ``portsentinel score`` exports anew.
A property change made by another process that adds nothing (a re-ingested node with new
values) is not seen by the counts: the snapshot is for steps that run one after another in
one process, not a cache to serve the API from.
"""

from __future__ import annotations

import time
from typing import Iterable

from graph.base import GraphStore
from graph.records import Tables


class Snapshot:
    def __init__(self, store: GraphStore, tables: Tables, labels: list[str],
                 rel_types: list[str], generation: tuple[int, ...],
                 counts: dict[str, dict[str, int]], seconds: float) -> None:
        self.store, self._tables = store, tables
        self.labels, self.rel_types = list(labels), list(rel_types)
        # generation = (data writes, risk write-backs per label of ``labels``) when taken
        self._gen, self._counts, self.seconds = generation, counts, seconds
        self.served: list[str] = []  # who was handed tables (demo timings, tests)

    @classmethod
    def take(cls, store: GraphStore, *, labels: Iterable[str], rel_types: Iterable[str]
             ) -> "Snapshot":
        labels, rel_types = list(dict.fromkeys(labels)), list(dict.fromkeys(rel_types))
        t0 = time.perf_counter()
        gen, counts = store.generation(labels), store.counts()
        tables = store.export(labels=labels, rel_types=rel_types)
        if store.generation(labels) != gen:  # written while exporting: never current
            gen = (-1, *gen[1:])
        return cls(store, tables, labels, rel_types, gen, counts,
                   round(time.perf_counter() - t0, 2))

    def current(self, store: GraphStore, risk_of: Iterable[str] = ()) -> bool:
        """Whether ``store`` is the snapshot's and unchanged for a reader of the risk
        properties of ``risk_of`` (module docstring)."""
        if store is not self.store:
            return False
        now = store.generation(self.labels)
        if now[0] != self._gen[0]:
            return False
        risk_of = set(risk_of)
        if any(now[i + 1] != self._gen[i + 1] for i, l in enumerate(self.labels)
               if l in risk_of) or not risk_of <= set(self.labels):
            return False
        return store.counts() == self._counts

    def tables(self, store: GraphStore, labels: Iterable[str], rel_types: Iterable[str], *,
               risk_of: Iterable[str] = (), reader: str = "") -> Tables | None:
        """The export of ``labels`` / ``rel_types`` (copies, so readers on other threads
        never share a frame), or None when the snapshot does not hold them all or is no
        longer current for this reader."""
        labels, rel_types = list(labels), list(rel_types)
        if not (set(labels) <= set(self.labels) and set(rel_types) <= set(self.rel_types)):
            return None
        if not self.current(store, risk_of):
            return None
        self.served.append(reader)
        return Tables(nodes={l: self._tables.nodes[l].copy() for l in labels},
                      relationships={t: self._tables.relationships[t].copy()
                                     for t in rel_types})


def export(store: GraphStore, labels: Iterable[str], rel_types: Iterable[str], *,
           snapshot: Snapshot | None = None, risk_of: Iterable[str] = (), reader: str = ""
           ) -> Tables:
    """``snapshot``'s tables when it is current for this reader, else a fresh export."""
    labels, rel_types = list(labels), list(rel_types)
    if snapshot is not None:
        t = snapshot.tables(store, labels, rel_types, risk_of=risk_of, reader=reader)
        if t is not None:
            return t
    return store.export(labels=labels, rel_types=rel_types)

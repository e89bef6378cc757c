"""``GraphStore.export``: whole labels and relationship types as typed pandas frames, read in
few Bolt records (what training and entity scoring read). This Cypher export serves Neo4j; the
embedded engine reads the same frames through its SQL (``graph/arcadedb_sql.py``, measured
several times faster there), and this one stays its reference in the tests.

Measured on the embedded ArcadeDB (3k-declaration world, ``bench/entity_scoring.py`` at
50k): a statement that returns one Bolt record per node or edge spends most of its time per
record (2,999 declaration keys as rows ~1 s, the same keys collected into one list ~0.15 s),
and an edge pattern with an unlabelled start (``MATCH (a)-[r:T]->(b)``) walks every vertex.
So each label is ONE statement returning its nodes' property maps collected into chunks of
``CHUNK`` (a few records, not one per node), and each relationship type one statement per
start label the ontology allows for it (``MATCH (a:S)-[r:T]->(b)``, the start's type scanned,
not the whole graph), also chunked. The frames are those of a row-per-record export: the
same rows, columns, extra properties (``risk_score`` ...) and dtypes (a node has one
ontology label: the store MERGEs by label and key).
"""

from __future__ import annotations

from typing import Any, Callable

from graph import ontology
from graph.records import Tables
from graph.rows import primary_label, typed_frame

CHUNK = 20_000  # list elements per returned record
WORKERS = 1  # statements in flight at once; 2 measured no faster on 2 cores (50k world:
# 66 s at load 3-6 vs 61 s serial at load 2-4, bench/results/entity_store_io*.json)
TIME_NODE = ("($since IS NULL OR n.last_seen >= $since) AND "
             "($until IS NULL OR n.first_seen <= $until)")
TIME_REL = ("($since IS NULL OR coalesce(r.at, r.last_seen) >= $since) AND "
            "($until IS NULL OR coalesce(r.at, r.last_seen) <= $until)")


def _chunked(match: str, item: str) -> str:
    return (f"{match}\nWITH collect({item}) AS a\n"
            f"UNWIND range(0, size(a) - 1, $chunk) AS i\n"
            f"RETURN a[i..i + $chunk] AS chunk")


def export_nodes(label: str) -> str:
    """One label's property maps, in chunks (rows: {chunk: [props, ...]})."""
    lab = ontology.check_label(label).label
    return _chunked(f"MATCH (n:{lab})\nWHERE {TIME_NODE}", "properties(n)")


def export_rels(rel_type: str, start_label: str) -> str:
    """One relationship type from one start label: [start key, end labels, end key, props]
    per edge, in chunks."""
    t = ontology.check_rel_type(rel_type).type
    s = ontology.check_label(start_label).label
    return _chunked(f"MATCH (a:{s})-[r:{t}]->(b)\nWHERE {TIME_REL}",
                    "[a.key, labels(b), b.key, properties(r)]")


def start_labels(rel_type: str) -> list[str]:
    """The start labels the ontology allows for ``rel_type``, in a fixed order."""
    return sorted({s for s, _ in ontology.check_rel_type(rel_type).pairs})


def export(read: Callable[..., list[dict[str, Any]]], labels: list[str], rel_types: list[str],
           since: str | None, until: str | None, workers: int = WORKERS) -> Tables:
    """``read(what, cypher, **params)`` runs one bulk read statement (thread-safe: up to
    ``workers`` run at once)."""
    from concurrent.futures import ThreadPoolExecutor

    jobs = [(f"export {l}", export_nodes(l)) for l in labels] + [
        (f"export {t} from {s}", export_rels(t, s)) for t in rel_types for s in start_labels(t)]
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        done = dict(zip([w for w, _ in jobs], pool.map(
            lambda j: read(j[0], j[1], chunk=CHUNK, since=since, until=until), jobs)))
    node_frames = {label: node_frame(label, [p for row in done[f"export {label}"]
                                             for p in row["chunk"]]) for label in labels}
    rel_frames: dict[str, Any] = {}
    for t in rel_types:
        recs = []
        for s in start_labels(t):
            for row in done[f"export {t} from {s}"]:
                recs += [{"start_key": sk, "end_key": ek, "start_label": s,
                          "end_label": primary_label(el), **props}
                         for sk, el, ek, props in row["chunk"]]
        rel_frames[t] = rel_frame(t, recs)
    return Tables(nodes=node_frames, relationships=rel_frames)


def node_frame(label: str, recs: list[dict[str, Any]]) -> Any:
    """One label's property maps as its export frame (both engines' exports build it here):
    key, the ontology's properties, provenance, then any other property sorted."""
    return _frame(recs, ["key", *ontology.NODE_TYPES[label].props, "sources", "first_seen",
                         "last_seen"], ontology.NODE_TYPES[label].props)


def rel_frame(rel_type: str, recs: list[dict[str, Any]]) -> Any:
    """One relationship type's rows (start/end key and label + properties) as its frame."""
    return _frame(recs, ["start_key", "end_key", "start_label", "end_label",
                         *ontology.REL_TYPES[rel_type].props, "sources", "first_seen",
                         "last_seen"], ontology.REL_TYPES[rel_type].props)


def _frame(recs: list[dict[str, Any]], cols: list[str], props: dict[str, str]) -> Any:
    import pandas as pd

    extra = sorted({k for p in recs for k in p} - set(cols))
    return typed_frame(pd.DataFrame.from_records(recs, columns=cols + extra), props)

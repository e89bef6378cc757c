"""The one load path: rows -> validate -> records -> quarantine bad rows -> upsert in batches.

Every reader (KCS, mapped CSV/JSONL, synthetic world, streaming events) ends here, so the
same validation, quarantine, duplicate handling and idempotency apply to all of them.

Duplicates: a row whose record key was already seen in the same load with identical content
is counted in ``duplicates`` and skipped (nothing is lost: its twin loads). The same key with
different content is quarantined ("conflicting duplicate"), the first occurrence loads.

Idempotency: node/relationship upserts MERGE by key (graph/ontology.py merge rule) and use
the record's own date as ``seen_at`` (never the wall clock), and quarantine entries are
de-duplicated by id, so loading the same input twice leaves graph and quarantine unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import sys
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from typing import Any, Callable, Iterable, Iterator, Mapping

from graph.base import NodeRecord, RelRecord, check_node_records, check_rel_records
from ingest.config import IngestSettings, get_settings
from ingest.quarantine import Fault, QuarantineStore
from ingest.sources import BadRow
from ingest.transform import RowTransformer
from ingest.values import is_blank

log = logging.getLogger("ingest")

PROGRESS_EVERY_S = 30.0  # progress=True: seconds between progress lines


@dataclass
class LoadReport:
    source: str
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    nodes: int = 0
    relationships: int = 0
    faults: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    quarantine_file: str = ""

    def add(self, other: "LoadReport") -> None:
        for k in ("read", "loaded", "quarantined", "duplicates", "nodes", "relationships",
                  "faults"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for r, n in other.reasons.items():
            self.reasons[r] = self.reasons.get(r, 0) + n

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["seconds"] = round(self.seconds, 3)
        return d


@contextmanager
def store_or_default(store, dry_run: bool) -> Iterator[Any]:
    """``store`` as given; ``None`` opens the default graph (``graph.open_store()``) for the
    duration, unless ``dry_run`` (validate and quarantine only, write nothing)."""
    if store is not None or dry_run:
        yield None if dry_run else store
        return
    from graph import open_store

    s = open_store()
    try:
        yield s
    finally:
        s.close()


def fingerprint(row: Mapping[str, Any]) -> str:
    try:
        return hashlib.sha1("\x1f".join(f"{k}\x1e{v}" for k, v in sorted(row.items()))
                            .encode()).hexdigest()
    except TypeError:
        return hashlib.sha1(json.dumps(row, sort_keys=True, ensure_ascii=False,
                                       default=str).encode()).hexdigest()


class _Collapser:
    """Per batch: one record per node key / relationship, keeping the earliest and latest
    ``seen_at`` (two records when they differ, so first_seen/last_seen stay right)."""

    def __init__(self, source: str):
        self.source = source
        self.nodes: dict[tuple[str, str], list] = {}
        self.rels: dict[tuple, list] = {}

    def add(self, nodes: list[NodeRecord], rels: list[RelRecord]) -> None:
        for n in nodes:
            self._put(self.nodes, (n.label, n.key), n.props, n.seen_at)
        for r in rels:
            self._put(self.rels, (r.type, r.start_label, r.start_key, r.end_label, r.end_key),
                      r.props, r.seen_at)

    @staticmethod
    def _put(d: dict, k: tuple, props: Mapping[str, Any], seen: str | None) -> None:
        cur = d.get(k)
        if cur is None:
            d[k] = [dict(props), seen, seen]
            return
        cur[0].update({a: b for a, b in props.items() if b is not None})
        if seen:
            cur[1] = seen if cur[1] is None or seen < cur[1] else cur[1]
            cur[2] = seen if cur[2] is None or seen > cur[2] else cur[2]

    def records(self) -> tuple[list[NodeRecord], list[RelRecord]]:
        nodes, rels = [], []
        for (label, key), (props, lo, hi) in self.nodes.items():
            nodes.append(NodeRecord(label, key, props, self.source, lo))
            if hi != lo:
                nodes.append(NodeRecord(label, key, {}, self.source, hi))
        for (t, sl, sk, el, ek), (props, lo, hi) in self.rels.items():
            rels.append(RelRecord(t, sl, sk, el, ek, props, self.source, lo))
            if hi != lo:
                rels.append(RelRecord(t, sl, sk, el, ek, {}, self.source, hi))
        return nodes, rels


def run_load(rows: Iterable[tuple[int, dict[str, Any] | BadRow]], *, source: str,
             transformer: RowTransformer, store=None, settings: IngestSettings | None = None,
             batch_rows: int | None = None, progress: bool = False,
             seen: dict[str, tuple[str, int]] | None = None,
             on_batch: Callable[[Any, list, list], Any] | None = None) -> LoadReport:
    """Load rows; ``store=None`` validates only (dry run). Returns the report.

    ``on_batch(store, nodes, rels)`` runs after each batch is written (the API passes the
    warning rules' ingest hook, so streamed records are evaluated as they land).

    ``seen`` (record key -> (fingerprint, line)) can be shared across calls to detect
    duplicates across files of one load."""
    settings = settings or get_settings()
    batch_rows = batch_rows or settings.batch_rows
    qstore = QuarantineStore(settings.quarantine_dir)
    rep = LoadReport(source=source, quarantine_file=str(qstore.path_for(source)))
    t0 = time.perf_counter()
    seen = {} if seen is None else seen
    faults: list[Fault] = []
    coll = _Collapser(source)
    in_batch = 0

    sensitive = set(transformer.m.sensitive)

    def quarantine(line: int, errs: list[tuple[str, Any, str]], record: Any) -> None:
        rep.quarantined += 1
        if sensitive and isinstance(record, dict):
            record = {k: ("***" if k in sensitive and not is_blank(v) else v)
                      for k, v in record.items()}
        for f, v, r in errs:
            if f in sensitive:
                v = "***"
            faults.append(Fault(source, line, f, v, r, record if isinstance(record, dict) else None))
            kind = re.sub(r"'[^']*'|\d+(\.\d+)?", "N", r.split(":")[0].split(" (")[0])
            rep.reasons[kind] = rep.reasons.get(kind, 0) + 1
            rep.faults += 1

    def flush() -> None:
        nonlocal coll, in_batch
        nodes, rels = coll.records()
        if store is None:  # a store validates in upsert(); a dry run validates here
            check_node_records(nodes)
            check_rel_records(rels)
        if store is not None and (nodes or rels):
            res = store.upsert(nodes, rels)
            rep.nodes += getattr(res, "nodes", len(nodes))
            rep.relationships += getattr(res, "relationships", len(rels))
            if on_batch is not None:
                on_batch(store, nodes, rels)
        else:
            rep.nodes += len(nodes)
            rep.relationships += len(rels)
        coll = _Collapser(source)
        in_batch = 0
        if progress:
            report_progress()

    last_report = [t0]

    def report_progress(final: bool = False) -> None:
        """At most one line per ``PROGRESS_EVERY_S`` (and one at the end): a long load
        shows it is alive without a line per batch."""
        now = time.perf_counter()
        if not final and now - last_report[0] < PROGRESS_EVERY_S:
            return
        last_report[0] = now
        el = max(now - t0, 1e-9)
        print(f"[ingest] {time.strftime('%H:%M:%S')} {source}: {rep.read} read "
              f"({rep.read / el:.0f} rows/s, {el:.0f}s), {rep.loaded} loaded, "
              f"{rep.quarantined} quarantined, {rep.duplicates} duplicates, "
              f"{rep.nodes + rep.relationships} records{' (done)' if final else ''}",
              file=sys.stderr, flush=True)

    for line, row in rows:
        rep.read += 1
        if isinstance(row, BadRow):
            quarantine(line, [(row.field, row.value, row.reason)], None)
            continue
        rk = transformer.record_key(row, line)
        fp = fingerprint(row)
        prev = seen.get(rk)
        if prev is not None:
            if prev[0] == fp:
                rep.duplicates += 1
            else:
                quarantine(line, [("_key", rk, f"conflicting duplicate: key already loaded "
                                                f"from line {prev[1]} with different content")],
                           row)
            continue
        out = transformer(row)
        if isinstance(out, list):
            quarantine(line, [(e.field, e.value, e.reason) for e in out], row)
            continue
        seen[rk] = (fp, line)
        nodes, rels, _ = out
        coll.add(nodes, rels)
        rep.loaded += 1
        in_batch += 1
        if in_batch >= batch_rows:
            flush()
    flush()
    if faults:
        qstore.add(faults)
    rep.seconds = time.perf_counter() - t0
    if progress:
        report_progress(final=True)
    return rep

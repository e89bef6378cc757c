"""Incremental and streaming loads, through the same validation and quarantine.

* ``load_events(lines, source)``: a JSONL body (one event per line). Each event names its
  kind in ``"type"`` (``declaration``, ``bill``, ``manifest``, ``inspection``, ``case``,
  ``enterprise``, ``customs_party``, ``person``, ``seller``, ``shareholder``, or any mapping
  name under ``ingest/mappings/``); the other keys are that mapping's columns. Events are
  grouped by type and loaded in registry-first order. Line numbers in quarantine entries are
  the lines of the body. Idempotent: the same body twice changes nothing.
* ``watch(dir, store)``: polls a folder; each new or changed ``.csv``/``.jsonl`` file is loaded
  (by the mapping its name says: ``declarations*.csv`` -> syn_declarations, ``kcs*``/
  ``df_syn*`` -> KCS, ``events*.jsonl`` -> load_events ...). A ledger under
  PS_DATA_DIR/ingest/ records (size, mtime, sha1) of what was loaded, so an unchanged file is
  never re-read; a changed file is re-loaded whole (idempotent upserts).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, Iterable

from ingest.config import IngestSettings, get_settings
from ingest.exceptions import IngestError
from ingest.mapping import builtin_mapping
from ingest.pipeline import LoadReport, run_load, store_or_default
from ingest.transform import RowTransformer
from ingest.sources import BadRow, iter_json_lines

log = logging.getLogger("ingest.stream")

EVENT_TYPES = {
    "enterprise": "syn_enterprises", "customs_party": "syn_customs_parties",
    "person": "syn_persons", "shareholder": "syn_shareholders", "seller": "syn_sellers",
    "manifest": "syn_manifests", "declaration": "syn_declarations", "bill": "syn_bills",
    "inspection": "syn_inspections", "case": "syn_cases",
}
_ORDER = list(EVENT_TYPES.values())


def _mapping_name(t: Any) -> str | None:
    if not isinstance(t, str):
        return None
    if t in EVENT_TYPES:
        return EVENT_TYPES[t]
    p = Path(__file__).parent / "mappings" / f"{t}.yaml"
    return t if t.replace("_", "").isalnum() and p.exists() else None


def load_events(lines: Iterable[str], source: str, store=None, *,
                settings: IngestSettings | None = None, dry_run: bool = False,
                on_batch=None) -> dict[str, Any]:
    """Load a JSONL stream of events into ``store`` (default: ``graph.open_store()``;
    ``dry_run``: validate and quarantine only). Returns the load report: read, loaded,
    quarantined, duplicates, seconds, reasons, and ``by_type`` (one report per event type).
    ``on_batch(store, nodes, rels)`` runs after each written batch (see ``run_load``)."""
    settings = settings or get_settings()
    with store_or_default(store, dry_run) as st:
        return _load_events(lines, source, st, settings, on_batch)


def _load_events(lines: Iterable[str], source: str, store, settings: IngestSettings,
                 on_batch=None) -> dict[str, Any]:
    groups: dict[str, list] = {}
    bad: list = []
    for line, row in iter_json_lines(lines):
        if isinstance(row, BadRow):
            bad.append((line, row))
            continue
        m = _mapping_name(row.get("type"))
        if m is None:
            bad.append((line, BadRow("type", row.get("type"),
                                     f"unknown event type (known: {sorted(EVENT_TYPES)})")))
            continue
        groups.setdefault(m, []).append((line, {k: v for k, v in row.items() if k != "type"}))
    tot = LoadReport(source=f"events:{source}")
    per = {}
    t0 = time.perf_counter()
    if bad:
        # malformed lines: quarantined under the stream's own source
        dummy = RowTransformer(builtin_mapping("syn_inspections"))
        rep = run_load(bad, source=f"events:{source}", transformer=dummy, store=None,
                       settings=settings)
        tot.add(rep)
        per["_malformed"] = rep.to_json()
    for mname in sorted(groups, key=lambda m: _ORDER.index(m) if m in _ORDER else 99):
        m = builtin_mapping(mname)
        rows = groups[mname]
        secret = settings.hmac_secret() if any(
            s.transform in ("hmac", "phone_hmac") for n in m.nodes
            for s in [n.key, *n.props.values()]) else None
        rep = run_load(rows, source=f"events:{source}:{mname}",
                       transformer=RowTransformer(m, secret=secret), store=store,
                       settings=settings, on_batch=on_batch)
        tot.add(rep)
        per[mname] = rep.to_json()
    tot.seconds = time.perf_counter() - t0
    return {**tot.to_json(), "by_type": per}


# -- watch a folder --------------------------------------------------------------------------
FILE_RULES = [  # (name prefix, kind) checked in order
    ("df_syn", "kcs"), ("kcs", "kcs"), ("events", "events"),
    ("enterprises", "syn_enterprises"), ("customs_parties", "syn_customs_parties"),
    ("persons", "syn_persons"), ("shareholders", "syn_shareholders"),
    ("sellers", "syn_sellers"), ("manifests", "syn_manifests"),
    ("declarations", "syn_declarations"), ("bills", "syn_bills"),
    ("inspections", "syn_inspections"), ("cases", "syn_cases"),
]


def _kind_for(path: Path, default: str | None) -> str | None:
    name = path.name.lower()
    for prefix, kind in FILE_RULES:
        if name.startswith(prefix):
            return kind
    return default


def _fingerprint(path: Path) -> dict[str, Any]:
    st = path.stat()
    h = hashlib.sha1()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return {"size": st.st_size, "mtime": st.st_mtime, "sha1": h.hexdigest()}


def load_path(path: Path, kind: str, store, settings: IngestSettings,
              dry_run: bool = False) -> dict[str, Any]:
    if kind == "kcs":
        from ingest.readers.kcs import load_kcs
        return load_kcs(path, store, settings=settings, dry_run=dry_run).to_json()
    if kind == "events":
        with path.open(encoding="utf-8", errors="replace") as f:
            return load_events(f, path.name, store, settings=settings, dry_run=dry_run)
    from ingest.readers.mapped import load_file
    return load_file(path, kind, store, settings=settings, dry_run=dry_run).to_json()


def poll_once(directory: str | Path, store=None, *, mapping: str | None = None,
              settings: IngestSettings | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Load every new or changed file in ``directory`` once; returns what was done."""
    settings = settings or get_settings()
    d = Path(directory)
    ledger_path = settings.state_dir / f"watch-{hashlib.sha1(str(d.resolve()).encode()).hexdigest()[:12]}.json"
    ledger = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
    out = {"files": 0, "loaded": 0, "quarantined": 0, "duplicates": 0, "errors": [],
           "reports": {}}
    for path in sorted(p for p in d.iterdir() if p.suffix.lower() in (".csv", ".jsonl")):
        kind = _kind_for(path, mapping)
        if kind is None:
            continue
        fp = _fingerprint(path)
        prev = ledger.get(path.name)
        if prev and prev.get("sha1") == fp["sha1"]:
            continue
        try:
            rep = load_path(path, kind, store, settings, dry_run)
        except IngestError as e:  # file-level error: nothing loaded, try again when it changes
            out["errors"].append(str(e))
            ledger[path.name] = {**fp, "error": str(e)}
            continue
        ledger[path.name] = {**fp, "loaded": rep["loaded"], "quarantined": rep["quarantined"]}
        out["files"] += 1
        for k in ("loaded", "quarantined", "duplicates"):
            out[k] += rep[k]
        out["reports"][path.name] = {k: rep[k] for k in ("read", "loaded", "quarantined",
                                                         "duplicates", "seconds")}
        print(f"[watch] {path.name}: loaded {rep['loaded']}, quarantined {rep['quarantined']}",
              file=sys.stderr, flush=True)
    ledger_path.parent.mkdir(parents=True, exist_ok=True)
    ledger_path.write_text(json.dumps(ledger, indent=1))
    return out


def watch(directory: str | Path, store=None, *, mapping: str | None = None, once: bool = False,
          interval: float | None = None, max_polls: int | None = None,
          settings: IngestSettings | None = None, dry_run: bool = False) -> dict[str, Any]:
    """Poll ``directory`` until interrupted (or once / max_polls times)."""
    settings = settings or get_settings()
    interval = settings.watch_interval_s if interval is None else interval
    d = Path(directory)
    if not d.is_dir():
        raise IngestError(f"{d}: not a folder to watch")
    tot = {"files": 0, "loaded": 0, "quarantined": 0, "duplicates": 0, "errors": [], "polls": 0}
    try:
        while True:
            r = poll_once(d, store, mapping=mapping, settings=settings, dry_run=dry_run)
            tot["polls"] += 1
            for k in ("files", "loaded", "quarantined", "duplicates"):
                tot[k] += r[k]
            tot["errors"].extend(r["errors"])
            if once or (max_polls is not None and tot["polls"] >= max_polls):
                break
            time.sleep(interval)
    except KeyboardInterrupt:
        pass
    return tot

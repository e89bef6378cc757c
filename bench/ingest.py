"""Ingest benchmark: a simulated world through the full ingest path into each engine.

For each engine (embedded ArcadeDB in-process; a real Neo4j 5.26 from docker/neo4j-test),
in a fresh child process so peak memory is its own:
  1. baseline: the first --baseline-rows declarations loaded with ONE ROW PER TRANSACTION
     (batch_rows=1: one upsert call per source row), then the same rows batched, same store;
  2. the whole world (all files, registry first) batched (PS_INGEST_BATCH_ROWS rows per
     transaction, UNWIND batches inside), timed end to end: read, validate, normalise,
     upsert.
Reports source rows/s, graph records/s (node + relationship records written), peak RSS of
the loader process (the embedded engine runs inside it) and of the Neo4j server.
``--encoders rust,python`` runs each engine's child once per Bolt PackStream encoder: the
``neo4j-rust-ext`` one (the default) and the driver's pure-Python one (the child blocks the
``neo4j._rust`` import before the driver loads), same world, same run.

    .venv/bin/python bench/ingest.py --declarations 20000
    .venv/bin/python bench/ingest.py --declarations 1000000 --engines arcadedb --heap 6g \
        --progress --out bench/results/ingest_1m_arcadedb.json
    .venv/bin/python bench/ingest.py --merge 1m bench/results/ingest_1m_*.json
    .venv/bin/python bench/ingest.py --declarations 20000 --encoders rust,python \
        --out bench/results/ingest_20k_encoders.json

Results: bench/results/ingest.json (or --out); ``--merge SECTION FILE...`` files separate
runs into it as one section, next to the others.
"""

from __future__ import annotations

import sys


import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _excerpt(src: Path, dst: Path, n: int) -> Path:
    with src.open(encoding="utf-8") as f, dst.open("w", encoding="utf-8") as out:
        for i, line in enumerate(f):
            if i > n:
                break
            out.write(line)
    return dst


def _rate(rep: dict) -> dict:
    s = max(rep["seconds"], 1e-9)
    recs = rep["nodes"] + rep["relationships"]
    return {"rows": rep["read"], "records": recs, "seconds": round(s, 2),
            "rows_per_s": round(rep["read"] / s, 1), "records_per_s": round(recs / s, 1),
            "quarantined": rep["quarantined"]}


def use_encoder(name: str) -> None:
    """Before the driver is imported: ``python`` hides ``neo4j._rust`` so that the driver
    packs with its pure-Python PackStream; ``rust`` leaves the extension in use."""
    if name == "python":
        sys.modules["neo4j._rust"] = None  # type: ignore[assignment]  (import -> ImportError)
    elif name != "rust":
        raise SystemExit(f"unknown encoder {name!r} (rust, python)")


def encoder_in_use() -> str:
    from neo4j._codec.packstream import v1

    return "rust" if v1._rust_pack is not None else "python"


def child(engine: str, world: Path, work: Path, args) -> dict:
    from graph import GraphSettings, open_store
    from graph.neo4j import Neo4jGraphStore
    from graph.testing import neo4j_server
    from ingest.config import IngestSettings
    from ingest.readers.mapped import load_file
    from ingest.synthetic.load import load_world

    settings = IngestSettings(data_dir=work / "var", environment="test",
                              hmac_key="bench-ingest-hmac-key-000", batch_rows=args.batch_rows)
    single = IngestSettings(data_dir=work / "var1", environment="test",
                            hmac_key="bench-ingest-hmac-key-000", batch_rows=1)
    ctx = (neo4j_server(work / "neo4j", heap=args.heap, pagecache_mb=args.pagecache_mb)
           if engine == "neo4j" else contextlib.nullcontext())
    with ctx as uri:
        if engine == "neo4j":
            store = Neo4jGraphStore(uri, "neo4j", "x", batch_size=2000).connect()
            store.ensure_schema()
        else:
            store = open_store(GraphSettings(data_dir=work / "gvar", uri=None, heap=args.heap,
                                             batch_size=2000))
        try:
            agent = store.server_info()["agent"]
            ex = _excerpt(world / "declarations.csv", work / "declarations_excerpt.csv",
                          args.baseline_rows)
            store.clear()
            r1 = load_file(ex, "syn_declarations", store, settings=single).to_json()
            store.clear()
            rb = load_file(ex, "syn_declarations", store, settings=settings).to_json()
            store.clear()
            print(f"[{engine}] baseline {args.baseline_rows} rows: single-row "
                  f"{r1['seconds']:.1f}s, batched {rb['seconds']:.1f}s", file=sys.stderr,
                  flush=True)
            t0 = time.perf_counter()
            full = load_world(world, store, settings=settings, progress=args.progress)
            wall = time.perf_counter() - t0
            counts = store.counts()
        finally:
            store.close()
    base_single, base_batched = _rate(r1), _rate(rb)
    return {
        "engine": engine, "agent": agent, "encoder": encoder_in_use(),
        "world_load": {**_rate(full), "wall_seconds": round(wall, 1),
                       "loaded": full["loaded"], "duplicates": full["duplicates"],
                       "per_file_rows_per_s": {f: _rate(r)["rows_per_s"]
                                               for f, r in full["files"].items()}},
        "baseline": {"rows": args.baseline_rows, "single_row_per_transaction": base_single,
                     "batched": base_batched,
                     "ratio_batched_vs_single": round(base_batched["rows_per_s"]
                                                      / max(base_single["rows_per_s"], 1e-9), 1)},
        "graph_counts": {"nodes": sum(counts["nodes"].values()),
                         "relationships": sum(counts["relationships"].values())},
        "peak_rss_mb": {
            "loader_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "neo4j_server": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
            if engine == "neo4j" else None},
    }



def merge(section: str, files: list[str], out: Path) -> dict:
    """Put the runs of ``files`` (outputs of this script) into ``out`` as ``sections[section]``,
    keeping the other sections; a single-run ``out`` becomes the section ``"10k"``."""
    doc = json.loads(out.read_text()) if out.exists() else {}
    if doc and "sections" not in doc:
        doc = {"sections": {f"{doc['declarations'] // 1000}k": doc}}
    doc.setdefault("sections", {})
    runs = [json.loads(Path(f).read_text()) for f in files]
    doc["bench"] = "ingest"
    doc["note"] = runs[-1]["note"] if runs else doc.get("note")
    doc["sections"][section] = {
        "runs": [{k: r[k] for k in ("command", "when", "machine", "declarations", "seed",
                                    "settings", "generate", "encoders") if k in r} for r in runs],
        "results": [{"declarations": r["declarations"], "command": r["command"], **res}
                    for r in runs for res in r["results"]]}
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return doc


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--declarations", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default="arcadedb,neo4j")
    ap.add_argument("--baseline-rows", type=int, default=300)
    ap.add_argument("--batch-rows", type=int, default=2000,
                    help="source rows per upsert transaction")
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache-mb", type=int, default=None,
                    help="Neo4j page cache (default: the launcher's 64 MiB)")
    ap.add_argument("--progress", action="store_true",
                    help="a progress line (rows, rows/s) per file every 30 s")
    ap.add_argument("--encoders", default="rust",
                    help="Bolt PackStream encoders to run each engine with: rust, python or "
                         "rust,python (one child per engine and encoder)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "ingest.json"))
    ap.add_argument("--merge", nargs="+", metavar=("SECTION", "FILE"),
                    help="no run: put these result files into --out as one named section")
    ap.add_argument("--_child", nargs=4, metavar=("ENGINE", "WORLD", "WORK", "ENCODER"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.merge:
        if len(args.merge) < 2:
            ap.error("--merge SECTION FILE [FILE ...]")
        doc = merge(args.merge[0], args.merge[1:], Path(args.out))
        print(f"wrote {args.out}: sections {sorted(doc['sections'])}")
        return 0
    if args._child:
        engine, world, work, encoder = args._child
        use_encoder(encoder)
        print(json.dumps(child(engine, Path(world), Path(work), args)))
        return 0

    from ingest.synthetic.world import generate_world

    results = []
    with tempfile.TemporaryDirectory(prefix="ps-bench-ingest-") as tmp:
        t0 = time.perf_counter()
        world = Path(tmp) / "world"
        summary = generate_world(args.declarations, args.seed, world,
                                 hmac_secret=b"bench-ingest-hmac-key-000")
        gen = {"seconds": round(time.perf_counter() - t0, 1),
               "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
               "counts": summary["counts"]}
        print(f"[bench] world of {args.declarations} declarations in {gen['seconds']}s",
              file=sys.stderr, flush=True)
        encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
        for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
            for encoder in encoders:
                work = Path(tmp) / f"{engine}-{encoder}"
                work.mkdir()
                cmd = [sys.executable, __file__, "--_child", engine, str(world), str(work),
                       encoder, "--baseline-rows", str(args.baseline_rows), "--batch-rows",
                       str(args.batch_rows), "--heap", args.heap]
                cmd += ["--pagecache-mb", str(args.pagecache_mb)] if args.pagecache_mb else []
                cmd += ["--progress"] if args.progress else []
                p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
                if p.returncode != 0:
                    results.append({"engine": engine, "encoder": encoder,
                                    "error": f"exit {p.returncode}"})
                    continue
                results.append(json.loads(p.stdout.strip().splitlines()[-1]))
    out = {"bench": "ingest", "command": "python bench/ingest.py "
           + " ".join(argv if argv is not None else sys.argv[1:]),
           "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
           "declarations": args.declarations, "seed": args.seed,
           "settings": {"batch_rows": args.batch_rows, "heap": args.heap,
                        "neo4j_pagecache_mb": args.pagecache_mb or 64},
           "generate": gen, "encoders": encoders,
           "results": results,
           "note": "rows = source rows of all world files; records = node + relationship records "
                   "written (after per-batch de-duplication); ratio = batched rows/s over "
                   "one-row-per-transaction rows/s on the same declarations, same store"}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    for r in results:
        if "error" in r:
            print(f"{r['engine']} ({r['encoder']}): {r['error']}")
            continue
        w = r["world_load"]
        print(f"{r['engine']:>9} {r['encoder']:>6}: {w['rows']} rows in {w['seconds']}s = {w['rows_per_s']} rows/s, "
              f"{w['records_per_s']} records/s; batched/single x"
              f"{r['baseline']['ratio_batched_vs_single']}; peak RSS {r['peak_rss_mb']}")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

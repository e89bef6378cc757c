"""Graph ingest benchmark: batched UNWIND upserts vs naive one-statement-per-row writes.

Writes 100k nodes + 200k relationships through ``GraphStore.upsert`` (UNWIND batches of
``--batch-size``, one transaction per ``--chunk`` records) into each engine, then times the
naive path (one auto-commit MERGE per row, values still parameters) on ``--naive`` rows of
each kind, in the same run on the same store, and reports rows/s and the ratio.

    .venv/bin/python bench/graph_ingest.py                 # both engines, full size
    .venv/bin/python bench/graph_ingest.py --engines neo4j --nodes 10000 --rels 20000

Engines: ``arcadedb`` = the embedded engine (tmp data dir); ``neo4j`` = a real Neo4j 5.26
from docker/neo4j-test (``make neo4j-jars``), started and stopped here. Each (engine, encoder)
runs in its own child process; ``--encoders rust,python`` runs every engine once with the
``neo4j-rust-ext`` PackStream encoder and once with the driver's pure-Python one (the child
blocks the ``neo4j._rust`` import before the driver loads), same world, same run.

    .venv/bin/python bench/graph_ingest.py --encoders rust,python \
        --out bench/results/graph_ingest_encoders.json
    .venv/bin/python bench/graph_ingest.py --encoders rust,python --pack-only \
        --out bench/results/graph_ingest_pack_only.json     # the encoder alone, no engine

Results: bench/results/graph_ingest.json (or --out).
"""

from __future__ import annotations

import sys


import argparse  # noqa: E402
import contextlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from graph import NodeRecord, RelRecord  # noqa: E402
from graph import queries  # noqa: E402


def make_world(n_nodes: int, n_rels: int) -> tuple[list[NodeRecord], list[RelRecord]]:
    """A port-shaped graph: 20% enterprises, 50% declarations, 10% goods/addresses/phones;
    relationships are unique (start, type, end) triples so every one is a new edge."""
    ne, nd, ng = n_nodes // 5, n_nodes // 2, n_nodes // 10
    na = nph = n_nodes // 10
    nodes = ([NodeRecord("Enterprise", f"E{i}", {"name": f"Enterprise {i}", "country": "CN",
                                                "aeo": i % 7 == 0}, source="bench")
              for i in range(ne)]
             + [NodeRecord("Declaration", f"D{i}", {"value": float(i % 997), "date": "2024-01-01",
                                                    "hs_code": "8471300000"}, source="bench")
                for i in range(nd)]
             + [NodeRecord("Goods", f"G{i}", {"hs6": f"{i:06d}"}, source="bench")
                for i in range(ng)]
             + [NodeRecord("Address", f"A{i}", {"text": f"{i} Harbour Rd"}, source="bench")
                for i in range(na)]
             + [NodeRecord("Phone", f"P{i}", {}, source="bench") for i in range(nph)])
    at = {"at": "2024-01-01T00:00:00"}
    gens = [
        lambda i: RelRecord("DECLARED", "Enterprise", f"E{i % ne}", "Declaration", f"D{i}", at,
                            source="bench"),
        lambda i: RelRecord("AGENT_FOR", "Enterprise", f"E{(i * 7 + 3) % ne}", "Declaration",
                            f"D{i}", at, source="bench"),
        lambda i: RelRecord("HAS_ITEM", "Declaration", f"D{i}", "Goods", f"G{i % ng}",
                            {"item_no": 1}, source="bench"),
        lambda i: RelRecord("LOCATED_AT", "Enterprise", f"E{i % ne}", "Address",
                            f"A{(i * 3 + i // ne) % na}", source="bench"),
        lambda i: RelRecord("HAS_PHONE", "Enterprise", f"E{i % ne}", "Phone",
                            f"P{(i * 5 + i // ne) % nph}", source="bench"),
    ]
    limits = [nd, nd, nd, ne, ne]  # DECLARED/AGENT_FOR/HAS_ITEM per declaration, 1 per E
    rels: list[RelRecord] = []
    for gen, lim in zip(gens, limits):
        take = min(lim, n_rels - len(rels))
        rels += [gen(i) for i in range(take)]
    i = 0
    while len(rels) < n_rels:  # top up with SUPPLIED (a third enterprise per declaration)
        rels.append(RelRecord("SUPPLIED", "Enterprise", f"E{(i * 11 + 5) % ne}", "Declaration",
                              f"D{i % nd}", at, source="bench"))
        i += 1
    return nodes, rels


def batched(store, nodes, rels, chunk: int) -> dict:
    t0 = time.perf_counter()
    for i in range(0, len(nodes), chunk):
        store.upsert(nodes[i:i + chunk])
    t1 = time.perf_counter()
    for i in range(0, len(rels), chunk):
        store.upsert(relationships=rels[i:i + chunk])
    t2 = time.perf_counter()
    return {"nodes": len(nodes), "relationships": len(rels),
            "nodes_s": round(t1 - t0, 2), "rels_s": round(t2 - t1, 2),
            "nodes_per_s": round(len(nodes) / (t1 - t0)),
            "rels_per_s": round(len(rels) / (t2 - t1))}


def pack_only(nodes, rels, args) -> dict:
    """The encoder alone: the Bolt parameters of every upsert statement of the batched load
    (the same write plan, Neo4j dialect) packed by the driver's PackStream ``Packer``, no
    engine, no network. Best of ``--pack-repeats`` passes."""
    from neo4j._codec.packstream import v1

    from graph.dialect import NEO4J
    from graph.statements import write_statements

    class Sink:
        n = 0

        def write(self, b):
            self.n += len(b)

    plans = []
    for i in range(0, len(nodes), args.chunk):
        plans += write_statements(nodes[i:i + args.chunk], [], dialect=NEO4J,
                                  batch_size=args.batch_size)
    for i in range(0, len(rels), args.chunk):
        plans += write_statements([], rels[i:i + args.chunk], dialect=NEO4J,
                                  batch_size=args.batch_size)
    best, size = float("inf"), 0
    for _ in range(args.pack_repeats):
        sink = Sink()
        packer = v1.Packer(sink)
        t0 = time.perf_counter()
        for cypher, rows in plans:
            packer.pack({"rows": rows})
        best, size = min(best, time.perf_counter() - t0), sink.n
    return {"encoder": "rust" if v1._rust_pack is not None else "python",
            "statements": len(plans), "records": len(nodes) + len(rels), "bytes": size,
            "seconds": round(best, 3), "records_per_s": round((len(nodes) + len(rels)) / best)}


def naive(store, n: int, ne: int, nd: int) -> dict:
    """One auto-commit statement per row: new Enterprise nodes, then new SUPPLIED edges
    between existing nodes (MATCH both ends by key, MERGE the edge)."""
    qn = queries.merge_node_single("Enterprise")
    qr = queries.merge_rel_single("SUPPLIED", "Enterprise", "Declaration")
    drv = store.driver
    t0 = time.perf_counter()
    for i in range(n):
        drv.execute_query(qn, {"key": f"NAIVE{i}", "seen": "2024-01-01T00:00:00",
                               "source": "naive", "props": {"name": f"naive {i}"}},
                          database_=store.database)
    t1 = time.perf_counter()
    for i in range(n):
        drv.execute_query(qr, {"start": f"E{(i * 13 + 1) % ne}", "end": f"D{(nd - 1 - i) % nd}",
                               "seen": "2024-01-01T00:00:00", "source": "naive",
                               "props": {"at": "2024-01-01T00:00:00"}},
                          database_=store.database)
    t2 = time.perf_counter()
    return {"rows": n, "nodes_s": round(t1 - t0, 2), "rels_s": round(t2 - t1, 2),
            "nodes_per_s": round(n / (t1 - t0)), "rels_per_s": round(n / (t2 - t1))}


def run_engine(engine: str, args, work: Path) -> dict:
    from graph import GraphSettings, open_store
    from graph.neo4j import Neo4jGraphStore
    from graph.testing import neo4j_server

    nodes, rels = make_world(args.nodes, args.rels)
    ne, nd = args.nodes // 5, args.nodes // 2
    with (neo4j_server(work / "neo4j", heap=args.heap) if engine == "neo4j"
          else contextlib.nullcontext()) as uri:
        if engine == "neo4j":
            store = Neo4jGraphStore(uri, "neo4j", "x", batch_size=args.batch_size).connect()
            store.ensure_schema()
        else:
            store = open_store(GraphSettings(data_dir=work / "var", uri=None, heap=args.heap,
                                             batch_size=args.batch_size))
        try:
            print(f"[{engine}] {store.server_info()['agent']}: batched "
                  f"{len(nodes)} nodes + {len(rels)} rels ...", file=sys.stderr)
            b = batched(store, nodes, rels, args.chunk)
            print(f"[{engine}] batched {b}", file=sys.stderr)
            n = naive(store, args.naive, ne, nd)
            print(f"[{engine}] naive {n}", file=sys.stderr)
            counts = store.counts()
            agent = store.server_info()["agent"]
        finally:
            store.close()
    from neo4j._codec.packstream import v1

    return {"engine": engine, "agent": agent,
            "encoder": "rust" if v1._rust_pack is not None else "python",
            "batched": b, "naive": n,
            "speedup": {"nodes": round(b["nodes_per_s"] / n["nodes_per_s"], 1),
                        "relationships": round(b["rels_per_s"] / n["rels_per_s"], 1)},
            "counts_after": {"nodes": sum(counts["nodes"].values()),
                             "relationships": sum(counts["relationships"].values())}}



def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engines", default="neo4j,arcadedb")
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--rels", type=int, default=200_000)
    ap.add_argument("--naive", type=int, default=2_000, help="rows of each kind, naive path")
    ap.add_argument("--batch-size", type=int, default=2_000, help="rows per UNWIND statement")
    ap.add_argument("--chunk", type=int, default=20_000, help="records per upsert transaction")
    ap.add_argument("--heap", default="1g")
    ap.add_argument("--encoders", default="rust",
                    help="Bolt PackStream encoders: rust, python or rust,python")
    ap.add_argument("--pack-only", action="store_true",
                    help="no engine: time only the PackStream encoding of the load's parameters")
    ap.add_argument("--pack-repeats", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "graph_ingest.json"))
    ap.add_argument("--_child", nargs=3, metavar=("ENGINE", "ENCODER", "WORK"),
                    help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args._child:
        engine, encoder, work = args._child
        if encoder == "python":  # before the driver loads: no neo4j._rust -> pure Python
            sys.modules["neo4j._rust"] = None  # type: ignore[assignment]
        if args.pack_only:
            print(json.dumps(pack_only(*make_world(args.nodes, args.rels), args)))
        else:
            print(json.dumps(run_engine(engine, args, Path(work))))
        return 0
    results = []
    encoders = [e.strip() for e in args.encoders.split(",") if e.strip()]
    with tempfile.TemporaryDirectory(prefix="ps-bench-") as tmp:
        engines = ["none"] if args.pack_only else \
            [e.strip() for e in args.engines.split(",") if e.strip()]
        for engine in engines:
            for encoder in encoders:
                work = Path(tmp) / f"{engine}-{encoder}"
                cmd = [sys.executable, __file__, "--_child", engine, encoder, str(work)]
                for k in ("nodes", "rels", "naive", "batch_size", "chunk", "heap",
                          "pack_repeats"):
                    cmd += [f"--{k.replace('_', '-')}", str(getattr(args, k))]
                cmd += ["--pack-only"] if args.pack_only else []
                p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
                if p.returncode != 0:
                    results.append({"engine": engine, "encoder": encoder,
                                    "error": f"exit {p.returncode}"})
                    continue
                results.append(json.loads(p.stdout.strip().splitlines()[-1]))
    out = {"bench": "graph_ingest", "command": "python bench/graph_ingest.py "
           + " ".join(argv if argv is not None else sys.argv[1:]),
           "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": {"cpus": __import__("os").cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
           "params": {k: getattr(args, k) for k in ("nodes", "rels", "naive", "batch_size",
                                                    "chunk", "heap", "encoders",
                                                    "pack_only")},
           "results": results,
           "note": "batched = GraphStore.upsert (UNWIND batches, one transaction per chunk); "
                   "naive = one auto-commit MERGE per row on the same store after the batched "
                   "load; speedup = batched rows/s / naive rows/s"}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    for r in results:
        if "error" in r:
            print(f"{r['engine']} ({r['encoder']}): {r['error']}")
            continue
        if args.pack_only:
            print(f"{r['encoder']:>6}: packed {r['records']} records ({r['bytes']} bytes, "
                  f"{r['statements']} statements) in {r['seconds']}s = {r['records_per_s']}/s")
            continue
        print(f"{r['engine']:>9} {r['encoder']:>6}: batched {r['batched']['nodes_per_s']:>7} nodes/s "
              f"{r['batched']['rels_per_s']:>7} rels/s | naive {r['naive']['nodes_per_s']:>5} "
              f"nodes/s {r['naive']['rels_per_s']:>5} rels/s | x{r['speedup']['nodes']} nodes, "
              f"x{r['speedup']['relationships']} rels")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Graph query benchmark: search, expansion and shortest path on a simulated world, per engine.

Two phases, so the (slow) load is done once per engine and the query runs can be repeated:

  1. ``--load``: generate a world of ``--declarations`` (seed ``--seed``) under ``--work`` and
     load it through the ingest path into each engine (embedded ArcadeDB under
     ``WORK/<engine>/gvar``; a real Neo4j 5.26 under ``WORK/neo4j/neo4j``), kept on disk.
  2. the query run (default): per engine, open the loaded store and time, with the store's
     public API (what ``api/routes/graph.py`` calls):
       * ``search_key``    - ``search(<exact key>)`` of sampled nodes of every kind;
       * ``search_prefix`` - ``search(<first 7 characters of a key>)`` (the reported 1.5 s case);
       * ``search_name``   - ``search(<a word of an enterprise / person name>)``;
       * ``expand_<h>hop_<Label>`` - ``neighbourhood(label, key, hops=h)`` for h = 1..3 from
         sampled nodes of each kind, Port and Country included (the supernodes);
       * ``shortest_path`` - ``shortest_paths(a, b, max_hops=6)`` between sampled enterprises,
         persons and vehicles;
     reporting p50 / p95 / max (ms), the result sizes, and the load average during the run.
     ``--plot`` draws p50/p95 per query kind x engine.

    nice -n 5 .venv/bin/python bench/graph_queries.py --load --declarations 50000
    nice -n 5 .venv/bin/python bench/graph_queries.py --declarations 50000 --plot

Results: bench/results/graph_queries.json (+ graph_queries.png).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HMAC = b"bench-graph-queries-hmac-0000"
EXPAND_LABELS = ["Enterprise", "Person", "Declaration", "Vehicle", "Vessel", "Container",
                 "Address", "Phone", "Goods", "Port", "Country"]


def _work(args) -> Path:
    return Path(args.work) / f"seed-{args.seed}-n-{args.declarations}"


@contextlib.contextmanager
def open_engine(engine: str, work: Path, heap: str, pagecache_mb: int | None):
    from graph import GraphSettings, open_store
    from graph.neo4j import Neo4jGraphStore
    from graph.testing import neo4j_server

    if engine == "neo4j":
        with neo4j_server(work / "neo4j" / "neo4j", heap=heap, pagecache_mb=pagecache_mb) as uri:
            store = Neo4jGraphStore(uri, "neo4j", "x", batch_size=2000,
                                    query_timeout_s=30.0).connect()
            try:
                store.ensure_schema()
                yield store
            finally:
                store.close()
    else:
        store = open_store(GraphSettings(data_dir=work / "arcadedb" / "gvar", uri=None,
                                         heap=heap, batch_size=2000, query_timeout_s=30.0))
        try:
            yield store
        finally:
            store.close()


def load_child(engine: str, args) -> dict:
    from ingest.config import IngestSettings
    from ingest.synthetic.load import load_world

    work = _work(args)
    (work / engine).mkdir(parents=True, exist_ok=True)
    settings = IngestSettings(data_dir=work / engine / "ivar", environment="test",
                              hmac_key=HMAC.decode(), batch_rows=2000)
    with open_engine(engine, work, args.heap, args.pagecache_mb) as store:
        store.clear()
        t0 = time.perf_counter()
        rep = load_world(work / "world", store, settings=settings, progress=True)
        wall = time.perf_counter() - t0
        counts = store.counts()
    out = {"engine": engine, "seconds": round(wall, 1), "rows": rep["read"],
           "counts": counts, "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "loadavg": os.getloadavg()}
    (work / engine / "loaded.json").write_text(json.dumps(out, indent=2))
    return out


# -- query phase --------------------------------------------------------------------------

def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(q * (len(xs) - 1)))))]


def sample_keys(store, label: str, n: int, rng: random.Random) -> list[str]:
    """``n`` keys of ``label`` drawn at random from the first 5,000 in key order (the
    store's listing: search with an empty text); Port and Country have fewer, so all of
    their nodes, supernodes included, are in the draw."""
    nodes = store.search("", labels=[label], limit=5000)
    keys = [x.key for x in nodes]
    rng.shuffle(keys)
    return keys[:n]


def timed(fn, *a, **kw):
    t0 = time.perf_counter()
    out = fn(*a, **kw)
    return (time.perf_counter() - t0) * 1000, out


def query_child(engine: str, args) -> dict:
    rng = random.Random(args.seed)
    work = _work(args)
    res: dict[str, dict] = {}
    load0 = os.getloadavg()

    kinds = [k for k in (getattr(args, "kinds", "") or "").split(",") if k]

    def want(kind: str) -> bool:
        return not kinds or any(kind.startswith(k) for k in kinds)

    def record(kind: str, ms: float, size: int) -> None:
        r = res.setdefault(kind, {"ms": [], "sizes": []})
        r["ms"].append(ms)
        r["sizes"].append(size)

    with open_engine(engine, work, args.heap, args.pagecache_mb) as store:
        counts = store.counts()
        samples = {l: sample_keys(store, l, args.samples, rng)
                   for l in EXPAND_LABELS if counts["nodes"].get(l)}
        # warm-up: one of each, not recorded (Neo4j plans each statement text once): a
        # 1-hop expansion from every kind (its first statement's text names the start's
        # label) and one 3-hop expansion (the walk from a frontier, used from the 2nd hop)
        for l, ks in samples.items():
            store.neighbourhood(l, ks[0], hops=1)
            store.get(l, ks[0])  # the node lookup of shortest paths' ends
            store.search(ks[0])
        if "Phone" in samples:
            store.neighbourhood("Phone", samples["Phone"][0], hops=3)
        if want("shortest") and len(samples.get("Enterprise", [])) > 1:
            store.shortest_paths(("Enterprise", samples["Enterprise"][0]),
                                 ("Enterprise", samples["Enterprise"][1]), max_hops=6, limit=5)
        names = []
        for l in ("Enterprise", "Person"):
            for x in store.search("", labels=[l], limit=2000):
                nm = str(x.props.get("name") or "")
                words = [w for w in nm.replace("(", " ").split() if len(w) >= 3]
                if words:
                    names.append(rng.choice(words))
                elif len(nm) >= 2:
                    names.append(nm[:2])
        rng.shuffle(names)
        for l, ks in (samples.items() if want("search") else ()):
            for k in ks[: max(3, args.samples // len(samples) + 1)]:
                ms, out = timed(store.search, k, limit=20)
                record("search_key", ms, len(out))
                assert any(x.key == k for x in out), (l, k)
                if len(k) > 7:
                    ms, out = timed(store.search, k[:7], limit=20)
                    record("search_prefix", ms, len(out))
        for w in (names[: args.samples] if want("search") else ()):
            ms, out = timed(store.search, w, limit=20)
            record("search_name", ms, len(out))
        for hops in ((1, 2, 3) if want("expand") else ()):
            for l, ks in samples.items():
                for k in ks:
                    ms, sg = timed(store.neighbourhood, l, k, hops=hops, limit=200)
                    record(f"expand_{hops}hop_{l}", ms, len(sg.nodes))
                    record(f"expand_{hops}hop_all", ms, len(sg.nodes))
        ends = [(l, k) for l in ("Enterprise", "Person", "Vehicle", "Container")
                for k in samples.get(l, [])]
        for _ in (range(args.samples) if want("shortest") else ()):
            a, b = rng.sample(ends, 2)
            ms, ps = timed(store.shortest_paths, a, b, max_hops=6, limit=5)
            record("shortest_path", ms, len(ps[0]) if ps else -1)
        info = store.server_info()
    summary = {}
    for kind, r in sorted(res.items()):
        ms = r["ms"]
        summary[kind] = {"n": len(ms), "p50_ms": round(_pct(ms, 0.5), 1),
                         "p95_ms": round(_pct(ms, 0.95), 1), "max_ms": round(max(ms), 1),
                         "mean_ms": round(statistics.fmean(ms), 1),
                         "result_size_p50": _pct(r["sizes"], 0.5),
                         "result_size_max": max(r["sizes"])}
    return {"engine": engine, "agent": info.get("agent"), "graph_counts": {
        "nodes": sum(counts["nodes"].values()),
        "relationships": sum(counts["relationships"].values()), **counts},
        "loadavg_before": [round(x, 2) for x in load0],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()], "queries": summary}


TARGETS = {"expand": 300.0, "search": 200.0, "shortest": 500.0}


def check(results: list[dict]) -> dict:
    out = {}
    for r in results:
        if "queries" not in r:
            continue
        for kind, s in r["queries"].items():
            target = next(v for k, v in TARGETS.items() if kind.startswith(k))
            out[f"{r['engine']}:{kind}"] = {"p95_ms": s["p95_ms"], "target_ms": target,
                                            "met": s["p95_ms"] <= target}
    return out


def plot(doc: dict, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    runs = [r for r in doc["results"] if "queries" in r]
    kinds = sorted({k for r in runs for k in r["queries"]
                    if not (k.startswith("expand_") and not k.endswith("_all"))}
                   | {k for r in runs for k in r["queries"] if k.startswith("expand_")})
    fig, ax = plt.subplots(figsize=(max(10, len(kinds) * 0.45), 5.5))
    width = 0.8 / max(1, len(runs))
    for i, r in enumerate(runs):
        xs = [j + i * width for j in range(len(kinds))]
        p95 = [r["queries"].get(k, {}).get("p95_ms", 0) for k in kinds]
        p50 = [r["queries"].get(k, {}).get("p50_ms", 0) for k in kinds]
        ax.bar(xs, p95, width, alpha=0.45, label=f"{r['engine']} p95")
        ax.bar(xs, p50, width * 0.5, label=f"{r['engine']} p50")
    for name, t in TARGETS.items():
        ax.axhline(t, ls=":", lw=0.8, color="grey")
        ax.text(len(kinds) - 0.5, t, f"{name} target {t:.0f} ms", fontsize=7, va="bottom",
                ha="right")
    ax.set_xticks([j + width * (len(runs) - 1) / 2 for j in range(len(kinds))])
    ax.set_xticklabels(kinds, rotation=70, ha="right", fontsize=7)
    ax.set_ylabel("ms (log)")
    ax.set_yscale("log")
    ax.set_title(f"graph queries, {doc['declarations']}-declaration world, "
                 f"load avg {doc['loadavg_start'][0]:.1f}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--declarations", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--engines", default="arcadedb,neo4j")
    ap.add_argument("--work", default=str(Path(os.environ.get("TMPDIR", "/tmp"))
                                          / "ps-bench-graph-queries"))
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--pagecache-mb", type=int, default=512)
    ap.add_argument("--samples", type=int, default=40, help="start nodes per kind")
    ap.add_argument("--load", action="store_true", help="generate and load (phase 1)")
    ap.add_argument("--plot", action="store_true")
    ap.add_argument("--kinds", default="", help="only these query kinds (prefixes, comma "
                    "separated: search, expand, shortest); default all")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "graph_queries.json"))
    ap.add_argument("--_child", nargs=2, metavar=("PHASE", "ENGINE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if args._child:
        phase, engine = args._child
        fn = load_child if phase == "load" else query_child
        print(json.dumps(fn(engine, args)))
        from graph.process import exit_process
        sys.stdout.flush()
        exit_process(0)  # returns when no JVM runs in this process (the Neo4j children)
        return 0
    work = _work(args)
    passthrough = ["--declarations", str(args.declarations), "--seed", str(args.seed),
                   "--work", args.work, "--heap", args.heap, "--pagecache-mb",
                   str(args.pagecache_mb), "--samples", str(args.samples),
                   "--kinds", args.kinds]
    if args.load:
        from ingest.synthetic.world import generate_world
        if not (work / "world" / "declarations.csv").exists():
            t0 = time.perf_counter()
            generate_world(args.declarations, args.seed, work / "world", hmac_secret=HMAC)
            print(f"[bench] world in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        procs = {e: subprocess.Popen([sys.executable, __file__, "--_child", "load", e,
                                      *passthrough], stdout=subprocess.PIPE, text=True,
                                     cwd=ROOT) for e in engines}
        for e, p in procs.items():
            out, _ = p.communicate()
            print(f"[bench] load {e}: exit {p.returncode} {out.strip()[-400:]}")
        return 0
    load0 = os.getloadavg()
    results = []
    for e in engines:  # one engine at a time, so they do not compete for the 2 cores
        p = subprocess.run([sys.executable, __file__, "--_child", "query", e, *passthrough],
                           stdout=subprocess.PIPE, text=True, cwd=ROOT)
        lines = p.stdout.strip().splitlines()
        if p.returncode != 0 or not lines:
            results.append({"engine": e, "error": f"exit {p.returncode}"})
            continue
        r = json.loads(lines[-1])
        loaded = work / e / "loaded.json"
        if loaded.exists():
            r["load"] = {k: v for k, v in json.loads(loaded.read_text()).items()
                         if k in ("seconds", "rows", "when", "loadavg")}
        results.append(r)
    doc = {"bench": "graph_queries",
           "command": "python bench/graph_queries.py " + " ".join(
               argv if argv is not None else sys.argv[1:]),
           "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                       "platform": platform.platform()},
           "declarations": args.declarations, "seed": args.seed, "samples": args.samples,
           "loadavg_start": [round(x, 2) for x in load0],
           "loadavg_end": [round(x, 2) for x in os.getloadavg()],
           "targets_ms": TARGETS, "results": results, "check": check(results),
           "note": "times are wall ms per call of the store's public API over Bolt on "
                   "loopback (what the API calls), on a 2-core machine shared with other "
                   "agents' jobs (see loadavg); expand_<h>hop_all pools every start kind"}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    if args.plot:
        plot(doc, out.with_suffix(".png"))
    for k, v in doc["check"].items():
        print(f"{k:>40}: p95 {v['p95_ms']:8.1f} ms (target {v['target_ms']:.0f}) "
              f"{'ok' if v['met'] else 'MISSED'}")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

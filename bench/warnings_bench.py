"""Warnings bench: events/s for a burst of 10,000 ingest events through the rule engine.

    python bench/warnings_bench.py                  # embedded graph (the real engine)
    python bench/warnings_bench.py --events 10000 --out bench/results/warnings.json

(The in-memory graph of earlier results, ``stores.memory``, was a test double and is gone.)

A synthetic port world (ports, enterprises, persons, vehicles, containers, declarations, a few
watch-listed conveyances, case-involved persons, new enterprises with bursts) is written to
the graph; its records, in ingest order, are the burst. They go through
``WarningService.submit`` (the bounded asynchronous pipeline) from one producer; the clock runs
from the first submit until the queue is drained. The bench checks count in = count evaluated
and then replays the same burst (every situation must merge: raised 0).
(Run with ``-m``: as a script, this file's name would shadow the standard library's.)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

if __package__ in (None, ""):  # run as a file: put the repo first, not bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from graph.base import NodeRecord as N  # noqa: E402
from graph.base import RelRecord as R  # noqa: E402
from graph.clock import now_iso  # noqa: E402

SRC = "bench-warnings"


def world(n_events: int, seed: int = 7) -> list:
    """Records of a synthetic port world, in ingest order, at least ``n_events`` of them."""
    rnd = random.Random(seed)
    recs: list = []
    ports = [f"P{5300 + i}" for i in range(10)]
    recs += [N("Port", p, {"name": f"口岸{p}", "yard_capacity": 1000,
                           "yard_occupancy": rnd.randint(500, 990)}, SRC) for p in ports]
    ents = [f"91440300MA5B{i:06d}" for i in range(200)]
    for i, e in enumerate(ents):
        reg = "2026-10-01" if i < 20 else f"{rnd.randint(2005, 2020)}-01-01"
        recs.append(N("Enterprise", e, {"name": f"企业{i}", "registered_on": reg,
                                        "credit_level": "一般认证"}, SRC))
    persons = [f"PB{i:05d}" for i in range(100)]
    for i, p in enumerate(persons):
        recs.append(N("Person", p, {"role": "driver", "watchlisted": i < 10}, SRC))
        if i % 20 == 0:
            recs += [N("Case", f"CASE-B{i}", {"kind": "走私"}, SRC),
                     R("INVOLVED_IN", "Person", p, "Case", f"CASE-B{i}", {}, SRC)]
        recs.append(R("LEGAL_REP_OF", "Person", p, "Enterprise", ents[i], {}, SRC))
    vehicles = [f"粤B{i:05d}" for i in range(300)]
    recs += [N("Vehicle", v, {"plate": v, "watchlisted": i < 15}, SRC)
             for i, v in enumerate(vehicles)]
    recs += [R("DROVE", "Person", persons[i % 100], "Vehicle", v, {}, SRC)
             for i, v in enumerate(vehicles)]
    goods = [f"{rnd.randint(1000, 9999)}{rnd.randint(100000, 999999)}" for _ in range(80)]
    recs += [N("Goods", g, {}, SRC) for g in goods] + [N("Country", c, {}, SRC)
                                                       for c in ("CN", "VN", "MY", "KR", "US")]
    d0 = date(2026, 11, 1)
    i = 0
    prev: tuple | None = None
    while len(recs) < n_events:
        k = f"DB{i:07d}"
        if i % 3 == 0:  # two new enterprises declare a lot in the last week
            e, day = ents[i % 2], (d0 + timedelta(days=rnd.randint(21, 27))).isoformat()
        else:
            e, day = rnd.choice(ents), (d0 + timedelta(days=rnd.randint(0, 27))).isoformat()
        at = f"{day}T{rnd.randint(0, 23):02d}:00:00"
        c, g, o = f"BNCH{i:07d}", rnd.choice(goods), rnd.choice(["CN", "VN", "MY"])
        if prev and i % 25 == 0:  # the previous shipment moves on to another port:
            c, g, o = prev  # declared again, consistently...
            if i % 100 == 0:
                g = rnd.choice(goods)  # ...or with another HS code
        prev = (c, g, o)
        recs += [N("Container", c, {"watchlisted": i % 97 == 0}, SRC),
                 N("Declaration", k, {"date": day, "status": rnd.choice(["pending", "cleared"])},
                   SRC),
                 R("DECLARED", "Enterprise", e, "Declaration", k, {"at": at}, SRC),
                 R("AT_PORT", "Declaration", k, "Port", ports[i % len(ports)], {"at": at}, SRC),
                 R("HAS_ITEM", "Declaration", k, "Goods", g, {"item_no": 1}, SRC),
                 R("ORIGIN", "Declaration", k, "Country", o, {}, SRC),
                 R("CARRIED_BY", "Declaration", k, "Vehicle", rnd.choice(vehicles), {"at": at},
                   SRC),
                 R("IN_CONTAINER", "Declaration", k, "Container", c, {"at": at}, SRC)]
        if i % 10 == 0:
            recs.append(R("AT_PORT", "Container", c, "Port", ports[i % len(ports)], {"at": at},
                          SRC))
        i += 1
    return recs[:n_events]


def write(store, recs) -> None:
    nodes = [r for r in recs if isinstance(r, N)]
    rels = [r for r in recs if isinstance(r, R)]
    for k in range(0, len(nodes), 2000):
        store.upsert(nodes[k:k + 2000], ())
    for k in range(0, len(rels), 2000):
        store.upsert((), rels[k:k + 2000])


def burst(store, recs, data_dir: Path) -> dict:
    from risk.warnings.config import WarningsSettings
    from risk.warnings.service import WarningService

    svc = WarningService(settings=WarningsSettings(data_dir=data_dir))
    try:
        runs = []
        for name in ("first", "replay"):
            before = svc.totals.evaluated
            raised0, merged0 = svc.totals.raised, svc.totals.merged
            t0 = time.perf_counter()
            svc.submit(store, recs)
            ok = svc.drain(timeout=3600)
            dt = time.perf_counter() - t0
            evaluated = svc.totals.evaluated - before
            runs.append({"run": name, "events_in": len(recs), "evaluated": evaluated,
                         "lossless": ok and evaluated == len(recs),
                         "raised": svc.totals.raised - raised0,
                         "merged": svc.totals.merged - merged0,
                         "errors": svc.totals.errors, "seconds": round(dt, 3),
                         "events_per_s": round(len(recs) / dt, 1)})
            print(json.dumps(runs[-1], ensure_ascii=False), file=sys.stderr)
        by_rule: dict[str, int] = {}
        for w in svc.lifecycle.list(limit=100_000):
            by_rule[w["rule"]] = by_rule.get(w["rule"], 0) + 1
        return {"runs": runs, "raised_by_rule": by_rule}
    finally:
        svc.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=10_000)
    ap.add_argument("--out", type=Path, default=Path("bench/results/warnings.json"))
    args = ap.parse_args(argv)
    recs = world(args.events)
    result = {"bench": "warnings", "events": len(recs),
              "command": "python bench/warnings_bench.py " + " ".join(argv or sys.argv[1:]),
              "at": now_iso(),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "platform": platform.platform(),
                          "load_avg_at_start": [round(x, 2) for x in os.getloadavg()]},
              "stores": {}}
    with tempfile.TemporaryDirectory(prefix="ps-bench-warnings-") as tmp:
        from graph import GraphSettings, open_store
        store = open_store(GraphSettings(data_dir=Path(tmp) / "graph", uri=None))
        try:
            t = time.perf_counter()
            write(store, recs)
            load_s = time.perf_counter() - t
            r = burst(store, recs, Path(tmp) / "emb")
            r["graph"] = {**store.server_info(), "load_seconds": round(load_s, 2)}
            result["stores"]["embedded"] = r
        finally:
            store.close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n",
                        encoding="utf-8")
    summary = {k: v["runs"][0]["events_per_s"] for k, v in result["stores"].items()}
    print(json.dumps({"events": len(recs), "events_per_s": summary,
                      "lossless": all(r["lossless"] for v in result["stores"].values()
                                      for r in v["runs"]), "out": str(args.out)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

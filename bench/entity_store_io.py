"""Entity scoring's store I/O at size: reading the entity graph out of the store and
writing the scores back (the two stages that made 1M entities take hours), on a graph
already loaded (``--data-dir``: e.g. the 50k world of ``bench/graph_queries.py --load``).

1. ``store.export`` of what ``risk.entity.graph_frame.export_entity_graph`` reads
   (``GRAPH_LABELS`` / ``GRAPH_RELS``), timed, rows/s: on the embedded engine that is its SQL
   export (``graph/arcadedb_sql.py``); in the same run the Cypher export (chunked collected
   columns, ``graph/export.py``, what Neo4j runs) of the same labels and types, and the ratio
   (``export_engines_same_run``);
2. the same on a subset of labels and types with the former row-per-record statements
   (``MATCH (a)-[r:T]->(b) RETURN a.key, ... properties(r)``, one Bolt record per row)
   against the new ones, in the same run: the ratio;
3. ``entity_graph(tables)`` (the frames the model reads), timed;
4. the write-back ``batch_score_entities`` does (``set_properties`` of risk_score,
   risk_level, model_version, scored_at in chunks of 5,000 nodes; UNWIND batches of
   ``PS_GRAPH_BATCH_SIZE``) to EVERY Enterprise / Person / Vehicle / Vessel / Container,
   with stand-in scores (a hash of the key: this bench times the store, not the model);
5. 1M entities extrapolated linearly from 1 + 4 and the model rate measured by
   ``bench/entity_scoring.py`` (its largest tiled run, read from its results file).

    flock /tmp/ps-timing.lock nice -n 5 python bench/entity_store_io.py \\
        --data-dir /tmp/ps-bench-graph-queries/seed-1-n-50000/arcadedb/gvar
Writes bench/results/entity_store_io.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

OLD_NODES = ("MATCH (n:{label})\nWHERE ($since IS NULL OR n.last_seen >= $since) "
             "AND ($until IS NULL OR n.first_seen <= $until)\nRETURN properties(n) AS props")
OLD_RELS = ("MATCH (a)-[r:{t}]->(b)\nWHERE ($since IS NULL OR coalesce(r.at, r.last_seen) >= "
            "$since) AND ($until IS NULL OR coalesce(r.at, r.last_seen) <= $until)\n"
            "RETURN a.key AS start_key, b.key AS end_key, labels(a) AS start_labels,\n"
            "       labels(b) AS end_labels, properties(r) AS props")
SUB_LABELS = ["Enterprise", "Person", "Container"]
SUB_RELS = ["DECLARED", "IN_CONTAINER", "LEGAL_REP_OF"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", required=True)
    ap.add_argument("--heap", default="2g")
    ap.add_argument("--chunk", type=int, default=5000)
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "entity_store_io.json"))
    a = ap.parse_args(argv)
    from graph import GraphSettings, export, open_store
    from risk.entity.graph_frame import ENTITY_LABELS, GRAPH_LABELS, GRAPH_RELS, entity_graph

    load0 = os.getloadavg()
    res: dict = {"bench": "entity_store_io", "command": "python bench/entity_store_io.py "
                 + " ".join(argv if argv is not None else sys.argv[1:]),
                 "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                 "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                 "loadavg_start": [round(x, 2) for x in load0]}
    store = open_store(GraphSettings(data_dir=Path(a.data_dir), uri=None, heap=a.heap))
    try:
        res["engine"] = store.server_info()["agent"]
        t = time.perf_counter()
        tables = store.export(labels=GRAPH_LABELS, rel_types=GRAPH_RELS)
        ex = time.perf_counter() - t
        rows = sum(len(v) for v in tables.nodes.values()) + sum(
            len(v) for v in tables.relationships.values())
        ents = {l: int(len(tables.nodes[l])) for l in ENTITY_LABELS if l in tables.nodes}
        res["export"] = {"seconds": round(ex, 2), "rows": rows, "rows_per_s": round(rows / ex),
                         "entities": ents, "entities_total": sum(ents.values()),
                         "rows_per_entity": round(rows / max(1, sum(ents.values())), 2)}
        print(json.dumps(res["export"]), flush=True)
        if getattr(store, "sql", None) is not None:
            t = time.perf_counter()
            cy = export.export(lambda w, q, **kw: store._read(w, q, bulk=True, **kw),
                               GRAPH_LABELS, GRAPH_RELS, None, None)
            cs = time.perf_counter() - t
            same = all(len(cy.nodes[k]) == len(tables.nodes[k]) for k in cy.nodes) and all(
                len(cy.relationships[k]) == len(tables.relationships[k]) for k in cy.relationships)
            res["export_engines_same_run"] = {
                "sql_s": res["export"]["seconds"], "cypher_s": round(cs, 2),
                "speedup": round(cs / res["export"]["seconds"], 2), "same_row_counts": same}
            print(json.dumps(res["export_engines_same_run"]), flush=True)
            del cy

        def rd(what, q, **kw):
            return store._read(what, q, bulk=True, **kw)
        sub = {}
        for name, fn in (("row_per_record", lambda: (
                [rd("old", OLD_NODES.format(label=l), since=None, until=None) for l in SUB_LABELS],
                [rd("old", OLD_RELS.format(t=x), since=None, until=None) for x in SUB_RELS])),
                         ("chunked_columns", lambda: export.export(
                             lambda w, q, **kw: rd(w, q, **kw), SUB_LABELS, SUB_RELS, None,
                             None))):
            t = time.perf_counter()
            fn()
            sub[name] = round(time.perf_counter() - t, 2)
        n_sub = sum(len(tables.nodes[l]) for l in SUB_LABELS) + sum(
            len(tables.relationships[x]) for x in SUB_RELS)
        res["export_subset_same_run"] = {
            "labels": SUB_LABELS, "rel_types": SUB_RELS, "rows": n_sub, "seconds": sub,
            "speedup": round(sub["row_per_record"] / max(sub["chunked_columns"], 1e-9), 2)}
        print(json.dumps(res["export_subset_same_run"]), flush=True)
        t = time.perf_counter()
        eg = entity_graph(tables)
        res["entity_graph_s"] = round(time.perf_counter() - t, 2)
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        w: dict = {}
        t_all = time.perf_counter()
        for label in ENTITY_LABELS:
            keys = eg.nodes.get(label, [])
            t = time.perf_counter()
            n = 0
            for i in range(0, len(keys), a.chunk):
                upd = {}
                for k in keys[i:i + a.chunk]:
                    s = int(hashlib.blake2b(k.encode(), digest_size=4).hexdigest(), 16) / 2**32
                    upd[k] = {"risk_score": round(s, 6),
                              "risk_level": "高" if s > .95 else "中" if s > .8 else "低",
                              "model_version": "entity:bench-store-io", "scored_at": at}
                n += store.set_properties(label, upd)
            sec = time.perf_counter() - t
            w[label] = {"nodes": n, "seconds": round(sec, 2),
                        "nodes_per_s": round(n / max(sec, 1e-9))}
        wt = time.perf_counter() - t_all
        nw = sum(x["nodes"] for x in w.values())
        res["write_back"] = {"per_label": w, "nodes": nw, "seconds": round(wt, 2),
                             "nodes_per_s": round(nw / wt), "chunk": a.chunk,
                             "batch_size": store.batch_size}
        print(json.dumps(res["write_back"], ensure_ascii=False), flush=True)
    finally:
        store.close()
    model = None
    p = ROOT / "bench" / "results" / "entity_scoring.json"
    if p.exists():
        big = (json.loads(p.read_text()).get("tiled") or [None])[-1]
        if big:
            model = {"from": str(p.relative_to(ROOT)), "entities": big["entities"],
                     "frame_and_model_s": round(big["frame_s"] + big["model_s"], 1),
                     "entities_per_s": round(big["entities"] / (big["frame_s"] + big["model_s"]))}
    e = res["export"]
    x = {"how": "linear in entities: export rows per entity and rows/s, write-back nodes/s "
                "measured here; frame + model from bench/entity_scoring.py's largest tiled run",
         "export_s": round(1e6 * e["rows_per_entity"] / e["rows_per_s"], 1),
         "write_s": round(1e6 / res["write_back"]["nodes_per_s"], 1)}
    if model:
        x["frame_and_model_s"] = round(1e6 / model["entities_per_s"], 1)
        res["model_rate"] = model
    x["total_s"] = round(sum(v for k, v in x.items() if k.endswith("_s")), 1)
    x["total_min"] = round(x["total_s"] / 60, 1)
    res["extrapolated_1m"] = x
    res["loadavg_end"] = [round(v, 2) for v in os.getloadavg()]
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(x, indent=1))
    from graph.process import exit_process
    sys.stdout.flush()
    exit_process(0)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

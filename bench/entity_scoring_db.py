"""Entity scoring at 1M entities, measured in the database (no extrapolation).

``bench/entity_scoring.py`` measures the model on a world tiled *in memory* and extrapolates
the export and the write-back from a 50k graph, because loading a 1M-entity world through
the ingest path does not fit in a session. This bench builds the big graph in the embedded
engine itself and runs the product's scoring path on it:

1. ``--reuse DIR``: a data dir holding a loaded and resolved simulated world
   (``bench/graph_queries.py --load --engines arcadedb --declarations 50000``). Its engine
   directory is copied to ``--work`` (the original is left as it was) and opened there.
2. The entity model is trained on that world as loaded (``train_entities_from_store``, no
   validation pass) and promoted in a registry under ``--work``.
3. The world is copied ``--tiles`` - 1 more times *inside the database*: every node of the
   entity graph's labels and every relationship of its types, keys (and USCCs) suffixed
   ``#i`` — the same k disjoint copies ``entity_scoring.py`` builds in memory. The copies go
   through ArcadeDB's NDJSON batch endpoint (``POST /api/v1/batch/<db>`` on loopback; the
   unique key indexes are maintained, the side search index is not, so the next open of the
   store rebuilds it from the graph — a few minutes at this size, not timed). This is the
   bench's own loading, timed apart, not the product's.
4. Measured on that graph: ``risk.entity.scoring.batch_score_entities`` — the product's
   export (the SQL export of the embedded engine), the model (declaration model + features +
   GNN + rank mix) and the write-back of ``risk_score`` / ``risk_level`` / ``model_version``
   / ``scored_at`` to every Enterprise, Person, Vehicle, Vessel and Container.
5. Checked: every label holds k times its nodes, and every entity node carries this run's
   ``risk_score``, ``risk_level``, ``model_version`` and ``scored_at``. (A copy's score is not
   its original's: the model was trained on one copy, so the copies' enterprises are new to
   its declaration model's encodings, as they were in ``entity_scoring.py``'s tiles.)
``--keep``: reuse a ``--work`` already tiled by an earlier run (only the scoring is run).

    OMP_NUM_THREADS=1 python -P bench/entity_scoring_db.py \\
        --reuse /tmp/gq/seed-1-n-50000/arcadedb/gvar --work /tmp/w1m --tiles 30
Writes bench/results/entity_scoring_1m_db.json.
"""

from __future__ import annotations

import os
import sys

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_BENCH = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [_ROOT] + [p for p in sys.path if os.path.abspath(p or ".") not in (_BENCH, _ROOT)]

import argparse
import json
import platform
import resource
import shutil
import time
import urllib.request
from pathlib import Path


def rss_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def engine_sql(data_dir: Path):
    from graph.arcadedb_sql import ArcadeSQL

    d = data_dir / "arcadedb"
    srv = json.loads((d / "server.json").read_text())
    return ArcadeSQL(srv["http_port"], srv["database"], "root",
                     (d / "root.password").read_text().strip())


VCHUNK, ECHUNK = 10_000, 50_000


def batch(sql, lines: list[str]) -> dict:
    """One NDJSON request to ArcadeDB's batch endpoint (vertices before the edges)."""
    req = urllib.request.Request(sql.url.replace("/query/", "/batch/"),
                                 data="\n".join(lines).encode(), method="POST",
                                 headers={"Authorization": sql._auth,
                                          "Content-Type": "application/x-ndjson"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        return json.loads(r.read())


def read_world(sql, labels, rel_types):
    """The raw records of the world (deduplicated by record id)."""
    have = {r["name"] for r in sql.query("types", "SELECT name FROM schema:types")}
    nodes: dict[str, dict] = {}
    for lab in labels:
        if lab in have:
            for r in sql.query_paged(lab, f"SELECT FROM `{lab}`"):
                nodes.setdefault(r["@rid"], r)
    edges = []
    for t in rel_types:
        if t in have:
            edges.extend(sql.query_paged(t, f"SELECT FROM `{t}`"))
    return nodes, edges


def load_copy(sql, nodes: dict, edges: list, i: int) -> dict:
    """Copy i of the world: the nodes in requests of <= 10,000 (the endpoint returns the new
    record ids up to that size), then the relationships between the new ids, one request at
    a time (a second in flight breaks the first's body); an edge end outside the copied
    labels keeps pointing to the original record."""
    new: dict[str, str] = {}
    items = list(nodes.items())
    v = e = 0
    for j in range(0, len(items), VCHUNK):
        lines = []
        for rid, r in items[j:j + VCHUNK]:
            p = {k: x for k, x in r.items() if not k.startswith("@")}
            p["key"] = f"{p['key']}#{i}"
            if isinstance(p.get("uscc"), str):
                p["uscc"] = f"{p['uscc']}#{i}"
            lines.append(json.dumps({"@type": "vertex", "@class": r["@type"],
                                     "@id": "n" + rid[1:].replace(":", "_"), **p},
                                    ensure_ascii=False))
        out = batch(sql, lines)
        ids = out["idMapping"]
        if len(ids) != len(lines):
            raise RuntimeError(f"copy {i}: {len(ids)} record ids for {len(lines)} nodes")
        new.update({"#" + t[1:].replace("_", ":"): r for t, r in ids.items()})
        v += out["verticesCreated"]
    for j in range(0, len(edges), ECHUNK):
        e += batch(sql, [json.dumps({"@type": "edge", "@class": x["@type"],
                                     "@from": new.get(x["@out"], x["@out"]),
                                     "@to": new.get(x["@in"], x["@in"]),
                                     **{k: y for k, y in x.items() if not k.startswith("@")}},
                                    ensure_ascii=False)
                         for x in edges[j:j + ECHUNK]])["edgesCreated"]
    return {"vertices": v, "edges": e}


def counts(sql, labels) -> dict[str, int]:
    return {lab: int(sql.query(lab, f"SELECT count(*) AS n FROM `{lab}`")[0]["n"])
            for lab in labels}


def tile_world(sql, store, reg: Path, k: int, res: dict, labels, rel_types):
    """Train on the world as loaded, then add copies 1..k-1 of it (module docstring)."""
    from training.entity import train_entities_from_store

    base = counts(sql, labels)
    t = time.perf_counter()
    tr = train_entities_from_store(store=store, promote=True, data_dir=reg, validate=False)
    res["train_on_one_copy_s"] = round(time.perf_counter() - t, 1)
    res["trained"] = tr["version"]
    t = time.perf_counter()
    nodes, edges = read_world(sql, labels, rel_types)
    res["tiling"] = {"nodes_per_copy": len(nodes), "relationships_per_copy": len(edges),
                     "read_s": round(time.perf_counter() - t, 1), "copies": []}
    print(f"[tile] one copy: {len(nodes)} nodes, {len(edges)} relationships", flush=True)
    t_all = time.perf_counter()
    for i in range(1, k):
        t = time.perf_counter()
        row = {"copy": i, **load_copy(sql, nodes, edges, i)}
        row["s"] = round(time.perf_counter() - t, 1)
        res["tiling"]["copies"].append(row)
        done = time.perf_counter() - t_all
        print(f"[tile] copy {i}/{k - 1}: {row} ETA {done / i * (k - 1 - i):.0f} s", flush=True)
    res["tiling"]["load_s"] = round(time.perf_counter() - t_all, 1)
    res["counts"] = {"one_copy": base}
    return base, tr


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", required=True, help="a data dir holding a loaded, resolved world")
    ap.add_argument("--work", required=True, help="where the tiled copy is built (replaced)")
    ap.add_argument("--tiles", type=int, default=30)
    ap.add_argument("--keep", action="store_true", help="--work is already tiled: score only")
    ap.add_argument("--heap", default=None, help="engine heap (default: the product's)")
    ap.add_argument("--out", default=os.path.join(_ROOT, "bench", "results",
                                                  "entity_scoring_1m_db.json"))
    a = ap.parse_args()
    import torch

    from graph import GraphSettings, open_store
    from risk.entity.graph_frame import ENTITY_LABELS, GRAPH_LABELS, GRAPH_RELS
    from risk.entity.scoring import batch_score_entities

    torch.set_num_threads(1)
    work = Path(a.work)
    marker = work / "tiled.json"
    keep = a.keep and marker.exists()
    if not keep:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        shutil.copytree(Path(a.reuse) / "arcadedb", work / "arcadedb",
                        ignore=shutil.ignore_patterns("*.lock", "server.json"))
    gs = GraphSettings(data_dir=work, uri=None, **({"heap": a.heap} if a.heap else {}))
    res: dict = {"command": "OMP_NUM_THREADS=1 python -P bench/entity_scoring_db.py "
                            f"--reuse {a.reuse} --work {a.work} --tiles {a.tiles}"
                            + (f" --heap {a.heap}" if a.heap else ""),
                 "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                             "threads": 1, "engine_heap": gs.heap}}
    store = open_store(gs)
    try:
        sql = engine_sql(work)
        reg = work / "reg"
        if keep:
            res.update(json.loads(marker.read_text()))
            base, tr = res["counts"]["one_copy"], {"version": res["trained"]}
        else:
            base, tr = tile_world(sql, store, reg, a.tiles, res, GRAPH_LABELS, GRAPH_RELS)
            marker.write_text(json.dumps({k: res[k] for k in ("tiling", "counts", "trained",
                                                               "train_on_one_copy_s")}))
        big = counts(sql, GRAPH_LABELS)
        res["counts"]["tiled"] = big
        bad = {lab: (base[lab], big[lab]) for lab in base if big[lab] != base[lab] * a.tiles}
        res["counts"]["not_k_times"] = bad
        ents = sum(big[lab] for lab in ENTITY_LABELS)
        print(f"[score] {ents} entities; tiling mismatches: {bad}", flush=True)
        t = time.perf_counter()
        out = batch_score_entities(store=store, data_dir=reg)
        wall = time.perf_counter() - t
        n = out["written"]
        res["scoring"] = {
            "entities_in_graph": ents, "written": n, "written_total": sum(n.values()),
            "declarations": out["declarations"], "seconds": out["seconds"],
            "wall_s": round(wall, 1), "wall_min": round(wall / 60, 2),
            "entities_per_s": round(sum(n.values()) / wall, 1), "levels": out["levels"],
            "model_version": out["model_version"], "trained": tr["version"],
            "peak_rss_mb_python": rss_mb()}  # the engine runs in-process
        print(json.dumps(res["scoring"], ensure_ascii=False), flush=True)
        # every entity node carries this run's risk properties (the copies are new to the
        # model, which was trained on one copy, so their scores are their own)
        check = {}
        for lab in ENTITY_LABELS:
            n_ok = sql.query(lab, f"SELECT count(*) AS n FROM `{lab}` WHERE risk_score IS NOT "
                                  "NULL AND risk_level IN ['高', '中', '低'] AND model_version = "
                                  ":v AND scored_at = :at", v=out["model_version"],
                             at=out["scored_at"])[0]["n"]
            check[lab] = {"nodes": big[lab], "with_this_runs_risk": int(n_ok)}
        res["check"] = check
        print(json.dumps(check), flush=True)
    finally:
        store.close()
    out_p = Path(a.out)
    out_p.parent.mkdir(parents=True, exist_ok=True)
    out_p.write_text(json.dumps(res, indent=1, ensure_ascii=False, default=str))
    print("wrote", out_p)


if __name__ == "__main__":
    main()

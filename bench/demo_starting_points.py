"""How long the first analyst waits for the explorer's starting points on the demo graph,
computed on first use (before: what every fresh app did) against stored at scoring time
(after: ``api.starting_points_store.warm``, which the demo runs after its scoring step), in one run
on one data dir, through the real route (``GET /graph/starting-points`` as the demo analyst,
FastAPI's TestClient, embedded engine):

    flock /tmp/ps-timing.lock nice -n 5 .venv/bin/python -P bench/demo_starting_points.py \
        --run var --out bench/results/demo_starting_points.json

1. ``cold``: the stored file removed, a fresh app: the first request computes them;
2. ``warm_step``: ``warm`` as the demo step runs it (compute + store);
3. ``stored``: another fresh app (empty memory cache): the first request reads the file;
4. ``memory``: the same app's second request;
5. ``parts``: what the computation spends: ranking per label from an export of every node
   (before) or from the run's recorded scores (after; the same scores in the same order
   expected, keys may differ among ties), each candidate's explanation.

The answers of 1 and 3 are compared (the same cards, same focus keys). Writes the JSON and a
bar chart (``.png``) beside it; records the load average.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path[0] = str(Path(__file__).resolve().parents[1])


def main() -> None:
    from bench.demo_dir import parse

    args, run = parse(__doc__)
    from fastapi.testclient import TestClient

    from api import starting_points as points
    from api import starting_points_store as sp
    from api.config import ApiSettings
    from api.demo import make_users, open_graph
    from api.main import create_app
    from risk.entity.explain import explain_entity

    store = open_graph()
    res: dict = {"run": str(run), "loadavg_start": os.getloadavg(), "seconds": {}}

    def fresh_app():
        app = create_app(settings=ApiSettings(data_dir=run), store=store)
        return app, app.state.ps

    def first_get(app, state, name):
        users = {u["username"]: u["password"] for u in make_users(state, store)}
        if "(set" in users["analyst"]:
            users.update(json.loads((state.settings.api_dir / "demo-users.json").read_text()))
        with TestClient(app) as c:
            tok = c.post("/auth/token", data={"username": "analyst",
                                              "password": users["analyst"]}).json()
            h = {"Authorization": f"Bearer {tok['access_token']}"}
            t0 = time.perf_counter()
            r = c.get("/graph/starting-points", headers=h)
            res["seconds"][name] = round(time.perf_counter() - t0, 3)
            assert r.status_code == 200, r.text
            t0 = time.perf_counter()
            assert c.get("/graph/starting-points", headers=h).status_code == 200
            res["seconds"][name + "_second_request"] = round(time.perf_counter() - t0, 3)
        return [(it["kind"], it["focus"]["label"], it["focus"]["key"]) for it in r.json()["items"]]

    sp.store_path(fresh_app()[1]).unlink(missing_ok=True)
    app, state = fresh_app()
    res["key"] = sp.scoring_key(state)
    cold = first_get(app, state, "cold")
    sp.store_path(state).unlink()
    t0 = time.perf_counter()
    res["warm_step"] = sp.warm(state, store)
    res["seconds"]["warm_step"] = round(time.perf_counter() - t0, 3)
    app, state = fresh_app()
    stored = first_get(app, state, "stored")
    res["items"] = {"cold": cold, "stored": stored, "same": cold == stored}
    parts: dict = {}
    t0 = time.perf_counter()
    recorded = sp.recorded_top(run, res["key"][-1])
    parts["recorded_top_sql"] = round(time.perf_counter() - t0, 3)
    for label in ("Enterprise", "Person", "Vehicle"):
        n = {"Vehicle": 1}.get(label, points.CANDIDATES)
        t0 = time.perf_counter()
        ranked = points._ranked(store, label, n=n)  # before: an export of every node
        parts[f"rank_{label}_export"] = round(time.perf_counter() - t0, 3)
        t0 = time.perf_counter()
        fast = points._ranked(store, label, recorded.get(label), n=n)  # after: the run's scores
        parts[f"rank_{label}_recorded"] = round(time.perf_counter() - t0, 3)
        parts[f"rank_{label}_same_scores"] = [s for _, s in ranked] == [s for _, s in fast]
        t0 = time.perf_counter()
        for key, _ in fast[:min(n, points.CANDIDATES)]:
            explain_entity(store, label, key)
        parts[f"explain_{label}_x{min(n, points.CANDIDATES)}"] = round(
            time.perf_counter() - t0, 3)
    t0 = time.perf_counter()
    both = points._people_with_both(store)
    parts["people_with_enterprises_and_vehicles"] = {"seconds": round(time.perf_counter() - t0, 3),
                                                     "found": len(both),  # scores only: no person keys
                                                     "best_scores": [x[1] for x in both[:3]]}
    res["parts"] = parts
    res["speedup_first_request"] = round(res["seconds"]["cold"] / res["seconds"]["stored"], 1)
    res["loadavg"] = os.getloadavg()
    state.close()
    text = json.dumps(res, ensure_ascii=False, indent=1, default=str)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")
        _plot(res, args.out.with_suffix(".png"))
    store.close()


def _plot(res: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    s = res["seconds"]
    names = ["cold (computed on\nfirst request: before)", "stored at scoring\n(first request: after)",
             "in memory\n(second request)"]
    vals = [s["cold"], s["stored"], s["memory" if "memory" in s else "stored_second_request"]]
    fig, ax = plt.subplots(figsize=(7, 3.6))
    bars = ax.bar(names, vals, color=["#d62728", "#2ca02c", "#1f77b4"])
    ax.bar_label(bars, labels=[f"{v:.2f} s" for v in vals])
    ax.set_ylabel("GET /graph/starting-points (s)")
    ax.set_title(f"Explorer landing view on the demo graph (load {res['loadavg'][0]:.1f})")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    main()

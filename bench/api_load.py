"""Bounded load test of the API (issue 13): a real server on loopback, production settings,
a seeded graph (the KCS declarations, first N rows of each file), a few hundred requests
over the main routes, then a burst of unauthenticated requests (bad sign-ins with huge
names, a 30 MB body, new user names, token-less reads). Reports the slowest request (per
route and overall) and how much each file under the data dir grew during the
unauthenticated burst (raw bytes, WAL included, and after a WAL checkpoint).

    nice -n 10 .venv/bin/python bench/api_load.py --kcs-limit 1500 --requests 300

writes bench/results/api_load.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def sizes(d: Path) -> dict[str, int]:
    return {str(f.relative_to(d)): f.stat().st_size for f in sorted(d.rglob("*"))
            if f.is_file() and "arcadedb" not in f.parts and "graph" not in f.parts[:1]}


def checkpoint(api_dir: Path) -> None:
    for db in api_dir.glob("*.sqlite"):
        con = sqlite3.connect(str(db))
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            con.close()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kcs-limit", type=int, default=1500,
                    help="rows per KCS file to load (None = all, the 45k demo)")
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--data-dir", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "api_load.json")
    args = ap.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="ps-load-"))
    keys_dir = Path(tempfile.mkdtemp(prefix="ps-load-keys-"))
    os.environ["PS_DATA_DIR"] = str(data_dir)

    import httpx
    import uvicorn

    from api.config import ApiSettings
    from api.demo import DemoData, load_declarations, open_graph
    from api.main import create_app

    t0 = time.perf_counter()
    store = open_graph()
    admin_pw = secrets.token_urlsafe(12)
    settings = ApiSettings(env="production", data_dir=data_dir,
                           secret_key=secrets.token_urlsafe(48), admin_password=admin_pw,
                           audit_key=secrets.token_hex(32),
                           audit_anchor_file=keys_dir / "audit.anchor", cookie_secure=True)
    app = create_app(settings=settings, store=store)
    state = app.state.ps
    loaded = load_declarations(state, store, DemoData.locate(), args.kcs_limit)
    n_decl = store.counts()["nodes"].get("Declaration", 0)
    decls = store.search("", labels=["Declaration"], limit=200)
    port = str(decls[0].props.get("office")) if decls else "0"
    for name, role, extra in (("analyst", "analyst", {}), ("inspector", "inspector",
                                                          {"port": port})):
        state.users.ensure(username=name, password=admin_pw, role=role, **extra)
    ents = store.search("", labels=["Enterprise"], limit=50)
    setup_s = time.perf_counter() - t0

    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        http_port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=http_port,
                                           log_level="warning", access_log=False))
    th = threading.Thread(target=server.run, daemon=True)
    th.start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{http_port}"
    lat: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}

    def call(c: httpx.Client, name: str, method: str, path: str, **kw) -> httpx.Response:
        t = time.perf_counter()
        r = c.request(method, url + path, **kw)
        lat.setdefault(name, []).append(time.perf_counter() - t)
        statuses.setdefault(name, {})
        statuses[name][str(r.status_code)] = statuses[name].get(str(r.status_code), 0) + 1
        return r

    with httpx.Client(timeout=60) as c:
        def token(u: str) -> dict[str, str]:
            r = c.post(url + "/auth/token", data={"username": u, "password": admin_pw})
            r.raise_for_status()
            return {"Authorization": "Bearer " + r.json()["access_token"]}

        an, ad, ins = token("analyst"), token("admin"), token("inspector")
        main_routes = []
        for i, e in enumerate(ents or []):
            main_routes += [
                ("graph.search", "GET", "/graph/search", {"params": {"q": e.key[:4]}}, an),
                ("graph.node", "GET", "/graph/node",
                 {"params": {"label": "Enterprise", "key": e.key}}, an),
                (f"graph.neighbours.h{1 + i % 3}", "GET", "/graph/neighbours",
                 {"params": {"label": "Enterprise", "key": e.key, "hops": 1 + i % 3}}, an),
                ("risk.entity", "GET", "/risk/entity",
                 {"params": {"label": "Enterprise", "key": e.key}}, an),
            ]
        for d in decls[:40]:
            main_routes.append(("declarations.get", "GET", f"/declarations/{d.key}", {}, an))
        main_routes += [("declarations.list", "GET", "/declarations", {}, an),
                        ("declarations.deep", "GET", "/declarations",
                         {"params": {"offset": 4500, "limit": 500}}, an),
                        ("warnings.list", "GET", "/warnings", {}, an),
                        ("inspections.list", "GET", "/inspections", {}, an),
                        ("targeting.lists", "GET", "/targeting/lists", {}, ins),
                        ("audit.search", "GET", "/audit", {"params": {"q": "ENT"}}, ad),
                        ("graph.counts", "GET", "/graph/counts", {}, an),
                        ("ready", "GET", "/ready", {}, ad)]
        done = 0
        while done < args.requests:
            for name, m, p, kw, h in main_routes:
                if done >= args.requests:
                    break
                call(c, name, m, p, headers=h, **kw)
                done += 1

        checkpoint(settings.api_dir)
        before, t_unauth = sizes(data_dir), time.perf_counter()
        n_unauth = 0
        for i in range(5):
            call(c, "unauth.token_1MB_name", "POST", "/auth/token",
                 data={"username": f"{i}" + "u" * 1_000_000, "password": "x"})
            n_unauth += 1
        call(c, "unauth.qa_30MB_body", "POST", "/qa/ask", content=b"{" + b" " * 30_000_000
             + b"}", headers={"content-type": "application/json"})
        n_unauth += 1
        for i in range(100):
            call(c, "unauth.login_new_names", "POST", "/auth/token",
                 data={"username": f"guess{i}", "password": "x" * 50})
            n_unauth += 1
        for p in ("/users", "/graph/search?q=138", "/audit", "/declarations", "/warnings"):
            for _ in range(10):
                call(c, "unauth.no_token", "GET", p)
                n_unauth += 1
        unauth_s = time.perf_counter() - t_unauth
        after_raw = sizes(data_dir)
        checkpoint(settings.api_dir)
        after_ckpt = sizes(data_dir)
    server.should_exit = True
    th.join(10)

    def growth(after: dict[str, int]) -> dict[str, int]:
        return {k: after.get(k, 0) - before.get(k, 0) for k in sorted(set(after) | set(before))
                if after.get(k, 0) != before.get(k, 0)}

    per_route = {k: {"n": len(v), "max_s": round(max(v), 3),
                     "p50_s": round(statistics.median(v), 4), "statuses": statuses[k]}
                 for k, v in sorted(lat.items())}
    all_main = [x for k, v in lat.items() if not k.startswith("unauth.") for x in v]
    g_raw, g_ck = growth(after_raw), growth(after_ckpt)
    out = {
        "world": {"kcs_limit_per_file": args.kcs_limit, "declarations": n_decl,
                  "loaded": loaded, "setup_s": round(setup_s, 1),
                  "note": "KCS rows loaded through the demo's loader; --kcs-limit 0 is not "
                          "supported, omit-by-large-N for the full 45k demo"},
        "settings": "PS_ENV=production, loopback, uvicorn 1 worker, embedded graph engine",
        "main_requests": len(all_main),
        "max_latency_s": round(max(all_main), 3),
        "p95_latency_s": round(sorted(all_main)[int(0.95 * (len(all_main) - 1))], 4),
        "over_5s": sum(x > 5 for x in all_main),
        "unauthenticated": {"requests": n_unauth, "seconds": round(unauth_s, 2),
                            "max_latency_s": round(max(x for k, v in lat.items()
                                                       if k.startswith("unauth.")
                                                       for x in v), 3),
                            "file_growth_bytes_raw": g_raw,
                            "file_growth_bytes_after_checkpoint": g_ck,
                            "max_file_growth_bytes_after_checkpoint": max(g_ck.values(),
                                                                          default=0)},
        "per_route": per_route,
        "command": " ".join(["bench/api_load.py", *sys.argv[1:]]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(json.dumps({k: out[k] for k in ("main_requests", "max_latency_s", "over_5s")}
                     | {"unauth_max_growth": out["unauthenticated"][
                         "max_file_growth_bytes_after_checkpoint"]}))
    state.close()
    store.close()
    return 0


if __name__ == "__main__":
    from graph.process import exit_process

    code = main()
    exit_process(code)

"""``portsentinel serve``, ``portsentinel demo`` (api/demo.py) and ``portsentinel audit verify|export``.

Handlers return a dict (api/cli.py prints it); uvicorn, fastapi and the other packages are
imported only when a handler runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the API and web UI (uvicorn)")
    p.add_argument("--host", default=None, help="default PS_API_HOST or 127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default PS_API_PORT or 8000")
    p.set_defaults(handler=serve)

    d = sub.add_parser("demo", parents=[common],
                       help="first run: graph engine, load data, train, index, users, serve")
    d.add_argument("--shared", type=Path, default=None,
                   help="a folder laid out like ../shared (data/customs-kcs, corpus/laws-cn, "
                        "docs/) to use instead of the repository's data/")
    d.add_argument("--no-serve", action="store_true", help="prepare everything, do not serve")
    d.add_argument("--kcs-limit", type=int, default=None,
                   help="load only the first N rows of each KCS file (a quicker first look)")
    d.add_argument("--world", type=int, default=5000, metavar="N",
                   help="declarations in the simulated port world loaded beside the KCS files "
                        "(persons, vehicles, vessels, containers, manifests, bills, inspections, "
                        "cases, planted patterns; 0 = none; default 5000)")
    d.add_argument("--world-seed", type=int, default=7)
    d.add_argument("--port", type=int, default=None)
    d.set_defaults(handler=demo)

    a = sub.add_parser("audit", parents=[common], help="the audit log")
    asub = a.add_subparsers(dest="audit_command", metavar="ACTION")
    asub.required = True
    v = asub.add_parser("verify", parents=[common], help="verify the audit log's hash chain")
    v.set_defaults(handler=audit_verify)
    e = asub.add_parser("export", parents=[common], help="export the audit log")
    e.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    e.add_argument("--out", type=Path, required=True)
    e.set_defaults(handler=audit_export)


def _uvicorn(app: Any, host: str, port: int) -> None:
    import uvicorn

    # uvicorn's access log prints query strings (phones, names searched for): off; the app
    # logs each request itself, path only (api.main, logger "api.access")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False,
                access_log=False)


def serve(args: argparse.Namespace) -> dict[str, Any]:
    from api.config import BindRefused, check_bind, get_settings
    from api.main import create_app

    s = get_settings()
    host, port = args.host or s.host, args.port or s.port
    try:
        check_bind(s, host)
    except BindRefused as e:
        print(f"[serve] {e}", file=sys.stderr)
        return {"text": str(e), "exit_code": 2, "host": host}
    print(f"[serve] http://{host}:{port}/ui/  (API docs /docs)", file=sys.stderr)
    app = create_app(settings=s)
    warm_starting_points_in_background(app.state.ps)
    _uvicorn(app, host, port)
    return {"text": "stopped", "host": host, "port": port}


def warm_starting_points_in_background(state: Any) -> Any:
    """The explorer's starting points, recomputed in a daemon thread when the stored ones are
    from an earlier scoring (``portsentinel score`` ran since): the first analyst need not
    wait for them. Nothing happens without a graph or scores; a failure is only logged."""
    import threading

    def run() -> None:
        from api import starting_points_store as sp

        try:
            if not sp.is_current(state):
                out = sp.warm(state, state.store())
                print(f"[serve] starting points computed in {out['seconds']} s", file=sys.stderr)
        except Exception as e:  # noqa: BLE001 - the route computes them on first use instead
            print(f"[serve] starting points not precomputed: {type(e).__name__}: {e}",
                  file=sys.stderr)

    t = threading.Thread(target=run, name="starting-points", daemon=True)
    t.start()
    return t


def audit_verify(args: argparse.Namespace) -> dict[str, Any]:
    from api.audit import AuditLog
    from api.config import get_settings

    s = get_settings()
    path = s.api_dir / "audit.sqlite"
    anchors = s.anchor_path()
    if not path.exists():
        if anchors.exists():
            return {"ok": False, "entries": 0, "path": str(path), "exit_code": 3,
                    "text": f"AUDIT LOG TAMPERED: {path} is gone but {anchors} anchors it"}
        return {"ok": True, "entries": 0, "path": str(path), "text": f"no audit log at {path}"}
    log_ = AuditLog(path, s.audit_key_bytes(), anchors)
    try:
        res = log_.verify()
    finally:
        log_.close()
    res["path"], res["anchor_file"] = str(path), str(anchors)
    if res["ok"]:
        res["text"] = (f"audit log OK: {res['entries']} entries, head {res['head']}, "
                       f"{res.get('anchors', 0)} anchors (latest at entry "
                       f"{res.get('anchored_seq', 0)}) in {anchors}")
    else:
        res["text"] = f"AUDIT LOG TAMPERED: {res['reason']}"
        res["exit_code"] = 3
    return res


def audit_export(args: argparse.Namespace) -> dict[str, Any]:
    from api.audit import AuditLog
    from api.config import get_settings

    s = get_settings()
    log_ = AuditLog(s.api_dir / "audit.sqlite", s.audit_key_bytes(), s.anchor_path())
    try:
        body = log_.export(args.format)
    finally:
        log_.close()
    args.out.write_text(body, encoding="utf-8")
    return {"out": str(args.out), "lines": body.count("\n")}


def demo(args: argparse.Namespace) -> dict[str, Any]:
    from api.demo import demo as run_demo

    return run_demo(args, serve=_uvicorn)

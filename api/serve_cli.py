"""``portsentinel serve``, ``portsentinel demo`` and ``portsentinel audit verify``.

Handlers return a dict (api/cli.py prints it); uvicorn, fastapi and the other packages are
imported only when a handler runs.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger("api.cli")
DEMO_USERS = (  # username, role, extra
    ("analyst", "analyst", {"display_name": "风险分析员 Analyst"}),
    ("analyst_pii", "analyst", {"display_name": "分析员(含个人信息授权)", "grants": ["pii"]}),
    ("inspector", "inspector", {"display_name": "查验关员 Inspector"}),
    ("duty", "duty_officer", {"display_name": "值班员 Duty officer"}),
    ("trader", "trader", {"display_name": "企业用户 Trader"}),
)


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("serve", parents=[common], help="serve the API and web UI (uvicorn)")
    p.add_argument("--host", default=None, help="default PS_API_HOST or 127.0.0.1")
    p.add_argument("--port", type=int, default=None, help="default PS_API_PORT or 8000")
    p.set_defaults(handler=serve)

    d = sub.add_parser("demo", parents=[common],
                       help="first run: graph engine, load data, train, index, users, serve")
    d.add_argument("--shared", type=Path, default=Path("../shared"),
                   help="the shared folder with data/ and corpus/")
    d.add_argument("--no-serve", action="store_true", help="prepare everything, do not serve")
    d.add_argument("--kcs-limit", type=int, default=None,
                   help="load only the first N rows of each KCS file (a quicker first look)")
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

    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False)


def serve(args: argparse.Namespace) -> dict[str, Any]:
    from api.config import get_settings
    from api.main import create_app

    s = get_settings()
    host, port = args.host or s.host, args.port or s.port
    print(f"[serve] http://{host}:{port}/ui/  (API docs /docs)", file=sys.stderr)
    _uvicorn(create_app(settings=s), host, port)
    return {"text": "stopped", "host": host, "port": port}


def audit_verify(args: argparse.Namespace) -> dict[str, Any]:
    from api.audit import AuditLog
    from api.config import get_settings

    path = get_settings().api_dir / "audit.sqlite"
    if not path.exists():
        return {"ok": True, "entries": 0, "path": str(path), "text": f"no audit log at {path}"}
    log_ = AuditLog(path)
    try:
        res = log_.verify()
    finally:
        log_.close()
    res["path"] = str(path)
    if res["ok"]:
        res["text"] = f"audit log OK: {res['entries']} entries, head {res['head']}"
    else:
        res["text"] = f"AUDIT LOG TAMPERED: {res['reason']}"
        res["exit_code"] = 3
    return res


def audit_export(args: argparse.Namespace) -> dict[str, Any]:
    from api.audit import AuditLog
    from api.config import get_settings

    log_ = AuditLog(get_settings().api_dir / "audit.sqlite")
    try:
        body = log_.export(args.format)
    finally:
        log_.close()
    args.out.write_text(body, encoding="utf-8")
    return {"out": str(args.out), "lines": body.count("\n")}


# ------------------------------------------------------------------ demo
def _step(name: str, fn: Any, *a: Any, **kw: Any) -> Any:
    print(f"[demo] {name} …", file=sys.stderr, flush=True)
    from api.errors import FeatureUnavailable

    try:
        out = fn(*a, **kw)
    except (ImportError, AttributeError, FeatureUnavailable) as e:
        print(f"[demo]   skipped: {name} — not available yet ({e})", file=sys.stderr)
        return None
    except Exception as e:  # noqa: BLE001 - one failed step must not stop the demo
        log.exception("demo step failed: %s", name)
        print(f"[demo]   FAILED: {name} — {type(e).__name__}: {e}", file=sys.stderr)
        return None
    return out


def _demo_graph() -> Any:
    from graph import open_store  # type: ignore[attr-defined]

    store = open_store()
    store.ensure_schema()
    print(f"[demo]   graph engine: {store.server_info()}", file=sys.stderr)
    return store


def _demo_load(state: Any, store: Any, shared: Path, limit: int | None) -> dict[str, Any]:
    counts = store.counts().get("nodes", {})
    if counts.get("Declaration", 0) > 0:
        print(f"[demo]   data already loaded ({counts.get('Declaration')} declarations): reused",
              file=sys.stderr)
        return {"reused": True, "declarations": counts.get("Declaration")}
    from api import services

    out = {}
    for f in sorted((shared / "data" / "customs-kcs").glob("*.csv")):
        out[f.name] = rep = services.load_kcs(state, store, f, limit=limit)
        state.audit.append(actor="demo", role="system", action="ingest.kcs", target_type="source",
                           target_id=f"kcs:{f.name}", detail={"report": rep})
        print(f"[demo]   loaded {f.name}: {rep}", file=sys.stderr)
    return out


def _demo_train(state: Any, store: Any) -> Any:
    from api import services

    try:
        if services.promoted_model(state):
            print("[demo]   a promoted model exists: reused", file=sys.stderr)
            return {"reused": True}
    except Exception:  # noqa: BLE001 - no registry yet: train
        pass
    from training.train import train_from_store

    out = train_from_store(store=store, promote=True, data_dir=state.settings.data_dir)
    state.audit.append(actor="demo", role="system", action="model.promote", target_type="model",
                       target_id=str(out.get("version")), detail={"metrics": out.get("metrics")})
    print(f"[demo]   trained and promoted {out.get('version')}: {out.get('metrics')}",
          file=sys.stderr)
    return out


def _demo_score(state: Any, store: Any) -> Any:
    from api import services
    from risk.scoring import batch_score

    model, info = services.serving_model(state)
    first = store.search("", labels=["Declaration"], limit=1)
    if first and first[0].props.get("model_version") == info.get("serving"):
        print("[demo]   scores of the promoted model already written: reused", file=sys.stderr)
        return {"reused": True}
    out = batch_score(store=store, model=model, model_version=info.get("serving"))
    print(f"[demo]   scored: {out}", file=sys.stderr)
    return out


def _demo_index(state: Any, shared: Path) -> Any:
    from api import services

    try:
        kb = services.knowledge_base(state)
        print(f"[demo]   knowledge index exists ({len(kb.articles)} articles): reused",
              file=sys.stderr)
        return {"reused": True}
    except Exception:  # noqa: BLE001 - not built yet
        state.cache.pop("kb", None)
    from knowledge import KnowledgeSettings, build_kb

    ks = KnowledgeSettings(data_dir=state.settings.data_dir)
    guide = shared / "docs" / "HS-T-82-2024-smart-port-guide.txt"
    kb, report = build_kb(corpus_dir=shared / "corpus" / "laws-cn", settings=ks,
                          extra_files=[guide] if guide.exists() else [])
    state.cache["kb"] = kb
    print(f"[demo]   knowledge index built: {report}", file=sys.stderr)
    return report


def _demo_trader_enterprise(store: Any) -> str | None:
    from api import services

    for ent in store.search("", labels=["Enterprise"], limit=200):
        if services.enterprise_declarations(store, ent.key, limit=5):
            return ent.key
    return None


def _demo_users(state: Any, store: Any) -> list[dict[str, str]]:
    from api.security import new_password

    path = state.settings.api_dir / "demo-users.json"
    saved = json.loads(path.read_text()) if path.exists() else {}
    ent = _demo_trader_enterprise(store) if store is not None else None
    out = []
    for username, role, extra in DEMO_USERS:
        kw = dict(extra)
        if role == "trader":
            kw["enterprise_key"] = ent or "DEMO-ENTERPRISE"
        password = saved.get(username) or new_password()
        user, created = state.users.ensure(username=username, password=password, role=role, **kw)
        if not created and username not in saved:
            password = "(set earlier; not shown)"
        saved.setdefault(username, password)
        out.append({"username": username, "role": role, "password": password,
                    "enterprise_key": user.enterprise_key or ""})
    path.write_text(json.dumps(saved, indent=1))
    os.chmod(path, 0o600)
    return out


def demo(args: argparse.Namespace) -> dict[str, Any]:
    from api.config import get_settings
    from api.main import create_app

    s = get_settings()
    shared = args.shared.resolve()
    print(f"[demo] data dir {s.data_dir.resolve()}  shared {shared}", file=sys.stderr)
    store = None
    try:
        store = _demo_graph()
    except ImportError as e:
        print(f"[demo]   skipped: graph engine not available yet ({e})", file=sys.stderr)
    app = create_app(settings=s, store=store)
    state = app.state.ps
    if store is not None:
        _step("loading ../shared/data (KCS declarations)", _demo_load, state, store, shared,
              args.kcs_limit)
        _step("training and promoting a model", _demo_train, state, store)
        _step("scoring entities", _demo_score, state, store)
    _step("building the knowledge index", _demo_index, state, shared)
    users = _demo_users(app.state.ps, store)
    port = args.port or s.port
    lines = ["", "PortSentinel demo 智慧口岸风险情报",
             f"  UI        http://127.0.0.1:{port}/ui/   (中文 / English toggle top right)",
             f"  API docs  http://127.0.0.1:{port}/docs",
             f"  data      {s.data_dir.resolve()}  (audit log: {s.api_dir.resolve()}/audit.sqlite)",
             "  users (password):",
             f"    {s.admin_user:<12} admin         "
             + (s.admin_password.get_secret_value() if s.env == "development"
                and s.admin_password.get_secret_value() == "change-me"
                else "(PS_API_ADMIN_PASSWORD)")]
    for u in users:
        lines.append(f"    {u['username']:<12} {u['role']:<13} {u['password']}"
                     + (f"  enterprise {u['enterprise_key']}" if u["enterprise_key"] else ""))
    print("\n".join(lines), file=sys.stderr, flush=True)
    if not args.no_serve:
        _uvicorn(app, "127.0.0.1", port)
    return {"users": users, "port": port, "text": "demo stopped" if not args.no_serve else "ready"}

"""``portsentinel graph start|stop|status|counts``.

``graph start`` runs the embedded ArcadeDB server of PS_DATA_DIR in the foreground until
SIGTERM/Ctrl-C; ``graph start --detach`` runs it as a background daemon (log in
``<PS_DATA_DIR>/arcadedb/server.log``) and returns once Bolt answers. While it runs, every
other ``portsentinel`` command (serve, ingest, ...) connects to it over Bolt instead of
starting its own engine. ``graph stop`` sends the owner SIGTERM and waits.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from typing import Any


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("graph", help="the graph engine: start, stop, status, counts")
    gsub = p.add_subparsers(dest="graph_command", metavar="ACTION")
    gsub.required = True
    s = gsub.add_parser("start", parents=[common],
                        help="run the embedded engine (foreground; --detach for a daemon)")
    s.add_argument("--detach", action="store_true", help="run in the background and return")
    s.add_argument("--timeout", type=float, default=180.0, help="seconds to wait for --detach")
    s.set_defaults(handler=_start)
    gsub.add_parser("stop", parents=[common], help="stop the embedded engine daemon"
                    ).set_defaults(handler=_stop)
    gsub.add_parser("status", parents=[common], help="which engine, where, running?"
                    ).set_defaults(handler=_status)
    gsub.add_parser("counts", parents=[common], help="node and relationship counts"
                    ).set_defaults(handler=_counts)


def _settings():
    from graph.config import GraphSettings
    return GraphSettings()


def _start(args: argparse.Namespace) -> dict[str, Any]:
    from graph import embedded
    settings = _settings()
    if settings.uri:
        return {"started": False, "exit_code": 1,
                "reason": f"PS_GRAPH_URI is set ({settings.uri}): nothing to start here"}
    state = embedded.running_server(settings)
    if state:
        return {"started": False, "already_running": True, **_public(state),
                "text": f"already running: bolt://127.0.0.1:{state['bolt_port']} "
                        f"(pid {state['pid']})"}
    if not args.detach:
        embedded.serve_forever(settings, ready=lambda line: print(line, flush=True))
        return {"started": True, "stopped": True, "text": "graph engine stopped"}
    d = embedded.engine_dir(settings)
    d.mkdir(parents=True, exist_ok=True)
    log_path = d / "server.log"
    with open(log_path, "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "graph.embedded"], stdin=subprocess.DEVNULL,
                                stdout=log, stderr=log, start_new_session=True,
                                env={**os.environ, "PS_DATA_DIR": str(settings.data_dir)})
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        state = embedded.running_server(settings)
        if state and state.get("pid") == proc.pid:
            return {"started": True, **_public(state), "log": str(log_path),
                    "text": f"graph engine running: bolt://127.0.0.1:{state['bolt_port']} "
                            f"(pid {proc.pid}, data {d}, log {log_path})"}
        if proc.poll() is not None:
            break
        time.sleep(0.5)
    if proc.poll() is None:
        proc.terminate()
    return {"started": False, "exit_code": 1, "log": str(log_path),
            "reason": f"the engine did not come up; see {log_path}"}


def _public(state: dict[str, Any]) -> dict[str, Any]:
    return {k: state[k] for k in ("pid", "bolt_port", "http_port", "database", "data_dir",
                                  "started_at") if k in state}


def _stop(args: argparse.Namespace) -> dict[str, Any]:
    from graph import embedded
    r = embedded.stop_server(_settings())
    r["text"] = ("graph engine stopped" if r.get("stopped") else
                 f"not stopped: {r.get('reason')}")
    return r


def _status(args: argparse.Namespace) -> dict[str, Any]:
    from graph import embedded
    settings = _settings()
    if settings.uri:
        return {"mode": "server", "uri": settings.uri,
                "text": f"graph: Bolt server {settings.uri} (PS_GRAPH_URI)"}
    state = embedded.running_server(settings)
    d = str(embedded.engine_dir(settings))
    if state:
        return {"mode": "embedded", "running": True, **_public(state),
                "text": f"graph: embedded ArcadeDB running on "
                        f"bolt://127.0.0.1:{state['bolt_port']} (pid {state['pid']}, data {d})"}
    return {"mode": "embedded", "running": False, "data_dir": d,
            "text": f"graph: embedded ArcadeDB not running (data {d}); commands start it "
                    f"in-process, or `portsentinel graph start --detach`"}


def _counts(args: argparse.Namespace) -> dict[str, Any]:
    from graph import open_store
    store = open_store(_settings())
    try:
        c = store.counts()
        info = store.server_info()
    finally:
        store.close()
    lines = [f"{info['engine']} at {info['uri']}"]
    lines += [f"  {k:<14} {v:>9}" for k, v in sorted(c["nodes"].items())]
    lines += [f"  [:{k}]{' ' * max(1, 12 - len(k))}{v:>9}"
              for k, v in sorted(c["relationships"].items())]
    return {**c, "engine": info["engine"], "uri": info["uri"], "text": "\n".join(lines)}

"""``portsentinel warnings run|list`` (registered through api/cli.py's COMMAND_MODULES).

``warnings run`` re-examines the graph (or replays a JSON-lines file of events with
``--events``); with ``--json`` its last line is one object with ``evaluated`` and ``raised``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from risk.warnings.exceptions import EventError


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    w = sub.add_parser("warnings", parents=[common], help="warning rules and the warning queue")
    wsub = w.add_subparsers(dest="warnings_command", metavar="ACTION")
    wsub.required = True
    r = wsub.add_parser("run", parents=[common],
                        help="evaluate the rules now (graph scan, or --events FILE)")
    r.add_argument("--events", type=Path, default=None,
                   help="JSON lines of events/records to evaluate instead of scanning the graph")
    r.add_argument("--limit", type=int, default=1000, help="nodes per label to scan")
    r.set_defaults(handler=run)
    ls = wsub.add_parser("list", parents=[common], help="the warning queue, newest first")
    ls.add_argument("--status", default=None, help="e.g. open,acknowledged")
    ls.add_argument("--port", default=None)
    ls.add_argument("--level", default=None, help="e.g. 红,橙")
    ls.add_argument("--rule", default=None)
    ls.add_argument("--limit", type=int, default=50)
    ls.set_defaults(handler=list_)


def _read_events(path: Path) -> list[dict[str, Any]]:
    out = []
    with path.open(encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if line.strip():
                try:
                    out.append(json.loads(line))
                except json.JSONDecodeError as e:
                    raise EventError(f"{path}:{n}: not JSON: {e.msg}") from None
    return out


def run(args: argparse.Namespace) -> dict[str, Any]:
    from graph import open_store
    from risk.warnings import WarningService

    svc = WarningService()
    store = open_store()
    try:
        if args.events:
            res = svc.process(store, _read_events(args.events))
        else:
            res = svc.scan(store, limit=args.limit)
    finally:
        store.close()
        svc.close()
    out = res.to_json()
    lines = [f"evaluated {res.evaluated}, raised {res.raised}, merged {res.merged}, "
             f"suppressed {res.suppressed}, errors {res.errors}"]
    lines += [f"  [{w['level']}] #{w['id']} {w['rule']}: {w['message_zh']}"
              for w in res.warnings[:50]]
    return {**out, "text": "\n".join(lines)}


def list_(args: argparse.Namespace) -> dict[str, Any]:
    from risk.warnings import WarningService

    svc = WarningService()
    try:
        f = {"status": args.status, "port": args.port, "level": args.level, "rule": args.rule}
        items = svc.lifecycle.list(limit=args.limit, **f)
        total = svc.lifecycle.count(**f)
    finally:
        svc.close()
    text = "\n".join([f"{total} warnings"] + [
        f"#{w['id']} [{w['level']}] {w['status']:<12} {w['rule']:<32} {w['message_zh']}"
        for w in items])
    return {"total": total, "items": items, "text": text}

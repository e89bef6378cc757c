"""The ``portsentinel`` command line.

Each package contributes its subcommands from its own ``cli.py`` through
``register(subparsers, common)``; a handler takes the parsed ``args`` and returns a dict.
This module prints it: with ``--json`` the last line on stdout is that dict as one JSON
object; otherwise a readable rendering (the dict's ``"text"`` if it has one). Progress and
logs go to stderr. Library errors become exit code 1 with a one-line message naming the
problem; no traceback unless ``PS_DEBUG=1``.

Nothing heavy is imported here: handlers import torch, faiss, fastapi... when they run.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any, Callable

import graph.cli
import ingest.cli
import knowledge.cli
import qa.cli
import risk.cli
import risk.warnings.cli
import training.cli
from api import serve_cli

# modules that contribute subcommands, in help order
COMMAND_MODULES = (graph.cli, ingest.cli, training.cli, risk.cli, risk.warnings.cli,
                   knowledge.cli, qa.cli, serve_cli)

Handler = Callable[[argparse.Namespace], dict[str, Any]]


def build_parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true",
                        help="print the result as one JSON object on the last line")
    parser = argparse.ArgumentParser(
        prog="portsentinel",
        description="PortSentinel 智慧口岸风险情报: graph, ingest, risk models, consulting, API.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for module in COMMAND_MODULES:
        module.register(sub, common)
    return parser


def _render(result: dict[str, Any]) -> str:
    if "text" in result and isinstance(result["text"], str):
        return result["text"]
    return json.dumps(result, ensure_ascii=False, indent=2, default=str)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=os.environ.get("PS_LOG_LEVEL", "INFO"), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        result = handler(args) or {}
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the CLI's one catch-all, shown as a message
        if os.environ.get("PS_DEBUG") == "1":
            raise
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps({"error": type(e).__name__, "detail": str(e)}, ensure_ascii=False))
        return 1
    exit_code = int(result.pop("exit_code", 0)) if isinstance(result, dict) else 0
    if getattr(args, "json", False):
        result.pop("text", None)
        print(json.dumps(result, ensure_ascii=False, default=str))
    else:
        print(_render(result))
    return exit_code


def run() -> None:
    """Console-script entry: exit without the embedded JVM's crash-prone finalisation."""
    from graph.process import exit_process

    code = main()
    exit_process(code)
    raise SystemExit(code)


if __name__ == "__main__":
    run()

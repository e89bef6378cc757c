"""``portsentinel ingest ...`` and ``portsentinel export sandbox``.

Handlers return the load report as a dict (one JSON object on the last line with --json);
progress goes to stderr. Heavy modules are imported inside the handlers.
"""

from __future__ import annotations

import argparse
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


@contextmanager
def _store(dry_run: bool) -> Iterator[Any]:
    if dry_run:
        yield None
        return
    from graph import open_store

    store = open_store()
    try:
        yield store
    finally:
        store.close()


def _text(rep: dict[str, Any]) -> str:
    lines = [f"{rep.get('source', '')}: read {rep['read']}, loaded {rep['loaded']}, "
             f"quarantined {rep['quarantined']}, duplicates {rep['duplicates']} "
             f"in {rep['seconds']:.1f}s"]
    for r, n in sorted((rep.get("reasons") or {}).items(), key=lambda x: -x[1]):
        lines.append(f"  {n:>7}  {r}")
    if rep.get("quarantined"):
        lines.append(f"  quarantine: {rep.get('quarantine_file')}")
    return "\n".join(lines)


def _combine(reports: list) -> dict[str, Any]:
    from ingest.pipeline import LoadReport

    if len(reports) == 1:
        out = reports[0].to_json()
    else:
        tot = LoadReport(source=",".join(r.source for r in reports))
        for r in reports:
            tot.add(r)
            tot.seconds += r.seconds
        out = tot.to_json()
        out["files"] = [r.to_json() for r in reports]
    out["text"] = _text(out)
    return out


def _kcs(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.readers.kcs import load_kcs

    with _store(args.dry_run) as store:
        reps = [load_kcs(p, store, progress=True, limit=args.limit, dry_run=args.dry_run)
                for p in args.paths]
    return _combine(reps)


def _file(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.readers.mapped import load_file

    with _store(args.dry_run) as store:
        reps = [load_file(p, args.mapping, store, progress=True, dry_run=args.dry_run)
                for p in args.paths]
    return _combine(reps)


def _synthetic(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.synthetic.load import generate_and_load

    with _store(args.dry_run or args.no_load) as store:
        out = generate_and_load(declarations=args.declarations, seed=args.seed, out=args.out,
                                store=store, load=not args.no_load, progress=True,
                                dry_run=args.dry_run)
    out["text"] = (f"world seed {args.seed}: {args.declarations} declarations written to "
                   f"{out['out']}" + ("" if args.no_load else
                                      f"; loaded {out['loaded']} rows, quarantined "
                                      f"{out['quarantined']} in {out['seconds']:.1f}s"))
    return out


def _watch(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.stream import watch

    with _store(args.dry_run) as store:
        out = watch(args.dir, store, mapping=args.mapping, once=args.once,
                    interval=args.interval, max_polls=args.max_polls, dry_run=args.dry_run)
    out["text"] = (f"watched {args.dir}: {out['files']} files, loaded {out['loaded']}, "
                   f"quarantined {out['quarantined']}")
    return out


def _resolve(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.resolve import resolve_store

    with _store(False) as store:
        out = resolve_store(store, apply=not args.dry_run)
    out["text"] = (f"resolution: {out['mentions']} mentions -> {out['entities']} entities, "
                   f"{out['merges']} merges")
    return out


def _sandbox(args: argparse.Namespace) -> dict[str, Any]:
    from ingest.desensitise import export_sandbox

    with _store(False) as store:
        out = export_sandbox(store, args.out)
    out["text"] = f"sandbox written to {out['out']}: " + ", ".join(
        f"{k} {v}" for k, v in out["tables"].items())
    return out


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    ing = sub.add_parser("ingest", parents=[common],
                         help="load sources (KCS, mapped CSV/JSONL, synthetic world, watch)")
    isub = ing.add_subparsers(dest="ingest_command", metavar="SOURCE")
    isub.required = True

    def add(name: str, help_: str, handler) -> argparse.ArgumentParser:
        p = isub.add_parser(name, parents=[common], help=help_)
        p.set_defaults(handler=handler)
        return p

    p = add("kcs", "KCS customs declarations CSV (shared/data/customs-kcs)", _kcs)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--limit", type=int, default=None, help="first N data rows only")
    p.add_argument("--dry-run", action="store_true", help="validate and quarantine, write nothing")

    p = add("file", "CSV/JSONL file through a YAML mapping", _file)
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--mapping", required=True, metavar="M.yaml",
                   help="mapping file, or the name of one in ingest/mappings/")
    p.add_argument("--dry-run", action="store_true")

    p = add("synthetic", "generate a simulated port world and load it", _synthetic)
    p.add_argument("--declarations", type=int, default=10_000, metavar="N")
    p.add_argument("--seed", type=int, default=7, metavar="S")
    p.add_argument("--out", default=None, metavar="DIR",
                   help="where the source files go (default PS_DATA_DIR/synthetic/seed-S-N)")
    p.add_argument("--no-load", action="store_true", help="only write the files")
    p.add_argument("--dry-run", action="store_true", help="validate, write nothing to the graph")

    p = add("watch", "poll a folder and load new or changed files", _watch)
    p.add_argument("dir", metavar="DIR")
    p.add_argument("--mapping", default=None,
                   help="mapping for files whose name does not say (default: by file name)")
    p.add_argument("--interval", type=float, default=None, metavar="SECONDS")
    p.add_argument("--once", action="store_true", help="one poll, then exit")
    p.add_argument("--max-polls", type=int, default=None, help=argparse.SUPPRESS)
    p.add_argument("--dry-run", action="store_true")

    p = add("resolve", "entity resolution over the graph's Enterprise/Person nodes", _resolve)
    p.add_argument("--dry-run", action="store_true", help="report merges, write nothing")

    try:
        exp = sub.add_parser("export", parents=[common], help="desensitised exports")
    except argparse.ArgumentError:  # another package registered 'export' first
        return
    esub = exp.add_subparsers(dest="export_command", metavar="WHAT")
    esub.required = True
    p = esub.add_parser("sandbox", parents=[common],
                        help="desensitised copy of the graph for model building (§7.2.4 c)")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=_sandbox)

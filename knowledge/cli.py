"""``portsentinel knowledge …`` subcommands: build, show, documents (``knowledge search`` is
registered by qa.cli, where retrieval lives)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def _progress(msg: str) -> None:
    print(f"[knowledge] {msg}", file=sys.stderr, flush=True)


def cmd_build(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.build import build_kb
    from knowledge.config import settings

    s = settings()
    corpus = Path(args.corpus) if args.corpus else s.corpus_dir
    extra = [Path(p) for p in (args.extra or [])]
    if not args.no_guide:
        extra += [p for p in s.extra_files if p not in extra]
    _, report = build_kb(corpus_dir=corpus, extra_files=extra, settings=s,
                         dense=False if args.no_dense else None, progress=_progress)
    report["text"] = (f"indexed {report['documents']} texts ({report['articles']} articles, "
                      f"{report['sections']} sections) into {report['index_dir']} in "
                      f"{report['total_s']:.1f}s; bad files: {len(report['bad_files'])}")
    return report


def cmd_show(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.kb import KnowledgeBase

    kb = KnowledgeBase.load()
    a = kb.article(args.id)
    d = a.to_json()
    d["text_render"] = d.pop("text")
    d["text"] = f"{a.citation}（{a.version_date or '日期不详'}）\n{a.text}"
    return d


def cmd_docs(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.kb import KnowledgeBase

    kb = KnowledgeBase.load()
    docs = [d.to_json() for d in kb.docs.values()
            if not args.kind or d.kind == args.kind]
    return {"count": len(docs), "documents": docs,
            "text": "\n".join(f"{d['id']}  {d['kind']}  {d['title']} ({d['version_date']})"
                              for d in docs)}


def register(sub, common) -> None:
    p = sub.add_parser("knowledge", parents=[common], help="regulation knowledge base")
    ks = p.add_subparsers(dest="knowledge_command", metavar="ACTION")
    ks.required = True
    p.set_defaults(knowledge_actions=ks)
    b = ks.add_parser("build", parents=[common], help="parse a corpus folder and build indexes")
    b.add_argument("--corpus", help="corpus folder (default: PS_KNOWLEDGE_CORPUS_DIR)")
    b.add_argument("--extra", action="append", metavar="FILE",
                   help="extra text file to index (repeatable)")
    b.add_argument("--no-guide", action="store_true",
                   help="do not add the smart-port guide (PS_KNOWLEDGE_EXTRA_FILES)")
    b.add_argument("--no-dense", action="store_true", help="BM25 only, no embeddings")
    b.set_defaults(handler=cmd_build)
    sh = ks.add_parser("show", parents=[common], help="one article by id")
    sh.add_argument("id")
    sh.set_defaults(handler=cmd_show)
    d = ks.add_parser("documents", parents=[common], help="list indexed texts")
    d.add_argument("--kind", help="法律 / 行政法规 / 部门规章 / 司法解释 / 案例 / guide / 其他")
    d.set_defaults(handler=cmd_docs)


def knowledge_actions(sub) -> argparse._SubParsersAction:
    """The ACTION subparsers of ``portsentinel knowledge`` (after ``register``), so that
    another package can add an action: qa.cli adds ``knowledge search``."""
    return sub.choices["knowledge"].get_default("knowledge_actions")

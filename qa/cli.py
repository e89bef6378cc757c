"""``portsentinel ask``, ``portsentinel qa-eval`` and ``portsentinel knowledge search``."""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path
from typing import Any


def _progress(msg: str) -> None:
    print(f"[qa] {msg}", file=sys.stderr, flush=True)


def cmd_ask(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.kb import KnowledgeBase
    from qa.service import ConsultService

    svc = ConsultService(KnowledgeBase.load()).warm_up()
    res = svc.answer(args.question, history=args.history or None).to_json()
    lines = [res["answer"], f"(confidence {res['confidence']:.2f})"]
    for c in res["citations"]:
        lines.append(f"  - {c['citation']} [{c['version_date']}] id={c['article_id']}")
    res["text"] = "\n".join(lines)
    return res


def cmd_search(args: argparse.Namespace) -> dict[str, Any]:
    from knowledge.kb import KnowledgeBase
    from qa.retrieval import retriever_for

    kb = KnowledgeBase.load()
    hits = retriever_for(kb, args.mode).retrieve(args.query, args.k)
    rows = [{"id": h.article_id, "citation": kb.by_id[h.article_id].citation,
             "score": round(h.score, 4)} for h in hits]
    return {"query": args.query, "mode": args.mode, "hits": rows,
            "text": "\n".join(f"{r['score']:.3f}  {r['citation']}  [{r['id']}]" for r in rows)}


def kb_for_corpus(corpus: Path | None, *, no_dense: bool = False, rebuild: bool = False):
    """The index built from ``corpus`` (reused when it exists, else built under the data dir)."""
    from knowledge.build import build_kb
    from knowledge.config import settings
    from knowledge.exceptions import IndexNotBuiltError
    from knowledge.kb import KnowledgeBase

    s = settings()
    corpus = Path(corpus).resolve() if corpus else Path(s.corpus_dir).resolve()
    candidates = [Path(s.index_dir), Path(s.data_dir) / "knowledge-eval" /
                  hashlib.sha1(str(corpus).encode()).hexdigest()[:10]]
    if not rebuild:
        for folder in candidates:
            try:
                kb = KnowledgeBase.load(s, folder)
            except IndexNotBuiltError:
                continue
            if kb.meta.get("corpus_dir") and Path(kb.meta["corpus_dir"]).resolve() == corpus:
                _progress(f"using the index at {folder}")
                return kb
    _progress(f"building an index for {corpus} at {candidates[1]}")
    kb, _ = build_kb(corpus_dir=corpus, extra_files=s.extra_files, settings=s,
                     dense=False if no_dense else None, out_dir=candidates[1],
                     progress=_progress)
    return kb


def cmd_eval(args: argparse.Namespace) -> dict[str, Any]:
    from qa.config import settings as qs
    from qa.evaluate import evaluate, load_questions

    questions = load_questions(args.questions)
    kb = kb_for_corpus(Path(args.corpus) if args.corpus else None, no_dense=args.no_dense,
                       rebuild=args.rebuild)
    kb.warm_up()
    res = evaluate(kb, questions, mode=args.mode, k=10,
                   threshold=qs().refusal_threshold, per_question=args.details)
    res["questions_file"] = str(args.questions)
    res["text"] = "\n".join(f"{k}: {v}" for k, v in res.items() if k != "questions")
    return res


def register(sub, common) -> None:
    from knowledge.cli import knowledge_actions
    from qa.config import DEFAULT_MODE, MODES

    s = knowledge_actions(sub).add_parser("search", parents=[common],
                                          help="retrieve articles for a query")
    s.add_argument("query")
    s.add_argument("-k", type=int, default=10)
    s.add_argument("--mode", default=DEFAULT_MODE, choices=list(MODES))
    s.set_defaults(handler=cmd_search)
    a = sub.add_parser("ask", parents=[common], help="ask the regulation consultant")
    a.add_argument("question")
    a.add_argument("--history", action="append", metavar="QUESTION",
                   help="an earlier question of the same conversation (repeatable)")
    a.set_defaults(handler=cmd_ask)
    e = sub.add_parser("qa-eval", parents=[common],
                       help="retrieval/answer quality on a JSONL questions file")
    e.add_argument("--corpus", help="corpus folder the index is built from")
    e.add_argument("--questions", required=True, help="JSONL questions file")
    e.add_argument("--mode", default=DEFAULT_MODE, choices=list(MODES))
    e.add_argument("--no-dense", action="store_true", help="build without embeddings")
    e.add_argument("--rebuild", action="store_true", help="rebuild the index first")
    e.add_argument("--details", action="store_true", help="include per-question rows")
    e.set_defaults(handler=cmd_eval)

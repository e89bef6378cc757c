"""Retrieval and answer quality on a questions file (JSONL).

Each line: ``{"question": str, "gold": [{"law": "<title as in the # line>", "article": "第X条"}],
"answerable": true|false (default true), "history": [earlier questions] (optional)}``.
Gold may name the text by ``file`` (path relative to the corpus root, as in
``bench/qa_eval/``: a hit on another version of the same title is then a miss) and ``title``
instead of ``law``. A hit is any gold article among the top k retrieved articles.
"""

from __future__ import annotations

import hashlib
import json
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from qa.base import Understanding
from qa.exceptions import EvaluationError
from qa.extractive import ExtractiveGenerator
from qa.config import DEFAULT_MODE
from qa.config import settings as qa_settings
from qa.retrieval import retrieve_passages, retriever_for
from qa.understanding import understand


def load_questions(path: str | Path) -> list[dict[str, Any]]:
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, start=1):
            if not line.strip():
                continue
            try:
                q = json.loads(line)
            except json.JSONDecodeError as e:
                raise EvaluationError(f"{path}:{n}: not JSON ({e})") from e
            if not isinstance(q.get("question"), str) or not q["question"].strip():
                raise EvaluationError(f"{path}:{n}: field 'question' missing or empty")
            q.setdefault("answerable", bool(q.get("gold")))
            if q["answerable"] and not q.get("gold"):
                raise EvaluationError(f"{path}:{n}: answerable question without 'gold'")
            for g in q.get("gold") or []:
                if "law" not in g and "file" not in g:
                    raise EvaluationError(f"{path}:{n}: gold entry without 'law' or 'file'")
            out.append(q)
    return out


def split_of(key: str) -> str:
    """The fixed split rule of every evaluation set, set before any tuning: ``"tune"`` when
    sha256(key) is even, else ``"test"`` (key: a question's ``id``, else its text)."""
    return "tune" if int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 2 == 0 \
        else "test"


def eval_sets(eval_dir: str | Path, dev_file: str | Path | None = None,
              holdout_file: str | Path | None = None) -> dict[str, list[dict[str, Any]]]:
    """The consulting evaluation sets by name. ``tune``/``test``: the halves of
    ``situations.jsonl`` (questions from real situations, gold looked up afterwards);
    ``dev-tune``/``dev-test``: the halves of the article-in-view dev set (``dev_file``) by
    ``split_of(question)``; ``cases``: ``cases.jsonl`` (report only, never tuned on);
    ``holdout``: a set written after an earlier round's tuning (report only)."""
    eval_dir = Path(eval_dir)
    sit = load_questions(eval_dir / "situations.jsonl")
    for q in sit:
        if q.get("split") != split_of(q["id"]):
            raise EvaluationError(f"{q['id']}: split {q.get('split')!r} is not the fixed rule's")
    sets = {"tune": [q for q in sit if q["split"] == "tune"],
            "test": [q for q in sit if q["split"] == "test"]}
    if dev_file is not None:
        dev = load_questions(dev_file)
        sets["dev-tune"] = [q for q in dev if split_of(q["question"]) == "tune"]
        sets["dev-test"] = [q for q in dev if split_of(q["question"]) == "test"]
    sets["cases"] = load_questions(eval_dir / "cases.jsonl")
    if holdout_file is not None:
        sets["holdout"] = load_questions(holdout_file)
    return sets


def _is_gold(a, gold: list[dict[str, str]], kb=None) -> bool:
    for g in gold:
        if g.get("article") and a.number != g["article"]:
            continue
        if "file" in g and kb is not None:
            d = kb.docs.get(a.doc_id)
            if d is not None and d.path == g["file"]:
                return True
        elif a.law == g.get("law", g.get("title")):
            return True
    return False


@contextmanager
def without_docs(kb, path_prefix: str = "案例/"):
    """Hide the texts under ``path_prefix`` from every retriever (as tombstones) for the
    duration: the case set's own case texts would otherwise be the top hit of each case's
    question. BM25 statistics still count them (52 of 1,565 texts)."""
    hidden = {a.id for a in kb.articles
              if kb.docs.get(a.doc_id) and kb.docs[a.doc_id].path.startswith(path_prefix)}
    hidden -= kb.removed
    kb.removed |= hidden
    try:
        yield len(hidden)
    finally:
        kb.removed -= hidden


def _history(kb, q: dict) -> list[Understanding]:
    hist: list[Understanding] = []
    for h in q.get("history") or []:
        hist.append(understand(h, kb, hist))
    return hist


def evaluate(kb, questions: Iterable[dict[str, Any]], *, mode: str = DEFAULT_MODE, k: int = 10,
             threshold: float | None = None, answer: bool = True, per_question: bool = False,
             retriever=None) -> dict[str, Any]:
    """Recall@1/5/10, MRR@10 (answerable questions) and, with ``answer``, answer/refusal
    rates, citation precision and first-citation-gold; latency per question (understanding
    + retrieval, query embedding included, + answer). ``retriever`` overrides ``mode``."""
    if threshold is None:
        threshold = qa_settings().refusal_threshold
    questions = list(questions)
    retriever = retriever or retriever_for(kb, mode)
    gen = ExtractiveGenerator(threshold=threshold)
    ranks: list[int | None] = []
    lat: list[float] = []
    answered_ok = refused_unans = n_unans = n_ans = 0
    cite_total = cite_gold = cite_in_retrieved = answers_with_gold = first_gold = 0
    rows = []
    for q in questions:
        t0 = time.perf_counter()
        u = understand(q["question"], kb, _history(kb, q))
        passages = retrieve_passages(retriever, kb, u, k)
        ans = gen.generate(u, passages) if answer else None
        lat.append((time.perf_counter() - t0) * 1e3)
        row: dict[str, Any] = {"question": q["question"], "answerable": q["answerable"]}
        if ans is not None:
            row.update(answered=ans.answered, confidence=round(ans.confidence, 4),
                       cited=[c.citation for c in ans.citations])
            retrieved = {p.article_id for p in passages}
            cite_in_retrieved += sum(c.article_id in retrieved for c in ans.citations)
        if q["answerable"]:
            n_ans += 1
            rank = next((i for i, p in enumerate(passages, start=1)
                         if _is_gold(kb.by_id[p.article_id], q["gold"], kb)), None)
            ranks.append(rank)
            row["rank"] = rank
            if ans is not None and ans.answered:
                answered_ok += 1
                cite_total += len(ans.citations)
                good = sum(_is_gold(kb.by_id[c.article_id], q["gold"], kb) for c in ans.citations)
                cite_gold += good
                answers_with_gold += good > 0
                first_gold += bool(ans.citations) and _is_gold(
                    kb.by_id[ans.citations[0].article_id], q["gold"], kb)
        else:
            n_unans += 1
            if ans is not None and not ans.answered:
                refused_unans += 1
        row["top"] = [kb.by_id[p.article_id].citation for p in passages[:3]]
        rows.append(row)

    def recall(n: int) -> float:
        return sum(1 for r in ranks if r is not None and r <= n) / max(len(ranks), 1)

    mrr = sum(1.0 / r for r in ranks if r is not None and r <= 10) / max(len(ranks), 1)
    all_cites = sum(len(r.get("cited", [])) for r in rows)
    res: dict[str, Any] = {
        "n": len(questions), "n_answerable": n_ans, "n_unanswerable": n_unans, "mode": mode,
        "recall@1": round(recall(1), 4), "recall@5": round(recall(5), 4),
        "recall@10": round(recall(10), 4), "mrr@10": round(mrr, 4),
    }
    if answer:
        res.update({
            "citation_precision": round(cite_gold / cite_total, 4) if cite_total else None,
            "citations_in_retrieved": round(cite_in_retrieved / all_cites, 4) if all_cites else 1.0,
            "refusal_rate": round(refused_unans / n_unans, 4) if n_unans else None,
            "answer_rate": round(answered_ok / n_ans, 4) if n_ans else None,
            "answers_citing_gold": round(answers_with_gold / answered_ok, 4) if answered_ok
            else None,
            # of the answered answerable questions: the first citation is a gold article
            "first_citation_gold": round(first_gold / answered_ok, 4) if answered_ok else None,
            "threshold": threshold,
        })
    res["latency_ms_p50"] = round(float(np.percentile(lat, 50)), 2) if lat else None
    res["latency_ms_p95"] = round(float(np.percentile(lat, 95)), 2) if lat else None
    if per_question:
        res["questions"] = rows
    return res


def calibrate(rows: list[dict[str, Any]], target_answer: float = 0.9) -> dict[str, float]:
    """Pick the refusal threshold that maximises refusals of unanswerables while keeping the
    share of answerable questions answered >= ``target_answer`` (rows from per_question).
    Rows with a ``set`` field: the share must hold in every set, not only pooled."""
    groups: dict[Any, list[float]] = {}
    for r in rows:
        if r["answerable"]:
            groups.setdefault(r.get("set"), []).append(r["confidence"])
    ans = sorted(c for g in groups.values() for c in g)
    una = [r["confidence"] for r in rows if not r["answerable"]]
    best = {"threshold": 0.0, "answer_rate": 1.0, "refusal_rate": 0.0}
    for t in sorted(set(ans + una)):
        ar = min(sum(c >= t for c in g) / len(g) for g in groups.values()) if groups else 1.0
        if ar < target_answer:
            break
        rr = sum(c < t for c in una) / max(len(una), 1)
        if rr >= best["refusal_rate"]:
            best = {"threshold": t, "answer_rate": ar, "refusal_rate": rr}
    return best

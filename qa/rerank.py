"""A feature-based reranker: cheap, transparent, and tuned on the dev set.

Weights: coordinate ascent on the even-numbered answerable questions of
tests/data/qa_dev.jsonl (objective MRR@10 + 0.5·R@10), checked on the odd-numbered ones
(full laws-cn index, BM25 stages): validation R@10 0.829 -> 0.876, MRR@10 0.598 -> 0.643.

score = w · features, where the features of (question, article) are:
  rrf        the fused reciprocal-rank score (scaled by 60, so ~1 for a top-1 hit)
  bigram     BM25 character-bigram score / the best such score among the candidates
  coverage   share of the question's content bigrams found in the article text
  title      share of the question's content bigrams found in the law title
  law        1 if the question names this article's law, -1 if it names another one
  number     1 if the question names this article number (and the law, when named)
  concepts   shared domain concepts (document types, licences, goods...) / 3, capped at 1
  core       1 for laws and administrative regulations, 0.5 for rules/interpretations, 0 else
  repealed   1 if the text is marked repealed by a later one
  domain     share of the text's articles that speak of ports, customs and trade
  definition 1 if the question asks what a term means and the article defines it (X是指…)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Sequence

from knowledge.models import Article
from knowledge.text import bigrams
from knowledge.wordlists import read_lines

DATA = Path(__file__).resolve().parent / "data"

DEFAULT_WEIGHTS = {"rrf": 0.1, "bigram": 1.5, "coverage": 3.0, "title": 0.0, "law": 1.5,
                   "number": 3.0, "concepts": 1.0, "core": 3.0, "repealed": -1.0, "domain": 0.75,
                   "definition": 1.0}
CORE_KIND = {"法律": 1.0, "行政法规": 1.0, "guide": 1.0, "部门规章": 0.5, "司法解释": 0.5}


@dataclass
class QueryFeatures:
    """What the reranker needs to know about the question."""

    bigrams: set[str]
    law_doc_ids: set[str] = field(default_factory=set)
    article_num: tuple[int, int] | None = None  # (num, suffix)
    concepts: set[str] = field(default_factory=set)
    define_terms: list[str] = field(default_factory=list)  # terms a "what is X" asks about


class FeatureReranker:
    name = "feature"

    def __init__(self, weights: dict[str, float] | None = None):
        self.weights = dict(DEFAULT_WEIGHTS if weights is None else weights)

    def features(self, q: QueryFeatures, a: Article, stages: dict[str, float],
                 best_bigram: float) -> dict[str, float]:
        text_bg = _bigram_set(a.id, a.text)
        title_bg = _bigram_set(a.law, a.law)
        n = max(len(q.bigrams), 1)
        law = 0.0
        if q.law_doc_ids:
            law = 1.0 if a.doc_id in q.law_doc_ids else -1.0
        number = 0.0
        if q.article_num and a.kind == "article" and (a.num, a.suffix) == q.article_num:
            number = 1.0 if (not q.law_doc_ids or a.doc_id in q.law_doc_ids) else 0.0
        art_concepts = {c["name"] for c in a.concepts}
        return {
            "rrf": stages.get("rrf", 0.0) * 60.0,
            "bigram": stages.get("bm25_bigrams", 0.0) / best_bigram if best_bigram > 0 else 0.0,
            "coverage": len(q.bigrams & text_bg) / n,
            "title": len(q.bigrams & title_bg) / n,
            "law": law,
            "number": number,
            "concepts": min(len(q.concepts & art_concepts) / 3.0, 1.0),
            "core": CORE_KIND.get(a.doc_kind, 0.0),
            "repealed": 1.0 if a.status == "已废止" else 0.0,
            "domain": stages.get("domain", 0.0),
            "definition": 1.0 if q.define_terms and _defines(a.text, q.define_terms) else 0.0,
        }

    def rerank(self, q: QueryFeatures, candidates: Sequence[tuple[Article, dict[str, float]]]
               ) -> list[tuple[Article, float, dict[str, float]]]:
        best = max((s.get("bm25_bigrams", 0.0) for _, s in candidates), default=0.0)
        out = []
        for a, stages in candidates:
            f = self.features(q, a, stages, best)
            score = sum(self.weights.get(k, 0.0) * v for k, v in f.items())
            out.append((a, score, f))
        out.sort(key=lambda x: -x[1])
        return out


@cache
def define_cues() -> tuple[str, ...]:
    """Cues of a definitional question (``qa/data/define_cues.txt``)."""
    return tuple(read_lines(DATA / "define_cues.txt"))


def define_terms(question: str, words: list[str]) -> list[str]:
    """Content words of a definitional question ("提单是什么？"), else []."""
    q = question.lower()
    if not any(c in q for c in define_cues()):
        return []
    return [w for w in words if len(w) >= 2][:6]


def _defines(text: str, terms: list[str]) -> bool:
    head = text[:200]
    return any(f"{t}，是指" in head or f"{t}是指" in head or f"所称{t}" in head
               or f"{t}，指" in head for t in terms)


_CACHE: dict[str, frozenset[str]] = {}


def _bigram_set(key: str, s: str) -> frozenset[str]:
    """Bigram sets of candidate texts, memoised (bounded) across queries."""
    got = _CACHE.get(key)
    if got is None:
        if len(_CACHE) > 200_000:
            _CACHE.clear()
        got = _CACHE[key] = frozenset(bigrams(s))
    return got

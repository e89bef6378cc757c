"""From an understood question to cited passages: the retriever of each retrieval mode, and
the hits it returns turned into ``Passage`` objects.

Modes: ``bm25_words``, ``bm25_bigrams`` (one BM25 index), ``dense`` (embeddings), ``bm25``
(both BM25 fused), ``fused`` (+ dense), ``reranked`` (fused + feature reranker), ``tuned``
(the final pipeline, qa.retrievers.tuned; the service's default, ``PS_QA_MODE``).
"""

from __future__ import annotations

from knowledge.kb import KnowledgeBase
from qa.base import Hit, Passage, Retriever, Understanding
from qa.config import DEFAULT_MODE, MODES
from qa.exceptions import QAError
from qa.retrievers import BM25Retriever, FaissEmbeddingRetriever, HybridRetriever


def retriever_for(kb: KnowledgeBase, mode: str = DEFAULT_MODE) -> Retriever:
    """The retriever of one retrieval mode over ``kb``."""
    if mode == "tuned":
        from qa.retrievers.tuned import TunedRetriever

        return TunedRetriever(kb)
    if mode == "bm25_words":
        return BM25Retriever(kb, "words")
    if mode == "bm25_bigrams":
        return BM25Retriever(kb, "bigrams")
    if mode == "dense":
        return FaissEmbeddingRetriever(kb)
    if mode in ("bm25", "fused", "reranked"):
        return HybridRetriever(kb, dense=mode != "bm25", rerank=mode == "reranked")
    raise QAError(f"unknown retrieval mode {mode!r}; one of {MODES}")


def to_passages(kb: KnowledgeBase, hits: list[Hit]) -> list[Passage]:
    out = []
    for rank, h in enumerate(hits, start=1):
        a = kb.by_id[h.article_id]
        out.append(Passage(article_id=a.id, law=a.law, number=a.number, text=a.text,
                           version_date=a.version_date, status=a.status, doc_id=a.doc_id,
                           score=h.score, rank=rank, features=dict(h.stages)))
    return out


def retrieve_passages(retriever: Retriever, kb: KnowledgeBase, u: Understanding,
                      top_k: int = 10) -> list[Passage]:
    """The ``top_k`` passages for an understood question."""
    return to_passages(kb, retriever.retrieve(u.query, top_k, hints=u.hints()))

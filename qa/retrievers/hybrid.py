"""Hybrid retrieval: BM25 words + bigrams (+ dense), reciprocal-rank fused, then reranked."""

from __future__ import annotations

from knowledge import text as T
from knowledge.kb import KnowledgeBase
from qa.base import Hit, QueryHints, Retriever
from qa.fusion import rrf
from qa.rerank import FeatureReranker, QueryFeatures, define_terms
from qa.retrievers.bm25 import BM25Retriever, full_query
from qa.retrievers.dense import FaissEmbeddingRetriever

CANDIDATES = 50


class HybridRetriever(Retriever):
    """Each stage ranks ``candidates`` articles: BM25 words, BM25 bigrams and, with
    ``dense``, the embedding index; a question naming laws adds a bigram ranking inside those
    laws (``law``) and, naming an article number too, that article (``number``). The
    rankings are fused by RRF (dense weighted by the base's ``dense_weight``); with
    ``rerank`` the fused candidates are rescored by the feature reranker (qa.rerank).

    Args:
        kb: a loaded or freshly built ``KnowledgeBase``.
        dense: include the dense stage (mode ``fused``/``reranked``; off = mode ``bm25``).
        rerank: rerank the fused list (mode ``reranked``).
        candidates: articles per stage and reranked (default 50).
        reranker: default ``FeatureReranker()``.
    """

    def __init__(self, kb: KnowledgeBase, *, dense: bool = True, rerank: bool = True,
                 candidates: int = CANDIDATES, reranker: FeatureReranker | None = None):
        self.kb = kb
        self.rerank = rerank
        self.candidates = candidates
        self.reranker = reranker or FeatureReranker()
        self.name = "reranked" if rerank else ("fused" if dense else "bm25")
        self.bigrams = BM25Retriever(kb, "bigrams")
        self.stages: list[BM25Retriever | FaissEmbeddingRetriever] = [
            BM25Retriever(kb, "words"), self.bigrams]
        if dense:
            self.stages.append(FaissEmbeddingRetriever(kb))

    def warm_up(self) -> None:
        for stage in self.stages:
            stage.warm_up()

    def retrieve(self, query: str, top_k: int = 10, *,
                 hints: QueryHints | None = None) -> list[Hit]:
        kb = self.kb
        h = hints or QueryHints()
        kb.check_built()
        full = full_query(query, h)
        dq = h.dense_query or full
        rankings: dict[str, list[str]] = {}
        stage_scores: dict[str, dict[str, float]] = {}
        for stage in self.stages:
            res = stage.rank(dq if stage.name == "dense" else full, self.candidates)
            rankings[stage.name] = [i for i, _ in res]
            stage_scores[stage.name] = dict(res)
        if h.law_doc_ids:
            res = self.bigrams.rank(full, 20, h.law_doc_ids)
            rankings["law"] = [i for i, _ in res]
        if h.law_doc_ids and h.article_num:
            a = kb.find_article(h.law_doc_ids, *h.article_num)
            if a is not None:
                rankings["number"] = [a.id]
        fused = rrf(rankings, weights={"dense": kb.meta.get("dense_weight", 0.5)})
        if not self.rerank:
            return [Hit(i, s, {"rrf": s}) for i, s in fused[:top_k]]
        return self._rerank(query, full, h, fused[:self.candidates], stage_scores, top_k)

    def _rerank(self, query: str, full: str, h: QueryHints, cands: list[tuple[str, float]],
                stage_scores: dict[str, dict[str, float]], top_k: int) -> list[Hit]:
        kb = self.kb
        # bigram scores for candidates outside the bigram top list (exact, cheap)
        bg = kb.bm25_bigrams.scores(T.bigrams(T.strip_question(full)))
        qf = QueryFeatures(bigrams=set(T.bigrams(T.strip_question(full))),
                           law_doc_ids=set(h.law_doc_ids), article_num=h.article_num,
                           concepts=set(h.concepts),
                           define_terms=define_terms(query, T.words(T.strip_question(query))))
        items = []
        for i, s in cands:
            a = kb.by_id[i]
            st = {"rrf": s, "bm25_bigrams": float(bg[kb.row(i)]),
                  "domain": kb.docs[a.doc_id].domain if a.doc_id in kb.docs else 0.0}
            if "dense" in stage_scores and i in stage_scores["dense"]:
                st["dense"] = stage_scores["dense"][i]
            items.append((a, st))
        ranked = self.reranker.rerank(qf, items)
        stages_of = {a.id: st for a, st in items}
        return [Hit(a.id, sc, {**stages_of[a.id], "rerank": sc,
                               **{f"f_{n}": v for n, v in f.items()}})
                for a, sc, f in ranked[:top_k]]

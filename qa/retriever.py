"""Hybrid retriever over the knowledge base: BM25 words + bigrams + dense, fused, reranked."""

from __future__ import annotations

from qa.base import Passage, Understanding


class HybridRetriever:
    """``mode`` is one of knowledge.kb.MODES; ``reranked`` is the full pipeline."""

    def __init__(self, kb, mode: str = "reranked"):
        self.kb = kb
        self.mode = mode

    def retrieve(self, u: Understanding, k: int = 10) -> list[Passage]:
        hits = self.kb.search(u.query, k=k, mode=self.mode, law_doc_ids=u.law_doc_ids,
                              article_num=u.article_num,
                              concepts=[c["name"] for c in u.concepts],
                              extra_query=u.context_query,
                              dense_query=u.question if u.language == "en" else None)
        out = []
        for rank, h in enumerate(hits, start=1):
            a = self.kb.by_id[h.article_id]
            out.append(Passage(article_id=a.id, law=a.law, number=a.number, text=a.text,
                               version_date=a.version_date, status=a.status, doc_id=a.doc_id,
                               score=h.score, rank=rank, features=dict(h.stages)))
        return out

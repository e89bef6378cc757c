"""Dense retrieval: the knowledge base's embedder and FAISS index (cosine similarity)."""

from __future__ import annotations

from knowledge.kb import KnowledgeBase
from qa.base import Hit, QueryHints, Retriever
from qa.retrievers.bm25 import full_query


class FaissEmbeddingRetriever(Retriever):
    """Embeds the query with the model the index was built with and searches the FAISS
    index (stage ``dense``). Answers nothing when the base has no dense index, or when the
    query is Chinese and the model has no Chinese vocabulary (the default English MiniLM).

    Args:
        kb: a loaded or freshly built ``KnowledgeBase``.
    """

    name = "dense"

    def __init__(self, kb: KnowledgeBase):
        self.kb = kb

    def warm_up(self) -> None:
        self.kb.check_built()
        if self.kb.embedder is not None:
            self.kb.embedder.warm_up()

    def usable(self, query: str) -> bool:
        """Dense retrieval only where the model understands the query's script: a model
        without Chinese vocabulary is used for queries without CJK characters only."""
        kb = self.kb
        if kb.dense is None or kb.embedder is None:
            return False
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in query)
        return not has_cjk or bool(getattr(kb.embedder, "cjk_capable", True))

    def retrieve(self, query: str, top_k: int = 10, *,
                 hints: QueryHints | None = None) -> list[Hit]:
        q = (hints.dense_query if hints is not None else None) or full_query(query, hints)
        return [Hit(i, s, {self.name: s}) for i, s in self.rank(q, top_k)]

    def rank(self, query: str, k: int) -> list[tuple[str, float]]:
        """``[(article_id, cosine)]`` best first (replaced texts' old vectors skipped)."""
        kb = self.kb
        kb.check_built()
        if not self.usable(query):
            return []
        vec = kb.embedder.embed([query])
        res = kb.dense.search(vec[0], k + len(kb.removed))
        seen: set[str] = set()
        out = []
        for i, s in res:  # replaced texts leave an old vector under the same id
            if i not in kb.removed and i not in seen and i in kb.by_id:
                seen.add(i)
                out.append((i, s))
        return out[:k]

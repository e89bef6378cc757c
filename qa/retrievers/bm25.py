"""BM25 retrieval over one of the knowledge base's token indexes (bm25s, exact scoring)."""

from __future__ import annotations

from typing import Iterable

import numpy as np

from knowledge import text as T
from knowledge.kb import KnowledgeBase
from qa.base import Hit, QueryHints, Retriever
from qa.exceptions import QAError

TOKENIZERS = ("words", "bigrams")


def full_query(query: str, hints: QueryHints | None) -> str:
    """The query with the content of earlier turns appended."""
    extra = hints.extra_query if hints is not None else ""
    return f"{query} {extra}".strip()


class BM25Retriever(Retriever):
    """BM25 over jieba words (``tokenizer="words"``, stage ``bm25_words``) or CJK character
    bigrams (``"bigrams"``, stage ``bm25_bigrams``). The question's colloquial scaffolding is
    stripped before tokenising; tombstoned (replaced) articles never come back.

    Args:
        kb: a loaded or freshly built ``KnowledgeBase``.
        tokenizer: ``"words"`` or ``"bigrams"``.
    """

    def __init__(self, kb: KnowledgeBase, tokenizer: str = "bigrams"):
        if tokenizer not in TOKENIZERS:
            raise QAError(f"tokenizer must be one of {TOKENIZERS}, got {tokenizer!r}")
        self.kb = kb
        self.tokenizer = tokenizer
        self.name = f"bm25_{tokenizer}"

    def warm_up(self) -> None:
        self.kb.check_built()

    def retrieve(self, query: str, top_k: int = 10, *, hints: QueryHints | None = None,
                 doc_ids: Iterable[str] | None = None) -> list[Hit]:
        return [Hit(i, s, {self.name: s})
                for i, s in self.rank(full_query(query, hints), top_k, doc_ids)]

    def rank(self, query: str, k: int, doc_ids: Iterable[str] | None = None
             ) -> list[tuple[str, float]]:
        """``[(article_id, score)]`` best first, restricted to ``doc_ids`` when given."""
        kb = self.kb
        kb.check_built()
        q = T.strip_question(query)
        if self.tokenizer == "words":
            index, toks = kb.bm25_words, T.words(q)
        else:
            index, toks = kb.bm25_bigrams, T.bigrams(q)
        idx, sc = index.search_idx(toks, k + len(kb.removed), self._mask(doc_ids))
        ids = [index.ids[i] for i in idx]
        return [(i, s) for i, s in zip(ids, sc.tolist()) if i not in kb.removed][:k]

    def _mask(self, doc_ids: Iterable[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        m = np.zeros(len(self.kb.articles), dtype=bool)
        for d in doc_ids:
            m[self.kb.doc_rows(d)] = True
        return m

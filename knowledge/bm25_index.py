"""BM25 over token lists (jieba words or character bigrams), with bm25s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

import numpy as np

from knowledge import text as _text
from knowledge.base import Index

TOKENIZERS = {"words": _text.words, "bigrams": _text.bigrams}


class BM25Index(Index):
    """``add`` takes raw texts (tokenised with ``tokenizer``) or pre-tokenised lists.

    bm25s has no incremental add: ``add`` re-indexes the kept token lists plus the new ones
    (seconds for the whole corpus). Token lists are dropped after indexing unless
    ``keep_tokens`` (they are large); ``search`` scores every document (exact).
    """

    def __init__(self, tokenizer: str = "bigrams", k1: float = 1.2, b: float = 0.75,
                 keep_tokens: bool = False):
        if tokenizer not in TOKENIZERS:
            raise ValueError(f"tokenizer must be one of {sorted(TOKENIZERS)}, got {tokenizer!r}")
        self.tokenizer = tokenizer
        self.k1, self.b = k1, b
        self.keep_tokens = keep_tokens
        self.ids: list[str] = []
        self._tokens: list[list[str]] = []
        self._bm25 = None

    def __len__(self) -> int:
        return len(self.ids)

    def tokenize(self, text: str) -> list[str]:
        return TOKENIZERS[self.tokenizer](text)

    def add(self, ids: Sequence[str], items: Sequence[str] | Sequence[list[str]]) -> None:
        if self.ids and not self._tokens:
            raise ValueError("this index kept no tokens: rebuild it with all texts")
        toks = [self.tokenize(x) if isinstance(x, str) else list(x) for x in items]
        self.ids.extend(ids)
        self._tokens.extend(toks)
        self._reindex()
        if not self.keep_tokens:
            self._tokens = []

    def _reindex(self) -> None:
        import bm25s

        self._bm25 = bm25s.BM25(k1=self.k1, b=self.b)
        self._bm25.index([t if t else ["\u0000"] for t in self._tokens], show_progress=False)

    def scores(self, query_tokens: list[str], mask: np.ndarray | None = None) -> np.ndarray:
        if self._bm25 is None or not query_tokens:
            return np.zeros(len(self.ids), dtype=np.float32)
        s = self._bm25.get_scores(query_tokens)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        return s

    def search(self, query: str | list[str], k: int = 10, mask: np.ndarray | None = None
               ) -> list[tuple[str, float]]:
        qt = self.tokenize(query) if isinstance(query, str) else query
        s = self.scores(qt, mask)
        return [(self.ids[i], float(s[i])) for i in top_k(s, k)]

    def search_idx(self, query_tokens: list[str], k: int, mask: np.ndarray | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
        s = self.scores(query_tokens, mask)
        idx = top_k(s, k)
        return idx, s[idx]

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        self._bm25.save(str(path / "bm25"), show_progress=False)
        (path / "meta.json").write_text(json.dumps(
            {"tokenizer": self.tokenizer, "k1": self.k1, "b": self.b, "ids": self.ids},
            ensure_ascii=False))

    @classmethod
    def load(cls, path: Path) -> "BM25Index":
        import bm25s

        meta = json.loads((Path(path) / "meta.json").read_text())
        obj = cls(meta["tokenizer"], meta["k1"], meta["b"])
        obj.ids = meta["ids"]
        obj._bm25 = bm25s.BM25.load(str(Path(path) / "bm25"), show_progress=False)
        return obj


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest positive scores, best first."""
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, len(scores))
    idx = np.argpartition(-scores, k - 1)[:k]
    idx = idx[np.argsort(-scores[idx], kind="stable")]
    return idx[scores[idx] > 0]

"""Interfaces of the knowledge package: an ``Embedder`` turns texts into vectors, an ``Index``
stores items by id and answers top-k searches. Backends live one per file beside this one
and subclass these protocols: ``bm25_index.BM25Index`` and ``faiss_index.FaissIndex``
(indexes), ``st_embedder.SentenceTransformerEmbedder`` (embedder). ``__init__`` only stores
configuration; models and libraries load in ``warm_up``/``load`` or on first use.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable


@runtime_checkable
class Embedder(Protocol):
    """Texts -> L2-normalised float32 vectors ``(n, dim)``. ``warm_up`` loads the model."""

    name: str

    @property
    def dim(self) -> int: ...

    def warm_up(self) -> None: ...

    def embed(self, texts: Sequence[str]) -> Any: ...  # numpy.ndarray


@runtime_checkable
class Index(Protocol):
    """Items addressed by string id; ``search`` returns ``[(id, score)]`` best first."""

    def __len__(self) -> int: ...

    def add(self, ids: Sequence[str], items: Any) -> None: ...

    def search(self, query: Any, k: int = 10) -> list[tuple[str, float]]: ...

    def save(self, path: Path) -> None: ...

    @classmethod
    def load(cls, path: Path) -> "Index": ...

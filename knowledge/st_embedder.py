"""sentence-transformers embedder from a local model folder (no hub access)."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Sequence

from knowledge.base import Embedder
from knowledge.exceptions import ModelLoadError

log = logging.getLogger(__name__)


class SentenceTransformerEmbedder(Embedder):
    """Any local sentence-transformers model. ``__init__`` only stores config."""

    def __init__(self, model_path: str | Path, *, max_seq_length: int = 128,
                 batch_size: int = 64, threads: int = 1):
        if not model_path or str(model_path).lower() == "none":
            raise ModelLoadError("no embedding model path configured "
                                 "(PS_KNOWLEDGE_MODEL_PATH)")
        self.model_path = Path(model_path)
        self.name = self.model_path.name if self.model_path.name != "model" else \
            self.model_path.parent.name
        self.max_seq_length = max_seq_length
        self.batch_size = batch_size
        self.threads = threads
        self._model = None
        self._cjk: bool | None = None

    @property
    def cjk_capable(self) -> bool:
        """Whether the model's vocabulary covers Chinese (>= 2,000 CJK tokens). The default
        all-MiniLM-L6-v2 has ~244, so its vectors carry no meaning for Chinese text."""
        if self._cjk is None:
            vocab = self.model_path / "vocab.txt"
            if vocab.exists():
                n = sum(1 for line in vocab.open(encoding="utf-8")
                        if any("\u4e00" <= ch <= "\u9fff" for ch in line))
                self._cjk = n >= 2000
            else:  # sentencepiece/BPE models: assume multilingual
                self._cjk = True
        return self._cjk

    def warm_up(self) -> None:
        if self._model is not None:
            return
        if not self.model_path.is_dir():
            raise ModelLoadError(f"embedding model folder not found: {self.model_path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # a local folder only, never the hub
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads:
                torch.set_num_threads(self.threads)
            self._model = SentenceTransformer(str(self.model_path), device="cpu",
                                              local_files_only=True)
            self._model.max_seq_length = self.max_seq_length
        except Exception as e:  # noqa: BLE001 - wrapped for callers
            raise ModelLoadError(f"cannot load {self.model_path}: {e}") from e

    @property
    def dim(self) -> int:
        self.warm_up()
        get = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        return int(get())

    def embed(self, texts: Sequence[str]):
        import numpy as np

        self.warm_up()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        v = self._model.encode(list(texts), batch_size=self.batch_size,
                               normalize_embeddings=True, show_progress_bar=False,
                               convert_to_numpy=True)
        return np.asarray(v, dtype=np.float32)

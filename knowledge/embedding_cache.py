"""Embeddings cached by text: re-builds embed only texts they have not seen.

Vectors live under ``<PS_DATA_DIR>/knowledge-cache/emb/<model key hash>/`` as ``vecs.npy`` and
``keys.json`` (sha1 of each embedded text, in row order).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Sequence

import numpy as np


def text_sha(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def model_key(model_path: str | Path, max_seq_length: int) -> str:
    """Identity of an embedding model independent of where it is installed."""
    p = Path(model_path)
    weights = sorted(p.glob("*.safetensors")) + sorted(p.glob("*.bin"))
    size = sum(w.stat().st_size for w in weights)
    return f"{p.parent.name}/{p.name}|{size}|{max_seq_length}"


class EmbeddingCache:
    """Vectors keyed by the sha1 of the embedded text, so re-builds embed only new text."""

    def __init__(self, folder: Path, model_key: str):
        self.folder = Path(folder) / text_sha(model_key)[:12]
        self.keys: dict[str, int] = {}
        self.vecs: np.ndarray | None = None
        kp, vp = self.folder / "keys.json", self.folder / "vecs.npy"
        if kp.exists() and vp.exists():
            keys = json.loads(kp.read_text())
            self.vecs = np.load(vp)
            if len(keys) == len(self.vecs):
                self.keys = {k: i for i, k in enumerate(keys)}
            else:
                self.vecs = None

    def get_or_embed(self, texts: Sequence[str], embed: Callable[[list[str]], np.ndarray],
                     progress: Callable[[str], None] | None = None, chunk: int = 2048,
                     on_count: Callable[[int], None] | None = None) -> np.ndarray:
        """Vectors of ``texts`` in order; only texts not cached are embedded, in their given
        order (so the caller decides what comes first), ``chunk`` at a time, the cache saved
        after each chunk. ``on_count(n)`` reports texts done (cached ones first, at once)."""
        keys = [text_sha(t) for t in texts]
        missing = list({k: t for k, t in zip(keys, texts) if k not in self.keys}.items())
        if on_count:
            on_count(len(keys) - sum(1 for k in keys if k not in self.keys))
        for s in range(0, len(missing), chunk):
            part = missing[s:s + chunk]
            v = embed([t for _, t in part])
            base = 0 if self.vecs is None else len(self.vecs)
            self.vecs = v if self.vecs is None else np.vstack([self.vecs, v])
            for j, (k, _) in enumerate(part):
                self.keys[k] = base + j
            if progress:
                progress(f"embedded {min(s + chunk, len(missing))}/{len(missing)} new texts")
            if on_count:
                on_count(len(part))
            self.save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self.vecs[[self.keys[k] for k in keys]]

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = [k for k, _ in sorted(self.keys.items(), key=lambda x: x[1])]
        # keys first, then vectors, each by rename: a reader sees matching lengths or falls
        # back to an empty cache (lengths differ), never a torn file
        tmp_v = self.folder / "vecs.tmp.npy"
        np.save(tmp_v, self.vecs)
        (self.folder / "keys.tmp.json").write_text(json.dumps(keys))
        os.replace(self.folder / "keys.tmp.json", self.folder / "keys.json")
        os.replace(tmp_v, self.folder / "vecs.npy")

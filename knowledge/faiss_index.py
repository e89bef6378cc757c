"""Dense index over faiss: exact inner product below ``flat_max`` vectors, HNSW above.

Vectors are L2-normalised so inner product = cosine. ``add`` appends (both index kinds
support it); the index switches to HNSW when it grows past ``flat_max``.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Sequence

import numpy as np

from knowledge.base import Index


class FaissIndex(Index):
    def __init__(self, dim: int, *, flat_max: int = 50_000, hnsw_m: int = 32,
                 ef_search: int = 128):
        self.dim = dim
        self.flat_max = flat_max
        self.hnsw_m = hnsw_m
        self.ef_search = ef_search
        self.ids: list[str] = []
        self._index = None
        self.kind = "flat"
        self._lock = threading.RLock()  # a background job adds while queries search

    def __len__(self) -> int:
        return len(self.ids)

    def _new(self, n: int):
        import faiss

        if n <= self.flat_max:
            self.kind = "flat"
            return faiss.IndexFlatIP(self.dim)
        self.kind = "hnsw"
        idx = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        idx.hnsw.efConstruction = 80
        idx.hnsw.efSearch = self.ef_search
        return idx

    def add(self, ids: Sequence[str], items) -> None:
        with self._lock:
            self._add(ids, items)

    def _add(self, ids: Sequence[str], items) -> None:
        vecs = np.ascontiguousarray(np.asarray(items, dtype=np.float32))
        if vecs.ndim != 2 or vecs.shape[1] != self.dim or vecs.shape[0] != len(ids):
            raise ValueError(f"expected ({len(ids)}, {self.dim}) vectors, got {vecs.shape}")
        total = len(self.ids) + len(ids)
        if self._index is None:
            self._index = self._new(total)
        elif self.kind == "flat" and total > self.flat_max:
            old = self._index.reconstruct_n(0, self._index.ntotal)
            self._index = self._new(total)
            self._index.add(old)
        self._index.add(vecs)
        self.ids.extend(ids)

    def search(self, query, k: int = 10) -> list[tuple[str, float]]:
        return self.search_many(np.asarray(query, dtype=np.float32).reshape(1, -1), k)[0]

    def search_many(self, queries, k: int = 10) -> list[list[tuple[str, float]]]:
        if self._index is None or not self.ids:
            return [[] for _ in range(len(queries))]
        q = np.ascontiguousarray(np.asarray(queries, dtype=np.float32))
        with self._lock:
            scores, idx = self._index.search(q, min(k, len(self.ids)))
        return [[(self.ids[i], float(s)) for i, s in zip(row_i, row_s) if i >= 0]
                for row_i, row_s in zip(idx, scores)]

    def save(self, path: Path) -> None:
        import faiss

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        with self._lock:  # index and ids together; each file replaced whole
            faiss.write_index(self._index, str(path / "faiss.index.tmp"))
            meta = json.dumps({"dim": self.dim, "kind": self.kind, "flat_max": self.flat_max,
                               "hnsw_m": self.hnsw_m, "ids": list(self.ids)},
                              ensure_ascii=False)
        (path / "ids.json.tmp").write_text(meta)
        os.replace(path / "faiss.index.tmp", path / "faiss.index")
        os.replace(path / "ids.json.tmp", path / "ids.json")

    @classmethod
    def load(cls, path: Path) -> "FaissIndex":
        import faiss

        meta = json.loads((Path(path) / "ids.json").read_text())
        obj = cls(meta["dim"], flat_max=meta["flat_max"], hnsw_m=meta["hnsw_m"])
        obj.ids = meta["ids"]
        obj.kind = meta["kind"]
        obj._index = faiss.read_index(str(Path(path) / "faiss.index"))
        if obj.kind == "hnsw":
            obj._index.hnsw.efSearch = obj.ef_search
        return obj

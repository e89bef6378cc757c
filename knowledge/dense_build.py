"""Embedding the corpus: which articles first, what the model sees, progress with an ETA.

Order (``embedding_order``): the port-related texts (``data/corpus/port-laws.txt``) and the
guide first, then every other text in force at its latest version, then superseded versions
and the 案例 texts. ``DenseProgress`` draws a bar with an ETA on stderr and is readable as
a dict (``to_json``) by the API while a background thread fills the index
(``knowledge.background``).
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Iterable, Sequence

from knowledge.crossref import norm_title
from knowledge.models import Article, Document


def dense_text(a: Article) -> str:
    """What the embedding model sees of an article: title, number, full text (the
    tokenizer truncates at the model's max length)."""
    return f"{a.law} {a.number} {a.text}"


def read_priority(path: Path | None) -> list[str]:
    """Corpus-relative paths listed one per line (``#`` comments allowed)."""
    if path is None or not Path(path).is_file():
        return []
    return [ln.strip() for ln in Path(path).read_text(encoding="utf-8").splitlines()
            if ln.strip() and not ln.startswith("#")]


def superseded_docs(docs: Iterable[Document]) -> set[str]:
    """Ids of texts for which the corpus holds a later version under the same title, or
    that a later text repealed."""
    by_title: dict[str, list[Document]] = {}
    out: set[str] = set()
    for d in docs:
        by_title.setdefault(norm_title(d.title), []).append(d)
        if d.status == "已废止":
            out.add(d.id)
    for group in by_title.values():
        if len(group) > 1:
            latest = max(group, key=lambda d: (d.version_date or "", d.path))
            out.update(d.id for d in group if d.id != latest.id)
    return out


def embedding_order(docs: dict[str, Document], arts: Sequence[Article],
                    priority_paths: Sequence[str] = ()) -> list[Article]:
    """Articles in the order they are embedded: port texts and the guide, then texts in
    force, then superseded versions and cases."""
    prio = set(priority_paths)
    old = superseded_docs(docs.values())

    def tier(a: Article) -> int:
        d = docs.get(a.doc_id)
        if d is None:
            return 3
        if d.path in prio or d.kind == "guide":
            return 0
        if d.kind == "案例" or d.path.startswith("案例/"):
            return 2
        return 2 if d.id in old else 1

    return sorted(arts, key=tier)  # stable: corpus order inside a tier


class DenseProgress:
    """Embedded/total with rate and ETA; thread-safe; a bar on stderr (``tqdm``)."""

    def __init__(self, total: int = 0, *, bar: bool = True, label: str = "embedding"):
        self.total = total
        self.embedded = 0
        self.label = label
        self.state = "pending"  # pending | running | done | failed
        self.error: str | None = None
        self.started: float | None = None
        self._new_done = 0  # texts embedded by the model in this run (cache misses)
        self._new_start = 0
        self._lock = threading.Lock()
        self._bar = None
        self._use_bar = bar

    def start(self, total: int, already: int = 0) -> None:
        with self._lock:
            self.total, self.embedded, self.state = total, already, "running"
            self.started = time.monotonic()
            self._new_start = already
        if self._use_bar:
            from tqdm import tqdm

            self._bar = tqdm(total=total, initial=already, desc=self.label, unit="art",
                             file=sys.stderr, dynamic_ncols=True, mininterval=2.0)

    def advance(self, n: int) -> None:
        with self._lock:
            self.embedded = min(self.embedded + n, self.total)
        if self._bar is not None:
            self._bar.update(n)

    def finish(self, error: str | None = None) -> None:
        with self._lock:
            self.state = "failed" if error else "done"
            self.error = error
            if not error:
                self.embedded = self.total
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def to_json(self) -> dict:
        with self._lock:
            el = time.monotonic() - self.started if self.started else 0.0
            new = self.embedded - self._new_start
            rate = new / el if el > 0 and new > 0 else None
            left = self.total - self.embedded
            return {"state": self.state, "embedded": self.embedded, "total": self.total,
                    "coverage": round(self.embedded / self.total, 4) if self.total else 0.0,
                    "rate_per_s": round(rate, 1) if rate else None,
                    "eta_s": round(left / rate) if rate and left else (0 if not left else None),
                    "error": self.error}


def make_embedder(settings, meta: dict | None = None):
    """The dense embedder: the meta of a built base names it; else the operator's own
    sentence-transformers folder when ``embedder="st"``, else bge-small-zh ONNX."""
    spec = (meta or {}).get("embedder") or {"kind": settings.embedder}
    if spec["kind"] == "st":
        from knowledge.st_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(spec.get("path") or settings.model_path,
                                           max_seq_length=spec.get("max_length",
                                                                   settings.max_seq_length),
                                           batch_size=settings.embed_batch_size,
                                           threads=settings.threads)
    from knowledge.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(spec.get("path") or settings.zh_model_dir,
                        max_length=spec.get("max_length", settings.zh_max_length),
                        batch_size=settings.zh_batch_size, threads=settings.threads)


def embedder_spec(emb) -> dict:
    from knowledge.onnx_embedder import OnnxEmbedder

    if isinstance(emb, OnnxEmbedder):
        return {"kind": "onnx", "path": str(emb.model_dir), "max_length": emb.max_length}
    return {"kind": "st", "path": str(emb.model_path), "max_length": emb.max_seq_length}


def cache_key(emb) -> str:
    from knowledge.embedding_cache import model_key

    return emb.key if hasattr(emb, "key") else model_key(emb.model_path, emb.max_seq_length)

"""Filling the dense index: synchronously, or the port texts first and the rest in a
background thread while the base already serves (``DenseJob``).

Vectors come from the embedding cache (``knowledge.embedding_cache``) by text hash, so a
rebuild or an edited article embeds only what changed; the job adds vectors to the FAISS
index chunk by chunk (the index locks around add/search) and saves index and cache as it
goes. ``KnowledgeBase.dense_coverage()`` reports its ``DenseProgress``.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Callable, Sequence

from knowledge.dense_build import (DenseProgress, cache_key, dense_text, embedder_spec,
                                   embedding_order, make_embedder, read_priority)
from knowledge.embedding_cache import EmbeddingCache
from knowledge.models import Article

log = logging.getLogger(__name__)

CHUNK = 1024  # articles embedded, added and saved at a time


class DenseJob:
    """Embed ``pending`` articles into ``kb.dense`` (in order), updating ``progress``."""

    def __init__(self, kb, emb, cache: EmbeddingCache, pending: Sequence[Article],
                 progress: DenseProgress, *, save: bool = True, finish: bool = True):
        self.kb, self.emb, self.cache = kb, emb, cache
        self.pending = list(pending)
        self.progress = progress
        self.save = save
        self.finish = finish
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        try:
            for s in range(0, len(self.pending), CHUNK):
                part = self.pending[s:s + CHUNK]
                done = [0]

                def cb(k: int) -> None:
                    self.progress.advance(k - done[0])
                    done[0] = k

                vecs = self.cache.get_or_embed([dense_text(a) for a in part],
                                               lambda ts: _embed(self.emb, ts, cb),
                                               chunk=CHUNK)
                self.kb.dense.add([a.id for a in part], vecs)
                self.progress.advance(len(part) - done[0])
                if self.save and self.kb.folder.exists():
                    self.kb.save_dense()
            if self.finish:
                self.progress.finish()
        except Exception as e:  # noqa: BLE001 - reported through the progress object
            log.exception("dense embedding failed")
            self.progress.finish(error=f"{type(e).__name__}: {e}")

    def start(self) -> "DenseJob":
        self.thread = threading.Thread(target=self.run, name="dense-embedding", daemon=True)
        self.thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        if self.thread is not None:
            self.thread.join(timeout)


def _embed(emb, texts: list[str], cb: Callable[[int], None]):
    try:
        return emb.embed(texts, progress=cb)
    except TypeError:  # embedders without per-batch progress
        return emb.embed(texts)


def build_dense(kb, settings, progress: Callable[[str], None], *, background: bool = False,
                bar: bool = True, cached_only: bool = False) -> DenseJob | None:
    """Give ``kb`` a dense index over every article. Cached vectors and, with
    ``background``, the port-related texts are added now; the rest is embedded now or,
    with ``background``, by a started ``DenseJob`` (returned)."""
    from knowledge.faiss_index import FaissIndex

    emb = make_embedder(settings)
    emb.warm_up()
    cache = EmbeddingCache(Path(settings.data_dir) / "knowledge-cache" / "emb", cache_key(emb))
    order = embedding_order(kb.docs, kb.articles, read_priority(settings.priority_file))
    if settings.dense_min_domain > 0:
        order = [a for a in order if kb.docs[a.doc_id].domain >= settings.dense_min_domain
                 or a.doc_kind == "guide"]
    pr = DenseProgress(bar=bar)
    kb.dense = FaissIndex(emb.dim, flat_max=settings.flat_max_vectors, hnsw_m=settings.hnsw_m)
    kb.embedder, kb.dense_progress = emb, pr
    kb.meta["embedder"] = embedder_spec(emb)
    kb.meta["model_path"] = kb.meta["embedder"]["path"]
    kb.meta["dense_total"] = len(order)
    from knowledge.embedding_cache import text_sha

    cached = [a for a in order if text_sha(dense_text(a)) in cache.keys]
    missing = [a for a in order if text_sha(dense_text(a)) not in cache.keys]
    pr.start(len(order), 0)
    if cached:
        kb.dense.add([a.id for a in cached], cache.get_or_embed(
            [dense_text(a) for a in cached], emb.embed))
        pr.advance(len(cached))
    progress(f"dense: {len(cached)} of {len(order)} articles from the embedding cache, "
             f"{len(missing)} to embed ({emb.name}, max {kb.meta['embedder']['max_length']} "
             f"tokens)")
    if cached_only:  # what the cache holds, nothing embedded (a partial index)
        pr.total = len(cached)
        pr.finish()
        kb.meta["dense_total"] = len(order)
        return None
    if not background:
        DenseJob(kb, emb, cache, missing, pr, save=False).run()
        if pr.state == "failed":
            from knowledge.exceptions import ModelLoadError

            raise ModelLoadError(f"dense embedding failed: {pr.error}")
        return None
    prio = set(read_priority(settings.priority_file))
    first = [a for a in missing if kb.docs[a.doc_id].path in prio
             or kb.docs[a.doc_id].kind == "guide"]
    rest = [a for a in missing if not (kb.docs[a.doc_id].path in prio
                                       or kb.docs[a.doc_id].kind == "guide")]
    DenseJob(kb, emb, cache, first, pr, save=False, finish=not rest).run()
    if pr.state == "failed":
        from knowledge.exceptions import ModelLoadError

        raise ModelLoadError(f"dense embedding failed: {pr.error}")
    progress(f"dense: port-related texts embedded; {len(rest)} articles continue in the "
             "background")
    return DenseJob(kb, emb, cache, rest, pr) if rest else None


def resume(kb, progress: Callable[[str], None] | None = None) -> DenseJob | None:
    """A started job embedding the articles ``kb.dense`` lacks, or None if none."""
    progress = progress or (lambda m: log.info(m))
    have = set(kb.dense.ids)
    order = [a for a in embedding_order(kb.docs, kb.articles,
                                        read_priority(kb.settings.priority_file))
             if a.id not in have and a.id not in kb.removed]
    if not order:
        return None
    emb = kb.embedder
    cache = EmbeddingCache(Path(kb.settings.data_dir) / "knowledge-cache" / "emb",
                           cache_key(emb))
    pr = DenseProgress(bar=True)
    total = len(have) + len(order)
    pr.start(total, len(have))
    kb.dense_progress = pr
    kb.meta["dense_total"] = total
    progress(f"dense: {len(order)} articles left to embed, continuing in the background")
    return DenseJob(kb, emb, cache, order, pr).start()


def ensure_dense(kb, progress: Callable[[str], None] | None = None,
                 cached_only: bool = False) -> dict:
    """Make ``kb``'s dense index cover every article now (vectors from the embedding cache,
    the rest embedded), save it into ``kb.folder`` and return the coverage."""
    progress = progress or (lambda m: log.info(m))
    cov = kb.dense_coverage()
    if cov["state"] == "done" and kb.embedder is not None:
        return cov
    build_dense(kb, kb.settings, progress, background=False, cached_only=cached_only)
    if cached_only:
        kb.dense_progress = None
        return kb.dense_coverage()
    kb.save_dense()
    return kb.dense_coverage()

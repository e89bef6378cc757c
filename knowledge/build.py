"""Building the knowledge base: parse, link, extract concepts, index, persist.

``build_kb`` parses a corpus folder (plus extra files such as the smart-port guide), links
cross-references, extracts concepts, builds the BM25 indexes (jieba words, character
bigrams) and, when a model is configured, the dense index, then writes the folder
``<PS_DATA_DIR>/knowledge`` atomically. ``add_files`` updates a built base in place (new or
changed texts only).
"""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path
from typing import Callable, Sequence

from knowledge import persist
from knowledge import text as T
from knowledge.bm25_index import BM25Index
from knowledge.concepts import extract
from knowledge.config import KnowledgeSettings
from knowledge.config import settings as default_settings
from knowledge.corpus import load_corpus, load_file
from knowledge.crossref import link_all, norm_title
from knowledge.domain import domain_scores
from knowledge.dense_build import dense_text
from knowledge.dense_job import build_dense
from knowledge.exceptions import KnowledgeError
from knowledge.kb import KnowledgeBase
from knowledge.models import Article, Document, LoadReport
from knowledge.wordlists import stopwords

log = logging.getLogger(__name__)


def index_text(a: Article) -> str:
    """What the BM25 indexes see of an article: law title, section heading, number, text."""
    head = norm_title(a.law)
    sect = a.path[-1] if a.path else ""
    return f"{head} {sect} {a.number} {a.text}"


def _enrich(docs: list[Document], arts: list[Article], cache_dir: Path,
            progress: Callable[[str], None]) -> list[list[str]]:
    """Cross-references, concepts (spaCy+EntityRuler) and jieba tokens for BM25 words."""
    n = link_all(docs, arts)
    progress(f"linked {n} cross-references")
    domain_scores(docs, arts)
    stop = stopwords()
    tokens: list[list[str]] = []
    texts = (index_text(a) for a in arts)
    for i, (concepts, toks) in enumerate(extract(texts, cache_dir=cache_dir)):
        arts[i].concepts = concepts
        tokens.append([t.lower() for t in toks
                       if t.strip() and not T.PUNCT_RE.fullmatch(t) and t not in stop])
        if (i + 1) % 20000 == 0:
            progress(f"concepts and tokens: {i + 1}/{len(arts)}")
    return tokens


def build_kb(*, corpus_dir: Path | None, extra_files: Sequence[Path] = (),
             settings: KnowledgeSettings | None = None, dense: bool | None = None,
             out_dir: Path | None = None, progress: Callable[[str], None] | None = None,
             background: bool = False) -> tuple[KnowledgeBase, dict]:
    """Parse, link, index and persist. Returns the loaded base and a build report.

    With ``background``, the dense index holds the cached vectors and the port-related
    texts when this returns; a thread (``kb.dense_job``) embeds the rest, saving as it goes,
    and ``kb.dense_coverage()`` tells how far it is."""
    settings = settings or default_settings()
    progress = progress or (lambda m: log.info(m))
    dense = settings.dense if dense is None else dense
    out_dir = Path(out_dir or settings.index_dir)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    docs, arts, report = load_corpus(corpus_dir, extra_files)
    if not arts:
        raise KnowledgeError(f"no texts loaded from {corpus_dir} (bad files: "
                             f"{len(report.bad_files)})")
    times["parse_s"] = time.perf_counter() - t0
    progress(f"parsed {report.documents} texts: {report.articles} articles, "
             f"{report.sections} sections, {len(report.bad_files)} bad files")
    t = time.perf_counter()
    tokens = _enrich(docs, arts, Path(settings.data_dir) / "jieba", progress)
    times["enrich_s"] = time.perf_counter() - t
    kb = KnowledgeBase(settings)
    kb.docs = {d.id: d for d in docs}
    kb.articles = arts
    t = time.perf_counter()
    ids = [a.id for a in arts]
    kb.bm25_words = BM25Index("words")
    kb.bm25_words.add(ids, tokens)
    kb.bm25_bigrams = BM25Index("bigrams")
    kb.bm25_bigrams.add(ids, [index_text(a) for a in arts])
    times["bm25_s"] = time.perf_counter() - t
    progress(f"BM25 indexes built in {times['bm25_s']:.1f}s")
    kb.meta = {"format": persist.FORMAT, "corpus_dir": str(corpus_dir) if corpus_dir else None,
               "extra_files": [str(p) for p in extra_files], "documents": len(docs),
               "articles": report.articles, "sections": report.sections,
               "bad_files": report.bad_files, "model_path": "", "dense_weight": 0.5,
               "domain_scored": True}
    job = None
    if dense and dense_configured(settings):
        t = time.perf_counter()
        job = build_dense(kb, settings, progress, background=background)
        times["dense_s"] = time.perf_counter() - t
        progress(f"dense index: {len(kb.dense)} vectors ({kb.dense.kind})")
    kb.meta["times"] = {k: round(v, 2) for k, v in times.items()}
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    kb.save(tmp)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    kb.folder = out_dir
    kb.reindex_maps()
    times["total_s"] = time.perf_counter() - t0
    kb.meta["times"] = {k: round(v, 2) for k, v in times.items()}
    persist.write_meta(out_dir, kb.meta)
    if job is not None:
        kb.dense_job = job.start()
    result = {"index_dir": str(out_dir), "documents": len(docs), "articles": report.articles,
              "sections": report.sections, "bad_files": report.bad_files,
              "dense": kb.dense is not None,
              "dense_kind": getattr(kb.dense, "kind", None),
              "dense_coverage": kb.dense_coverage(), **kb.meta["times"]}
    return kb, result


def dense_configured(settings: KnowledgeSettings) -> bool:
    """Whether a dense model is configured (``PS_ZH_MODEL_DIR`` / ``PS_KNOWLEDGE_MODEL_PATH``
    not ``none``)."""
    path = str(settings.model_path if settings.embedder == "st" else settings.zh_model_dir)
    return bool(path) and path.lower() != "none"


def add_files(kb: KnowledgeBase, files: Sequence[Path], *, root: Path | None = None,
              progress: Callable[[str], None] | None = None) -> dict:
    """Incremental update: add new texts (or replace changed ones) and persist.

    Replaced articles are tombstoned in the dense index (HNSW cannot delete); BM25 is
    re-indexed (seconds); only the new texts are embedded.
    """
    progress = progress or (lambda m: log.info(m))
    report = LoadReport()
    new_docs, new_arts = [], []
    for p in files:
        try:
            d, a = load_file(Path(p), root)
        except ValueError as e:
            report.bad_files.append({"path": str(p), "reason": str(e)})
            continue
        old = kb.docs.get(d.id)
        if old is not None and old.sha1 == d.sha1:
            continue
        if old is not None:
            kb.removed.update(old.article_ids)
            kb.articles = [x for x in kb.articles if x.doc_id != d.id]
        new_docs.append(d)
        new_arts.extend(a)
    if not new_arts:
        return {"added_documents": 0, "added_articles": 0, "bad_files": report.bad_files}
    all_docs = [x for x in kb.docs.values() if x.id not in {d.id for d in new_docs}] + new_docs
    _enrich(all_docs, new_arts, Path(kb.settings.data_dir) / "jieba", progress)
    for d in new_docs:
        kb.docs[d.id] = d
    kb.articles.extend(new_arts)
    new_ids = [a.id for a in new_arts]
    kb.removed.difference_update(new_ids)
    # BM25: rebuilt over every live article (bm25s has no incremental add; seconds)
    ids = [a.id for a in kb.articles]
    kb.bm25_words = BM25Index("words")
    kb.bm25_words.add(ids, [index_text(a) for a in kb.articles])
    kb.bm25_bigrams = BM25Index("bigrams")
    kb.bm25_bigrams.add(ids, [index_text(a) for a in kb.articles])
    if kb.dense is not None:
        cache = _cache_for(kb)
        vecs = cache.get_or_embed([dense_text(a) for a in new_arts], kb.embedder.embed)
        if kb.dense.kind == "flat" and kb.dense_job is None:
            # exact index: rebuilt from the cache (no stale vector of a replaced text)
            from knowledge.faiss_index import FaissIndex

            have = set(kb.dense.ids) | set(new_ids)
            live = [a for a in kb.articles if a.id in have]
            fresh = FaissIndex(kb.dense.dim, flat_max=kb.dense.flat_max, hnsw_m=kb.dense.hnsw_m)
            fresh.add([a.id for a in live], cache.get_or_embed([dense_text(a) for a in live],
                                                               kb.embedder.embed))
            kb.dense = fresh
        else:  # HNSW cannot delete: old vectors stay under tombstoned/reused ids
            kb.dense.add(new_ids, vecs)
        kb.meta["dense_total"] = len(kb.articles)
        if kb.dense_progress is not None:
            kb.dense_progress.total = len(kb.articles)
            kb.dense_progress.advance(len(new_ids))
    kb.save(kb.folder)
    kb.reindex_maps()
    return {"added_documents": len(new_docs), "added_articles": len(new_arts),
            "bad_files": report.bad_files}


def _cache_for(kb: KnowledgeBase):
    from knowledge.dense_build import cache_key
    from knowledge.embedding_cache import EmbeddingCache

    return EmbeddingCache(Path(kb.settings.data_dir) / "knowledge-cache" / "emb",
                          cache_key(kb.embedder))

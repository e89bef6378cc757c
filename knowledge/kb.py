"""The knowledge base in memory: parsed documents and articles, their indexes, and lookups.

``KnowledgeBase.load`` opens a built folder (knowledge.persist); ``knowledge.build``
makes one (``build_kb``) or updates it (``add_files``). Lookups: ``article``, ``document``,
``doc_articles``, ``cited_by``, ``match_laws`` (laws a question names), ``find_article``,
``vocabulary``; ``row``/``doc_rows`` give index positions. Retrieval over these indexes
lives in ``qa.retrievers``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterable

import numpy as np

from knowledge import persist
from knowledge import text as T
from knowledge.bm25_index import BM25Index
from knowledge.config import KnowledgeSettings
from knowledge.config import settings as default_settings
from knowledge.crossref import norm_title
from knowledge.domain import domain_scores
from knowledge.exceptions import ArticleNotFoundError, IndexNotBuiltError
from knowledge.models import Article, Document


class KnowledgeBase:
    """Articles, documents and indexes in memory. Use ``build_kb`` or ``KnowledgeBase.load``."""

    def __init__(self, settings: KnowledgeSettings):
        self.settings = settings
        self.docs: dict[str, Document] = {}
        self.articles: list[Article] = []
        self.by_id: dict[str, Article] = {}
        self.bm25_words: BM25Index | None = None
        self.bm25_bigrams: BM25Index | None = None
        self.dense = None  # FaissIndex | None
        self.embedder = None  # OnnxEmbedder | SentenceTransformerEmbedder | None
        self.dense_progress = None  # knowledge.dense_build.DenseProgress while filling
        self.dense_job = None  # knowledge.dense_job.DenseJob running in the background
        self.removed: set[str] = set()  # tombstoned article ids (replaced texts)
        self.meta: dict = {}
        self.folder: Path = Path(settings.index_dir)  # where save()/add_files() write
        self._aliases: list[tuple[str, list[str]]] = []
        self._row: dict[str, int] = {}
        self._doc_rows: dict[str, np.ndarray] = {}
        self._cited_by: dict[str, list[str]] | None = None

    # ---- lookups ------------------------------------------------------------------------
    def reindex_maps(self) -> None:
        """Rebuild the id, row, document and alias maps after ``articles``/``docs`` change."""
        self._cited_by = None
        self.by_id = {a.id: a for a in self.articles}
        self._row = {a.id: i for i, a in enumerate(self.articles)}
        rows: dict[str, list[int]] = {}
        for i, a in enumerate(self.articles):
            rows.setdefault(a.doc_id, []).append(i)
        self._doc_rows = {d: np.asarray(r) for d, r in rows.items()}
        alias: dict[str, set[str]] = {}
        for d in self.docs.values():
            for al in law_aliases(d.title):
                alias.setdefault(al, set()).add(d.id)
        self._aliases = sorted(((k, sorted(v)) for k, v in alias.items()),
                               key=lambda x: -len(x[0]))

    def check_built(self) -> None:
        if self.bm25_bigrams is None:
            raise IndexNotBuiltError("the knowledge index is not built: run "
                                     "`portsentinel knowledge build`")

    def article(self, article_id: str) -> Article:
        try:
            return self.by_id[article_id]
        except KeyError:
            raise ArticleNotFoundError(f"no article with id {article_id!r}") from None

    def document(self, doc_id: str) -> Document:
        try:
            return self.docs[doc_id]
        except KeyError:
            raise ArticleNotFoundError(f"no document with id {doc_id!r}") from None

    def row(self, article_id: str) -> int:
        """Position of an article in ``articles`` (and in the BM25 indexes)."""
        return self._row[article_id]

    def doc_rows(self, doc_id: str) -> np.ndarray | list:
        """Positions of a document's articles."""
        return self._doc_rows.get(doc_id, [])

    def cited_by(self, article_id: str) -> list[str]:
        """Ids of the articles whose resolved cross-references point at ``article_id``."""
        if self._cited_by is None:
            rev: dict[str, list[str]] = {}
            for a in self.articles:
                for c in a.cites:
                    t = c.get("target")
                    if t and t != a.id and c.get("kind") != "paragraph":
                        rev.setdefault(t, []).append(a.id)
            self._cited_by = rev
        return list(dict.fromkeys(self._cited_by.get(article_id, [])))

    def doc_articles(self, doc_id: str) -> list[Article]:
        return [self.articles[i] for i in self._doc_rows.get(doc_id, [])]

    def match_laws(self, question: str) -> list[tuple[str, list[str]]]:
        """Laws the question names: ``[(alias, doc_ids)]``, longest alias first, no overlaps."""
        found: list[tuple[str, list[str]]] = []
        taken: list[tuple[int, int]] = []
        for m in re.finditer(r"《([^》]+)》", question):
            ids = self._doc_ids_for_title(m.group(1))
            if ids:
                found.append((m.group(1), ids))
                taken.append(m.span())
        for al, ids in self._aliases:
            start = question.find(al)
            while start >= 0:
                span = (start, start + len(al))
                if not any(s < span[1] and span[0] < e for s, e in taken):
                    found.append((al, ids))
                    taken.append(span)
                    break
                start = question.find(al, start + 1)
        return found

    def _doc_ids_for_title(self, title: str) -> list[str]:
        nt = norm_title(title)
        return sorted(d.id for d in self.docs.values() if norm_title(d.title) == nt)

    def find_article(self, doc_ids: Iterable[str], num: int, suffix: int = 0) -> Article | None:
        for did in doc_ids:
            for a in self.doc_articles(did):
                if a.kind == "article" and a.num == num and a.suffix == suffix:
                    return a
        return None

    def vocabulary(self) -> dict[str, int] | None:
        """The jieba-word vocabulary of the corpus (word -> id), for out-of-corpus terms."""
        b = getattr(self.bm25_words, "_bm25", None)
        return getattr(b, "vocab_dict", None)

    def dense_ready(self) -> bool:
        return self.dense is not None and len(self.dense) > 0

    def dense_coverage(self) -> dict:
        """How much of the corpus the dense index covers: ``{"state", "embedded", "total",
        "coverage", "rate_per_s", "eta_s", "error"}`` (state ``off`` without a dense index,
        ``done`` when complete, ``running`` while a background job fills it, ``partial``
        when a loaded index is incomplete and no job runs)."""
        if self.dense_progress is not None:
            return self.dense_progress.to_json()
        if self.dense is None:
            return {"state": "off", "embedded": 0, "total": 0, "coverage": 0.0,
                    "rate_per_s": None, "eta_s": None, "error": None}
        total = int(self.meta.get("dense_total") or len(self.dense))
        n = min(len(self.dense), total)
        return {"state": "done" if n >= total else "partial", "embedded": n, "total": total,
                "coverage": round(n / total, 4) if total else 1.0, "rate_per_s": None,
                "eta_s": None, "error": None}

    def resume_dense(self, progress=None):
        """Embed, in a background thread, the articles a loaded index still lacks (a build
        stopped while its background job ran). Returns the job, or None if complete."""
        if self.dense is None or self.dense_job is not None:
            return self.dense_job
        from knowledge.dense_job import resume

        self.dense_job = resume(self, progress)
        return self.dense_job

    def save_dense(self) -> None:
        """Write the dense index (and the coverage in meta.json) into ``folder``."""
        if self.dense is None:
            return
        self.dense.save(self.folder / "dense")
        persist.write_meta(self.folder, {**self.meta, "removed": sorted(self.removed)})

    # ---- loading and persistence ----------------------------------------------------------
    def warm_up(self) -> None:
        """Load the embedding model now rather than on the first dense query."""
        if self.embedder is not None:
            self.embedder.warm_up()
            self.embedder.embed(["预热 warm up"])

    def save(self, folder: Path) -> None:
        self.meta["removed"] = sorted(self.removed)
        persist.write(folder, docs=self.docs, articles=self.articles,
                      bm25_words=self.bm25_words, bm25_bigrams=self.bm25_bigrams,
                      dense=self.dense, meta=self.meta)

    @classmethod
    def load(cls, settings: KnowledgeSettings | None = None, folder: Path | None = None
             ) -> "KnowledgeBase":
        settings = settings or default_settings()
        folder = Path(folder or settings.index_dir)
        meta, docs, articles = persist.read(folder)
        kb = cls(settings)
        kb.folder = folder
        kb.meta, kb.docs, kb.articles = meta, docs, articles
        kb.removed = set(meta.get("removed", []))
        if not meta.get("domain_scored"):  # indexes built before the domain feature
            domain_scores(list(kb.docs.values()), kb.articles)
        T.init_jieba(Path(settings.data_dir) / "jieba")
        kb.bm25_words, kb.bm25_bigrams, kb.dense, kb.embedder = persist.read_indexes(
            folder, meta, settings)
        kb.reindex_maps()
        return kb


def law_aliases(title: str) -> set[str]:
    """Names a user may call a text by: full title, without 中华人民共和国, without brackets."""
    out = {title}
    nt = norm_title(title)
    if len(nt) >= 3:
        out.add(nt)
    short = re.sub(r"（[^）]*）|\([^)]*\)", "", nt)
    if len(short) >= 3:
        out.add(short)
    return {a for a in out if len(a) <= 40}

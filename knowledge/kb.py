"""The knowledge base: parsed corpus + BM25 (words, bigrams) + dense index, persisted.

``build_kb`` parses a corpus folder (plus extra files such as the smart-port guide), links
cross-references, extracts concepts, builds the indexes and writes them under
``<PS_DATA_DIR>/knowledge``. ``KnowledgeBase.load`` opens them; ``search`` runs one of the
retrieval modes (``bm25_words``, ``bm25_bigrams``, ``bm25``, ``dense``, ``fused``,
``reranked``). ``add_files`` updates a built base in place (new or changed texts only).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
import time
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from knowledge import text as T
from knowledge.bm25_index import BM25Index, top_k
from knowledge.config import KnowledgeSettings
from knowledge.corpus import load_corpus, load_file
from knowledge.crossref import link_all, norm_title
from knowledge.exceptions import ArticleNotFoundError, IndexNotBuiltError, KnowledgeError
from knowledge.fusion import rrf
from knowledge.models import Article, Document, Hit, LoadReport
from knowledge.rerank import FeatureReranker, QueryFeatures, define_terms

log = logging.getLogger(__name__)
MODES = ("bm25_words", "bm25_bigrams", "bm25", "dense", "fused", "reranked")
CANDIDATES = 50
FORMAT = 1


def index_text(a: Article) -> str:
    head = norm_title(a.law)
    sect = a.path[-1] if a.path else ""
    return f"{head} {sect} {a.number} {a.text}"


def dense_text(a: Article) -> str:
    return f"{a.law} {a.number} {a.text}"[:200]


def _sha(s: str) -> str:
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
        self.folder = Path(folder) / _sha(model_key)[:12]
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
                     progress: Callable[[str], None] | None = None, chunk: int = 2048
                     ) -> np.ndarray:
        keys = [_sha(t) for t in texts]
        missing = sorted({k: t for k, t in zip(keys, texts) if k not in self.keys}.items())
        for s in range(0, len(missing), chunk):
            part = missing[s:s + chunk]
            v = embed([t for _, t in part])
            base = 0 if self.vecs is None else len(self.vecs)
            self.vecs = v if self.vecs is None else np.vstack([self.vecs, v])
            for j, (k, _) in enumerate(part):
                self.keys[k] = base + j
            if progress:
                progress(f"embedded {min(s + chunk, len(missing))}/{len(missing)} new texts")
            self.save()
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return self.vecs[[self.keys[k] for k in keys]]

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        keys = [k for k, _ in sorted(self.keys.items(), key=lambda x: x[1])]
        np.save(self.folder / "vecs.npy", self.vecs)
        (self.folder / "keys.json").write_text(json.dumps(keys))


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
        self.embedder = None
        self.removed: set[str] = set()
        self.meta: dict = {}
        self.folder: Path = Path(settings.index_dir)  # where save()/add_files() write
        self.reranker = FeatureReranker()
        self._aliases: list[tuple[str, list[str]]] = []
        self._row: dict[str, int] = {}
        self._doc_rows: dict[str, np.ndarray] = {}

    # ---- lookup -------------------------------------------------------------------------
    def _reindex_maps(self) -> None:
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

    def cited_by(self, article_id: str) -> list[str]:
        """Ids of the articles whose resolved cross-references point at ``article_id``."""
        if getattr(self, "_cited_by", None) is None:
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

    # ---- search -------------------------------------------------------------------------
    def _check(self) -> None:
        if self.bm25_bigrams is None:
            raise IndexNotBuiltError("the knowledge index is not built: run "
                                     "`portsentinel knowledge build`")

    def _mask(self, doc_ids: Iterable[str] | None) -> np.ndarray | None:
        if not doc_ids:
            return None
        m = np.zeros(len(self.articles), dtype=bool)
        for d in doc_ids:
            m[self._doc_rows.get(d, [])] = True
        return m

    def _alive(self, ids: list[str]) -> list[str]:
        return [i for i in ids if i not in self.removed] if self.removed else ids

    def dense_usable(self, query: str) -> bool:
        """Dense retrieval only where the model understands the query's script: a model
        without Chinese vocabulary is used for queries without CJK characters only."""
        if self.dense is None or self.embedder is None:
            return False
        has_cjk = any("\u4e00" <= ch <= "\u9fff" for ch in query)
        return not has_cjk or bool(getattr(self.embedder, "cjk_capable", True))

    def stage(self, name: str, query: str, k: int = CANDIDATES,
              doc_ids: Iterable[str] | None = None) -> list[tuple[str, float]]:
        """One retriever's ranking: ``bm25_words``, ``bm25_bigrams`` or ``dense``."""
        self._check()
        if name == "dense":
            if not self.dense_usable(query):
                return []
            vec = self.embedder.embed([query])
            res = self.dense.search(vec[0], k + len(self.removed))
            seen: set[str] = set()
            out = []
            for i, s in res:  # replaced texts leave an old vector under the same id
                if i not in self.removed and i not in seen and i in self.by_id:
                    seen.add(i)
                    out.append((i, s))
            return out[:k]
        q = T.strip_question(query)
        index = self.bm25_words if name == "bm25_words" else self.bm25_bigrams
        toks = T.words(q) if name == "bm25_words" else T.bigrams(q)
        idx, sc = index.search_idx(toks, k + len(self.removed), self._mask(doc_ids))
        return [(i, s) for i, s in zip(self._alive_idx(index, idx), sc.tolist())
                if i not in self.removed][:k]

    def _alive_idx(self, index: BM25Index, idx: np.ndarray) -> list[str]:
        return [index.ids[i] for i in idx]

    def search(self, query: str, k: int = 10, mode: str = "reranked", *,
               law_doc_ids: Sequence[str] = (), article_num: tuple[int, int] | None = None,
               concepts: Iterable[str] = (), extra_query: str = "",
               dense_query: str | None = None) -> list[Hit]:
        """Top-k articles for ``query``. ``law_doc_ids``/``article_num`` come from question
        understanding (qa.understanding); ``extra_query`` carries earlier turns' content;
        ``dense_query`` is what the dense model embeds (default: the query)."""
        if mode not in MODES:
            raise KnowledgeError(f"unknown retrieval mode {mode!r}; one of {MODES}")
        self._check()
        full = f"{query} {extra_query}".strip()
        dq = dense_query or full
        if mode in ("bm25_words", "bm25_bigrams", "dense"):
            q = dq if mode == "dense" else full
            return [Hit(i, s, {mode: s}) for i, s in self.stage(mode, q, k)]
        rankings: dict[str, list[str]] = {}
        stage_scores: dict[str, dict[str, float]] = {}
        names = ["bm25_words", "bm25_bigrams"] + (["dense"] if mode != "bm25" else [])
        for name in names:
            res = self.stage(name, dq if name == "dense" else full, CANDIDATES)
            rankings[name] = [i for i, _ in res]
            stage_scores[name] = dict(res)
        if law_doc_ids:
            res = self.stage("bm25_bigrams", full, 20, law_doc_ids)
            rankings["law"] = [i for i, _ in res]
        if law_doc_ids and article_num:
            a = self.find_article(law_doc_ids, *article_num)
            if a is not None:
                rankings["number"] = [a.id]
        weights = {"dense": self.meta.get("dense_weight", 0.5)}
        fused = rrf(rankings, weights=weights)
        if mode in ("bm25", "fused"):
            return [Hit(i, s, {"rrf": s}) for i, s in fused[:k]]
        cands = fused[:CANDIDATES]
        # bigram scores for candidates outside the bigram top list (exact, cheap)
        bg = self.bm25_bigrams.scores(T.bigrams(T.strip_question(full)))
        qf = QueryFeatures(bigrams=set(T.bigrams(T.strip_question(full))),
                           law_doc_ids=set(law_doc_ids), article_num=article_num,
                           concepts=set(concepts),
                           define_terms=define_terms(query, T.words(T.strip_question(query))))
        items = []
        for i, s in cands:
            a = self.by_id[i]
            st = {"rrf": s, "bm25_bigrams": float(bg[self._row[i]]),
                  "domain": self.docs[a.doc_id].domain if a.doc_id in self.docs else 0.0}
            if "dense" in stage_scores and i in stage_scores["dense"]:
                st["dense"] = stage_scores["dense"][i]
            items.append((self.by_id[i], st))
        ranked = self.reranker.rerank(qf, items)
        stages_of = {a.id: st for a, st in items}
        return [Hit(a.id, sc, {**stages_of[a.id], "rerank": sc,
                               **{f"f_{n}": v for n, v in f.items()}})
                for a, sc, f in ranked[:k]]

    # ---- persistence --------------------------------------------------------------------
    def save(self, folder: Path) -> None:
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "docs.jsonl", "w", encoding="utf-8") as f:
            for d in self.docs.values():
                f.write(json.dumps(d.to_json(full=True), ensure_ascii=False) + "\n")
        with open(folder / "articles.jsonl", "w", encoding="utf-8") as f:
            for a in self.articles:
                f.write(json.dumps(a.to_json(), ensure_ascii=False) + "\n")
        self.bm25_words.save(folder / "bm25_words")
        self.bm25_bigrams.save(folder / "bm25_bigrams")
        if self.dense is not None:
            self.dense.save(folder / "dense")
        self.meta["removed"] = sorted(self.removed)
        (folder / "meta.json").write_text(json.dumps(self.meta, ensure_ascii=False, indent=1))

    @classmethod
    def load(cls, settings: KnowledgeSettings | None = None, folder: Path | None = None
             ) -> "KnowledgeBase":
        from knowledge.config import settings as _settings

        settings = settings or _settings()
        folder = Path(folder or settings.index_dir)
        if not (folder / "meta.json").exists():
            raise IndexNotBuiltError(f"no knowledge index at {folder}: run "
                                     "`portsentinel knowledge build`")
        kb = cls(settings)
        kb.folder = folder
        kb.meta = json.loads((folder / "meta.json").read_text())
        if kb.meta.get("format") != FORMAT:
            raise IndexNotBuiltError(f"index at {folder} has an old format: rebuild it")
        with open(folder / "docs.jsonl", encoding="utf-8") as f:
            for line in f:
                d = Document.from_json(json.loads(line))
                kb.docs[d.id] = d
        with open(folder / "articles.jsonl", encoding="utf-8") as f:
            kb.articles = [Article.from_json(json.loads(line)) for line in f]
        kb.removed = set(kb.meta.get("removed", []))
        if not kb.meta.get("domain_scored"):  # indexes built before the domain feature
            domain_scores(list(kb.docs.values()), kb.articles)
        T.init_jieba(Path(settings.data_dir) / "jieba")
        kb.bm25_words = BM25Index.load(folder / "bm25_words")
        kb.bm25_bigrams = BM25Index.load(folder / "bm25_bigrams")
        if (folder / "dense" / "ids.json").exists() and kb.meta.get("model_path"):
            from knowledge.faiss_index import FaissIndex
            from knowledge.st_embedder import SentenceTransformerEmbedder

            kb.dense = FaissIndex.load(folder / "dense")
            kb.embedder = SentenceTransformerEmbedder(
                kb.meta["model_path"], max_seq_length=settings.max_seq_length,
                batch_size=settings.embed_batch_size, threads=settings.threads)
        kb._reindex_maps()
        return kb

    def vocabulary(self) -> dict[str, int] | None:
        """The jieba-word vocabulary of the corpus (word -> id), for out-of-corpus terms."""
        b = getattr(self.bm25_words, "_bm25", None)
        return getattr(b, "vocab_dict", None)

    def dense_ready(self) -> bool:
        return self.dense is not None

    def warm_up(self) -> None:
        if self.embedder is not None:
            self.embedder.warm_up()
            self.embedder.embed(["warm up"])


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


PORT_TERMS = re.compile(
    "海关|进出口|进口|出口|进境|出境|入境|口岸|检疫|关税|报关|走私|船舶|港口|边防|签证|外国人|检验|原产地|"
    "许可证|保税|运输工具|集装箱|提单|海运|对外贸易|两用物项|跨境")


def domain_scores(docs: Sequence[Document], arts: Sequence[Article]) -> None:
    """Document.domain = share of its articles that mention port/customs/trade terms."""
    hits: dict[str, list[int]] = {}
    for a in arts:
        h = hits.setdefault(a.doc_id, [0, 0])
        h[1] += 1
        h[0] += bool(PORT_TERMS.search(a.text))
    for d in docs:
        n, total = hits.get(d.id, (0, 0))
        d.domain = round(n / total, 4) if total else 0.0


def _enrich(docs: list[Document], arts: list[Article], cache_dir: Path,
            progress: Callable[[str], None]) -> list[list[str]]:
    """Cross-references, concepts (spaCy+EntityRuler) and jieba tokens for BM25 words."""
    from knowledge.concepts import extract

    n = link_all(docs, arts)
    progress(f"linked {n} cross-references")
    domain_scores(docs, arts)
    tokens: list[list[str]] = []
    texts = (index_text(a) for a in arts)
    for i, (concepts, toks) in enumerate(extract(texts, cache_dir=cache_dir)):
        arts[i].concepts = concepts
        tokens.append([t.lower() for t in toks
                       if t.strip() and not T.PUNCT_RE.fullmatch(t) and t not in T.STOPWORDS])
        if (i + 1) % 20000 == 0:
            progress(f"concepts and tokens: {i + 1}/{len(arts)}")
    return tokens


def build_kb(*, corpus_dir: Path | None, extra_files: Sequence[Path] = (),
             settings: KnowledgeSettings | None = None, dense: bool | None = None,
             out_dir: Path | None = None, progress: Callable[[str], None] | None = None
             ) -> tuple[KnowledgeBase, dict]:
    """Parse, link, index and persist. Returns the loaded base and a build report."""
    from knowledge.config import settings as _settings

    settings = settings or _settings()
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
    jieba_dir = Path(settings.data_dir) / "jieba"
    tokens = _enrich(docs, arts, jieba_dir, progress)
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
    kb.meta = {"format": FORMAT, "corpus_dir": str(corpus_dir) if corpus_dir else None,
               "extra_files": [str(p) for p in extra_files], "documents": len(docs),
               "articles": report.articles, "sections": report.sections,
               "bad_files": report.bad_files, "model_path": "", "dense_weight": 0.5,
               "domain_scored": True}
    if dense and settings.model_path and settings.model_path.lower() != "none":
        t = time.perf_counter()
        _build_dense(kb, settings, progress)
        times["dense_s"] = time.perf_counter() - t
    kb.meta["times"] = {k: round(v, 2) for k, v in times.items()}
    tmp = out_dir.with_name(out_dir.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    kb.save(tmp)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    tmp.rename(out_dir)
    kb.folder = out_dir
    kb._reindex_maps()
    times["total_s"] = time.perf_counter() - t0
    kb.meta["times"] = {k: round(v, 2) for k, v in times.items()}
    (out_dir / "meta.json").write_text(json.dumps(kb.meta, ensure_ascii=False, indent=1))
    result = {"index_dir": str(out_dir), "documents": len(docs), "articles": report.articles,
              "sections": report.sections, "bad_files": report.bad_files,
              "dense": kb.dense is not None,
              "dense_kind": getattr(kb.dense, "kind", None), **kb.meta["times"]}
    return kb, result


def _build_dense(kb: KnowledgeBase, settings: KnowledgeSettings,
                 progress: Callable[[str], None]) -> None:
    from knowledge.faiss_index import FaissIndex
    from knowledge.st_embedder import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder(settings.model_path, max_seq_length=settings.max_seq_length,
                                      batch_size=settings.embed_batch_size,
                                      threads=settings.threads)
    cache = EmbeddingCache(Path(settings.data_dir) / "knowledge-cache" / "emb",
                           model_key(settings.model_path, settings.max_seq_length))
    arts = [a for a in kb.articles
            if kb.docs[a.doc_id].domain >= settings.dense_min_domain
            or a.doc_kind == "guide"] if settings.dense_min_domain > 0 else kb.articles
    vecs = cache.get_or_embed([dense_text(a) for a in arts], emb.embed, progress)
    index = FaissIndex(vecs.shape[1], flat_max=settings.flat_max_vectors,
                       hnsw_m=settings.hnsw_m)
    index.add([a.id for a in arts], vecs)
    kb.meta["dense_min_domain"] = settings.dense_min_domain
    kb.dense, kb.embedder = index, emb
    kb.meta["model_path"] = str(settings.model_path)
    progress(f"dense index: {len(index)} vectors ({index.kind})")


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
        vecs = kb.embedder.embed([dense_text(a) for a in new_arts])
        kb.dense.add(new_ids, vecs)
    kb.save(kb.folder)
    kb._reindex_maps()
    return {"added_documents": len(new_docs), "added_articles": len(new_arts),
            "bad_files": report.bad_files}

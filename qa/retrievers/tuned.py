"""The final pipeline (mode ``tuned``): BM25 words, BM25 bigrams and the dense channel,
each ranking ``candidates`` articles, fused by weighted min-max (or RRF), plus bonuses for
the law / article a question names and a penalty for superseded versions.

Every choice (fusion kind, weights, which query the colloquial map feeds, bonuses) is a
``FusionConfig`` field; the shipped values in ``qa/data/fusion.json`` were chosen by
``bench/qa_tune.py`` on the tuning half of ``bench/qa_eval/situations.jsonl`` only (the file
records the run). ``stage_lists`` + ``fuse`` are split so that the tuner scores many configs
over one retrieval pass per question, with the very code the retriever runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from knowledge.dense_build import superseded_docs
from knowledge.kb import KnowledgeBase
from qa.base import Hit, QueryHints, Retriever
from qa.retrievers.bm25 import BM25Retriever
from qa.retrievers.dense import FaissEmbeddingRetriever

CONFIG_FILE = Path(__file__).resolve().parents[1] / "data" / "fusion.json"
STAGES = ("words", "bigrams", "dense", "law")
CORE_KIND = {"法律": 1.0, "行政法规": 1.0, "guide": 1.0, "部门规章": 0.5, "司法解释": 0.5}


@dataclass(frozen=True)
class FusionConfig:
    fusion: str = "minmax"  # "minmax" (weighted sum of per-stage min-max scores) or "rrf"
    rrf_k: int = 60
    candidates: int = 100  # articles each stage ranks
    # per-stage candidate depth (articles of that stage's list that enter the fusion);
    # a stage not named uses ``candidates``
    depth: dict = field(default_factory=dict)
    weights: dict = field(default_factory=lambda: {"words": 0.25, "bigrams": 0.25,
                                                   "dense": 0.5, "law": 0.5,
                                                   "number": 1.0})
    # bonuses added to the fused score: the question names the article's law (+law) or
    # the article number too (+number); superseded versions (<0); laws/regulations (core);
    # the article's text holds much of the candidates' evidence (doc, see ``fuse``)
    bonus: dict = field(default_factory=lambda: {"law": 0.0, "number": 0.0,
                                                 "superseded": 0.0, "core": 0.0,
                                                 "doc": 0.0})
    colloquial_bm25: bool = True  # BM25 sees the colloquial -> statutory expansion
    colloquial_dense: bool = False  # the dense model sees it too
    en_dense_query: str = "question"  # English: embed the question or its glossary terms

    def to_json(self) -> dict:
        return asdict(self)


@cache
def shipped() -> dict:
    """``qa/data/fusion.json``: ``config`` (FusionConfig fields), ``confidence`` (logistic
    weights and refusal threshold) and the run that chose them; {} when absent."""
    if CONFIG_FILE.is_file():
        return json.loads(CONFIG_FILE.read_text(encoding="utf-8"))
    return {}


def shipped_config() -> FusionConfig:
    """The shipped ``FusionConfig``, else the dataclass defaults."""
    return FusionConfig(**shipped()["config"]) if shipped().get("config") else FusionConfig()


def _minmax(res: list[tuple[str, float]]) -> dict[str, float]:
    if not res:
        return {}
    hi, lo = res[0][1], res[-1][1]
    span = hi - lo
    return {i: ((s - lo) / span if span > 1e-12 else 1.0) for i, s in res}


def fuse(lists: dict[str, list[tuple[str, float]]], cfg: FusionConfig,
         bonus_of: dict[str, dict[str, float]] | None = None,
         doc_of: dict[str, str] | None = None) -> list[tuple[str, float]]:
    """Fused ``[(id, score)]`` best first from per-stage ``[(id, score)]`` lists (best
    first) and per-id bonus features (``{id: {"law": 1, ...}}``). With ``bonus["doc"]`` and
    ``doc_of`` (article id -> text id), each article also gains in proportion to its
    text's share of the evidence: the summed fused score of the text's candidates, over the
    best text's (a question about wages owed touches many articles of the labour laws)."""
    scores: dict[str, float] = {}
    for name, res in lists.items():
        w = cfg.weights.get(name, 0.0)
        if not w or not res:
            continue
        if cfg.fusion == "rrf":
            for r, (i, _) in enumerate(res, start=1):
                scores[i] = scores.get(i, 0.0) + w / (cfg.rrf_k + r)
        else:
            for i, v in _minmax(res).items():
                scores[i] = scores.get(i, 0.0) + w * v
    scale = 1.0 / (cfg.rrf_k + 1) if cfg.fusion == "rrf" else 1.0
    if doc_of and cfg.bonus.get("doc") and scores:
        mass: dict[str, float] = {}
        for i, v in scores.items():
            d = doc_of.get(i, i)
            mass[d] = mass.get(d, 0.0) + v
        top = max(mass.values()) or 1.0
        w = cfg.bonus["doc"] * scale
        scores = {i: v + w * mass[doc_of.get(i, i)] / top for i, v in scores.items()}
    if bonus_of:
        for i in scores:
            f = bonus_of.get(i)
            if f:
                scores[i] += scale * sum(cfg.bonus.get(k, 0.0) * v for k, v in f.items())
    return sorted(scores.items(), key=lambda x: (-x[1], x[0]))


def cut_depth(lists: dict[str, list[tuple[str, float]]], cfg: FusionConfig
              ) -> dict[str, list[tuple[str, float]]]:
    """Each stage's list cut to its depth (``cfg.depth``, else ``cfg.candidates``)."""
    return {name: res[:cfg.depth.get(name, cfg.candidates)] for name, res in lists.items()}


class TunedRetriever(Retriever):
    """The final pipeline over ``kb`` with ``config`` (default: ``shipped_config()``)."""

    name = "tuned"

    def __init__(self, kb: KnowledgeBase, config: FusionConfig | None = None):
        self.kb = kb
        self.config = config or shipped_config()
        self.words = BM25Retriever(kb, "words")
        self.bigrams = BM25Retriever(kb, "bigrams")
        self.dense = FaissEmbeddingRetriever(kb)
        self._old: set[str] | None = None

    def warm_up(self) -> None:
        self.words.warm_up()
        self.dense.warm_up()

    def _superseded(self) -> set[str]:
        if self._old is None:
            self._old = superseded_docs(self.kb.docs.values())
        return self._old

    def queries(self, query: str, h: QueryHints, cfg: FusionConfig) -> tuple[str, str]:
        """(BM25 query, dense query) for one config."""
        plain = h.plain_query or query
        bm = query if cfg.colloquial_bm25 else plain
        if h.language == "en":
            dq = h.dense_query if cfg.en_dense_query == "question" and h.dense_query else plain
        else:
            dq = query if cfg.colloquial_dense else plain
        extra = f" {h.extra_query}" if h.extra_query else ""
        return f"{bm}{extra}".strip(), f"{dq}{extra}".strip()

    def stage_lists(self, bm_query: str, dense_query: str, h: QueryHints, n: int
                    ) -> dict[str, list[tuple[str, float]]]:
        out = {"words": self.words.rank(bm_query, n), "bigrams": self.bigrams.rank(bm_query, n),
               "dense": self.dense.rank(dense_query, n) if dense_query else []}
        if h.law_doc_ids:
            out["law"] = self.bigrams.rank(bm_query, 20, h.law_doc_ids)
            if h.article_num:
                a = self.kb.find_article(h.law_doc_ids, *h.article_num)
                if a is not None and a.id not in self.kb.removed:
                    out["number"] = [(a.id, 1.0)]
        return out

    def doc_of(self, ids) -> dict[str, str]:
        """Article id -> its text's id (the ``doc`` bonus of ``fuse``)."""
        return {i: self.kb.by_id[i].doc_id for i in ids}

    def bonuses(self, ids, h: QueryHints) -> dict[str, dict[str, float]]:
        kb, old, laws = self.kb, self._superseded(), set(h.law_doc_ids)
        out = {}
        for i in ids:
            a = kb.by_id[i]
            f = {"superseded": 1.0 if a.doc_id in old else 0.0,
                 "core": CORE_KIND.get(a.doc_kind, 0.0)}
            if laws:
                f["law"] = 1.0 if a.doc_id in laws else 0.0
                if h.article_num and a.kind == "article" and a.doc_id in laws:
                    f["number"] = 1.0 if (a.num, a.suffix) == h.article_num else 0.0
            out[i] = f
        return out

    def retrieve(self, query: str, top_k: int = 10, *,
                 hints: QueryHints | None = None) -> list[Hit]:
        h = hints or QueryHints()
        cfg = self.config
        self.kb.check_built()
        bm, dq = self.queries(query, h, cfg)
        lists = cut_depth(self.stage_lists(bm, dq, h, cfg.candidates), cfg)
        ids = {i for res in lists.values() for i, _ in res}
        fused = fuse(lists, cfg, self.bonuses(ids, h),
                     self.doc_of(ids) if cfg.bonus.get("doc") else None)
        stage = {name: dict(res) for name, res in lists.items()}
        return [Hit(i, s, {"fused": s, **{n: v[i] for n, v in stage.items() if i in v}})
                for i, s in fused[:top_k]]

"""The offline answer generator: quote the most relevant sentences, cite each, or refuse.

Confidence (0..1) rests on how much of the question's content the best passages cover,
whether the law and article the question names were found, and the reranker's margin; the
answer is given only at or above ``refusal_threshold`` (calibrated on the dev set).
"""

from __future__ import annotations

import math
from typing import Any, Iterator

from knowledge import text as T
from qa.base import Answer, Citation, Passage, Understanding

REFUSAL = {"zh": "未找到能够回答该问题的规定。建议换一种说法，或写明法规名称、条文号后再问。",
           "en": "No provision found that answers this question. Try rephrasing it, or name "
                 "the law or article you mean."}


def confidence_features(u: Understanding, passages: list[Passage]) -> dict[str, float]:
    """Evidence that the best passages answer the question (inputs of ``confidence``)."""
    if not passages:
        return {}
    top = passages[0].features
    words = [w for w in u.content_words if len(w) > 1] or u.content_words
    wcov = 0.0
    if words:
        wcov = max(sum(w in p.text or w in p.law for w in words) / len(words)
                   for p in passages[:3])
    law_named = 0.0
    if u.law_doc_ids:
        law_named = 1.0 if (top.get("f_law", 0.0) > 0 or passages[0].doc_id in u.law_doc_ids) \
            else -1.0
    qbg = set(T.bigrams(T.strip_question(u.plain_query or u.query)))
    cov = max((len(qbg & set(T.bigrams(p.text))) / len(qbg) for p in passages[:3]),
              default=0.0) if qbg else 0.0
    return {
        "coverage": cov,
        "dense": max(p.features.get("dense", 0.0) for p in passages[:3]),
        "fused": min(top.get("fused", 0.0), 3.0) / 3.0,
        "word_coverage": wcov,
        "law": law_named,
        "number": top.get("f_number", 0.0) if u.article_num else 0.0,
        "unknown": u.unknown_ratio,
        "unmapped": u.unmapped_ratio,
        "domain": top.get("f_domain", 0.0),
        "rerank": min(top.get("rerank", 0.0), 12.0) / 12.0,
        "intent": u.intent,
        "foreign": u.foreign,
        "live": u.live,
    }


# logistic model of "answerable": fitted by bench/qa_tune.py on the tune halves of
# bench/qa_eval/situations.jsonl and tests/data/qa_dev.jsonl with the final pipeline's
# passages (qa/data/fusion.json,
# "confidence"); the weights below are the former dev-set fit, used only without that file.
_DEV_WEIGHTS = {"bias": -3.329, "coverage": 1.756, "word_coverage": 2.235, "law": 0.121,
                "number": 0.148, "unknown": -2.521, "unmapped": -2.452, "domain": 1.215,
                "rerank": 1.318, "intent": 1.539}


def conf_weights() -> dict[str, float]:
    from qa.retrievers.tuned import shipped

    return dict((shipped().get("confidence") or {}).get("weights") or _DEV_WEIGHTS)


def shipped_threshold(default: float = 0.45) -> float:
    """The refusal threshold calibrated with the shipped confidence weights."""
    from qa.retrievers.tuned import shipped

    return float((shipped().get("confidence") or {}).get("threshold", default))


def confidence(u: Understanding, passages: list[Passage],
               weights: dict[str, float] | None = None) -> float:
    f = confidence_features(u, passages)
    if not f:
        return 0.0
    w = conf_weights() if weights is None else weights
    z = w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-z))


def best_sentences(passage: Passage, qbigrams: set[str], n: int = 2,
                   sim: list[float] | None = None) -> list[str]:
    """The sentences of ``passage`` that bear on the question, in text order: scored by
    the question's bigrams they share (statutory words of the colloquial map included) and,
    when given, their embedding similarity to the question (``sim``, one per sentence). A
    second sentence is quoted only when it scores at least half as well as the best."""
    sents = T.sentences(passage.text)
    if len(sents) <= 1:
        return [passage.text.replace("\n", "")]
    scored = []
    for i, s in enumerate(sents):
        bg = set(T.bigrams(s))
        sc = len(bg & qbigrams) / math.sqrt(len(bg) + 4)
        if sim is not None:
            sc += 2.0 * max(sim[i], 0.0)
        scored.append((sc - 0.001 * i, i, s))
    scored.sort(key=lambda x: (-x[0], x[1]))
    best = scored[0][0]
    keep = [x for x in scored[:n] if x is scored[0] or x[0] >= 0.5 * best]
    return [s for _, _, s in sorted(keep, key=lambda x: x[1])]


def named_article_found(u: Understanding, passages: list[Passage]) -> bool:
    """The question names a law and an article number, and that article ranks first."""
    if not (passages and u.article_num and u.law_doc_ids):
        return False
    top = passages[0].features
    return top.get("f_number", 0.0) > 0 or "number" in top


def join_quotes(text: str, quoted: list[str]) -> str:
    """Quoted sentences in text order, "……" where sentences of the article are left out."""
    sents = T.sentences(text)
    idx = [sents.index(q) if q in sents else -1 for q in quoted]
    out = quoted[0] if quoted else ""
    for prev, cur, q in zip(idx, idx[1:], quoted[1:]):
        out += ("" if cur == prev + 1 else "……") + q
    return out


def sentence_similarities(embedder, query: str, passages: list[Passage]
                          ) -> list[list[float] | None]:
    """Cosine of the question with each sentence of each passage (one batch), or Nones
    without an embedder that reads Chinese."""
    if embedder is None or not getattr(embedder, "cjk_capable", False):
        return [None] * len(passages)
    sents = [T.sentences(p.text) for p in passages]
    flat = [s for ss in sents for s in ss]
    if not flat:
        return [None] * len(passages)
    vecs = embedder.embed([query] + flat)
    sims = (vecs[1:] @ vecs[0]).tolist()
    out, k = [], 0
    for ss in sents:
        out.append(sims[k:k + len(ss)])
        k += len(ss)
    return out


def _label(p: Passage, lang: str) -> str:
    ver = p.version_date or ("date unknown" if lang == "en" else "日期不详")
    note = ""
    if p.status == "已废止":
        note = "; repealed by a later text" if lang == "en" else "；该文本已被后法废止"
    if lang == "en":
        return f"{_en_number(p.number)} of 《{p.law}》 (version {ver}{note})"
    return f"{p.citation}（{ver} 版{note}）"


def _en_number(number: str) -> str:
    """第九十七条 -> Article 97; 第十条之一 -> Article 10-1; guide clauses -> Clause 10.3.1."""
    import re

    from knowledge.numerals import cn_to_int

    m = re.fullmatch(r"第(.+?)条(?:之(.+))?", number)
    if m:
        try:
            n = str(cn_to_int(m.group(1)))
            return f"Article {n}" + (f"-{cn_to_int(m.group(2))}" if m.group(2) else "")
        except ValueError:
            pass
    if re.fullmatch(r"\d+(\.\d+)*", number):
        return f"Clause {number}"
    return number or "Text"


class ExtractiveGenerator:
    name = "extractive"

    def __init__(self, *, threshold: float = 0.45, max_quotes: int = 3,
                 rerank_margin: float = 0.3, embedder=None):
        self.embedder = embedder  # scores sentences by meaning too (the base's embedder)
        self.threshold = threshold
        self.max_quotes = max_quotes
        self.rerank_margin = rerank_margin

    def select(self, u: Understanding, passages: list[Passage]) -> list[Passage]:
        if not passages:
            return []
        # scale-free: RRF scores sit within a few % of each other, so a passage is compared
        # with the top one channel by channel (its raw BM25 / cosine over the top's, the best
        # channel counts); passages without channel scores (other modes): the score
        # min-max normalised over the retrieved list. Kept within ``rerank_margin``.
        top = passages[0].features
        chans = [c for c in ("words", "bigrams", "dense") if top.get(c, 0.0) > 0]
        sc = [p.features.get("rerank", p.score) for p in passages]
        span = sc[0] - min(sc)

        def rel(i: int, p: Passage) -> float:
            if chans and "rerank" not in top:
                return max(p.features.get(c, 0.0) / top[c] for c in chans)
            return (sc[i] - min(sc)) / span if span > 1e-12 else 0.0

        chosen = [passages[0]]
        for i, p in enumerate(passages[1:], start=1):
            if len(chosen) >= self.max_quotes:
                break
            if rel(i, p) >= 1.0 - self.rerank_margin:
                chosen.append(p)
        return chosen

    def generate(self, u: Understanding, passages: list[Passage]) -> Answer:
        conf = confidence(u, passages)
        if named_article_found(u, passages):  # 海关法第八十六条: that article is the answer
            conf = max(conf, self.threshold)
        lang = u.language
        if conf < self.threshold:
            return Answer(question=u.question, text=REFUSAL[lang], answered=False,
                          confidence=conf, passages=passages, understanding=u,
                          generator=self.name, language=lang)
        qbg = set(T.bigrams(T.strip_question(f"{u.query} {u.context_query}")))
        cites: list[Citation] = []
        lines = ["Based on the provisions found (quoted in the original Chinese):"
                 if lang == "en" else "根据检索到的规定："]
        chosen = self.select(u, passages)
        sims = sentence_similarities(self.embedder, u.plain_query or u.query, chosen)
        for i, (p, sim) in enumerate(zip(chosen, sims), start=1):
            if p.features.get("f_number", 0.0) > 0 or "number" in p.features:
                lead = p.text.split("\n")[0]  # the article asked for by number: its lead
                quote = lead if len(lead) <= 240 else lead[:240] + "…"
            else:
                quote = join_quotes(p.text, best_sentences(p, qbg, sim=sim))
            cites.append(Citation(article_id=p.article_id, citation=p.citation,
                                  version_date=p.version_date, quote=quote,
                                  link=f"/knowledge/articles/{p.article_id}"))
            lines.append(f"{i}. {_label(p, lang)}: “{quote}”" if lang == "en"
                         else f"{i}. {_label(p, lang)}：“{quote}”")
        lines.append("(Excerpts only; open the linked articles for the full text. Not legal advice.)"
                     if lang == "en" else "（以上为条文摘录，完整内容见所附条文链接；仅供参考。）")
        return Answer(question=u.question, text="\n".join(lines), answered=True,
                      confidence=conf, citations=cites, passages=passages, understanding=u,
                      generator=self.name, language=lang)

    def stream(self, u: Understanding, passages: list[Passage], chunk: int = 8
               ) -> Iterator[dict[str, Any]]:
        ans = self.generate(u, passages)
        yield from stream_answer(ans, chunk)


def stream_answer(ans: Answer, chunk: int = 8) -> Iterator[dict[str, Any]]:
    """An answer as events: ``token`` pieces of each line, ``sentence`` per finished line."""
    for line in ans.text.split("\n"):
        for i in range(0, len(line), chunk):
            yield {"event": "token", "data": line[i:i + chunk]}
        yield {"event": "token", "data": "\n"}
        yield {"event": "sentence", "data": line}

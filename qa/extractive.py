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
        law_named = 1.0 if top.get("f_law", 0.0) > 0 else -1.0
    return {
        "coverage": max(p.features.get("f_coverage", 0.0) for p in passages[:3]),
        "word_coverage": wcov,
        "law": law_named,
        "number": top.get("f_number", 0.0) if u.article_num else 0.0,
        "unknown": u.unknown_ratio,
        "unmapped": u.unmapped_ratio,
        "domain": top.get("f_domain", 0.0),
        "rerank": min(top.get("rerank", 0.0), 12.0) / 12.0,
        "intent": u.intent,
    }


# logistic model of "answerable" (sklearn LogisticRegression, C=1, balanced classes) fitted
# on tests/data/qa_dev.jsonl over the full laws-cn index; 5-fold CV at 90% answered refused
# 83% of the unanswerable questions (threshold 0.50).
CONF_WEIGHTS = {"bias": -3.329, "coverage": 1.756, "word_coverage": 2.235, "law": 0.121,
                "number": 0.148, "unknown": -2.521, "unmapped": -2.452, "domain": 1.215,
                "rerank": 1.318, "intent": 1.539}


def confidence(u: Understanding, passages: list[Passage],
               weights: dict[str, float] | None = None) -> float:
    f = confidence_features(u, passages)
    if not f:
        return 0.0
    w = CONF_WEIGHTS if weights is None else weights
    z = w.get("bias", 0.0) + sum(w.get(k, 0.0) * v for k, v in f.items())
    return 1.0 / (1.0 + math.exp(-z))


def best_sentences(passage: Passage, qbigrams: set[str], n: int = 1) -> list[str]:
    sents = T.sentences(passage.text)
    if len(passage.text) <= 160 or len(sents) <= 1:
        return [passage.text.replace("\n", "")]
    scored = []
    for i, s in enumerate(sents):
        bg = set(T.bigrams(s))
        sc = len(bg & qbigrams) / math.sqrt(len(bg) + 4) - 0.01 * i
        scored.append((sc, i, s))
    scored.sort(key=lambda x: (-x[0], x[1]))
    keep = sorted(scored[:n], key=lambda x: x[1])
    return [s for _, _, s in keep]


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
                 rerank_margin: float = 0.3):
        self.threshold = threshold
        self.max_quotes = max_quotes
        self.rerank_margin = rerank_margin

    def select(self, u: Understanding, passages: list[Passage]) -> list[Passage]:
        if not passages:
            return []
        top = passages[0].features.get("rerank", passages[0].score)
        chosen = [passages[0]]
        for p in passages[1:]:
            if len(chosen) >= self.max_quotes:
                break
            if p.features.get("rerank", p.score) >= top - self.rerank_margin:
                chosen.append(p)
        return chosen

    def generate(self, u: Understanding, passages: list[Passage]) -> Answer:
        conf = confidence(u, passages)
        lang = u.language
        if conf < self.threshold:
            return Answer(question=u.question, text=REFUSAL[lang], answered=False,
                          confidence=conf, passages=passages, understanding=u,
                          generator=self.name, language=lang)
        qbg = set(T.bigrams(T.strip_question(f"{u.query} {u.context_query}")))
        cites: list[Citation] = []
        lines = ["Based on the provisions found (quoted in the original Chinese):"
                 if lang == "en" else "根据检索到的规定："]
        for i, p in enumerate(self.select(u, passages), start=1):
            if p.features.get("f_number", 0.0) > 0:  # the article asked for: its lead
                lead = p.text.split("\n")[0]
                quote = lead if len(lead) <= 240 else lead[:240] + "…"
            else:
                quote = "".join(best_sentences(p, qbg))
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

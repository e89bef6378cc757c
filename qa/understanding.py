"""Question understanding: language, named laws and article numbers, concepts, follow-ups.

English questions are mapped to Chinese search terms with a small domain glossary (the
default dense model is English and the corpus Chinese: the lexical side needs the terms);
colloquial Chinese gets the statutory words appended. The word lists are data under
``qa/data/`` (glossary, colloquial map, English stopwords, intent cues), read once on first use.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Sequence

from knowledge import text as T
from knowledge.concepts import extract
from knowledge.numerals import CN_NUM_CHARS, cn_to_int
from knowledge.wordlists import read_lines, read_yaml
from qa.base import Understanding

ARTICLE_Q_RE = re.compile(rf"第\s*([{CN_NUM_CHARS}\d]+)\s*条(?:之([{CN_NUM_CHARS}]+))?")
EN_ARTICLE_RE = re.compile(r"\b(?:article|art\.)\s*(\d+)", re.I)

DATA = Path(__file__).resolve().parent / "data"


@cache
def glossary() -> dict[str, str]:
    """English -> Chinese domain terms (``qa/data/glossary_en_zh.yaml``)."""
    return dict(read_yaml(DATA / "glossary_en_zh.yaml"))


@cache
def _gloss_re() -> re.Pattern[str]:  # longest phrases first, whole words
    keys = sorted((re.escape(k) for k in glossary()), key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(keys) + r")\b", re.I)


@cache
def colloquial() -> dict[str, str]:
    """Colloquial trader words -> the words the texts use (``qa/data/colloquial.yaml``)."""
    return dict(read_yaml(DATA / "colloquial.yaml"))


@cache
def _colloq_re() -> re.Pattern[str]:
    return re.compile("|".join(sorted(map(re.escape, colloquial()), key=len, reverse=True)),
                      re.I)


def expand_colloquial(question: str) -> str:
    """The question plus the statutory words for its colloquial ones."""
    words = colloquial()
    extra = []
    for m in _colloq_re().finditer(question):
        extra.append(words[m.group(0).lower()])
    return question + (" " + " ".join(dict.fromkeys(extra)) if extra else "")


FOLLOW_UP_RE = re.compile(r"^(那|那么|那如果|如果|还有|另外|这个|这种|这样|它|他们|要是|那要是|and |what about|"
                          r"how about|then |so )", re.I)
PRONOUN_RE = re.compile(r"这种情况|这种|这个|那个|上述|上面|刚才|前面|它|this|that|it\b", re.I)


def to_chinese_terms(question: str) -> str:
    """The Chinese terms of an English question (glossary), plus any Chinese already in it."""
    gloss = glossary()
    terms = [gloss[m.group(1).lower()] for m in _gloss_re().finditer(question)]
    cjk = "".join(re.findall(r"[\u4e00-\u9fff《》]+", question))
    return " ".join(terms + ([cjk] if cjk else []))


def parse_article_number(question: str) -> tuple[tuple[int, int] | None, str | None]:
    m = ARTICLE_Q_RE.search(question)
    if m:
        try:
            num = cn_to_int(m.group(1))
            suf = cn_to_int(m.group(2)) if m.group(2) else 0
            return (num, suf), m.group(0).replace(" ", "")
        except ValueError:
            return None, None
    m = EN_ARTICLE_RE.search(question)
    if m:
        return (int(m.group(1)), 0), m.group(0)
    return None, None


def content_chars(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", T.strip_question(text)))


def is_follow_up(question: str, history: Sequence[Understanding]) -> bool:
    if not history:
        return False
    q = question.strip()
    if FOLLOW_UP_RE.match(q) or PRONOUN_RE.search(q):
        return True
    english = T.is_english(q)
    return (len(q.split()) <= 5) if english else content_chars(q) <= 8


@cache
def en_stopwords() -> frozenset[str]:
    return frozenset(read_lines(DATA / "en_stopwords.txt"))


def english_unmapped(question: str) -> float:
    """Share of English content words that the glossary does not map (0 for Chinese)."""
    covered = " ".join(m.group(1).lower() for m in _gloss_re().finditer(question))
    stop = en_stopwords()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z-]+", question.lower()) if w not in stop]
    if not words:
        return 0.0
    return sum(1 for w in words if w not in covered) / len(words)


@cache
def _intent_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(legal, nonlegal) cue patterns (``qa/data/intent_cues.yaml``)."""
    cues = read_yaml(DATA / "intent_cues.yaml")
    return (re.compile("|".join(cues["legal"]), re.I),
            re.compile("|".join(cues["nonlegal"]), re.I))


@cache
def _scope_res() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """(foreign, live) cue patterns (``qa/data/intent_cues.yaml``). Foreign: each frame with
    the place names joined into its ``{P}``, plus the cues that stand alone."""
    cues = read_yaml(DATA / "intent_cues.yaml")
    places = "(?:" + "|".join(map(re.escape, cues["foreign_places"])) + ")"
    parts = [f.replace("{P}", places) for f in cues["foreign_frames"]]
    parts += cues["foreign_always"]
    return (re.compile("|".join(f"(?:{x})" for x in parts)),
            re.compile("|".join(cues["live"]), re.I))


def scope_of(question: str) -> tuple[float, float]:
    """(asks about another jurisdiction's law or authority, asks for live data or contacts),
    each 0 or 1. A country named as an origin or destination of goods is not foreign law."""
    foreign, live = _scope_res()
    return float(bool(foreign.search(question))), float(bool(live.search(question)))


def intent_of(question: str) -> float:
    legal_re, other_re = _intent_res()
    legal = bool(legal_re.search(question))
    other = bool(other_re.search(question))
    return float(legal) - float(other)


def understand(question: str, kb, history: Sequence[Understanding] = ()) -> Understanding:
    """Parse the question; ``history`` holds earlier turns' understandings (oldest first)."""
    lang = "en" if T.is_english(question) else "zh"
    query = to_chinese_terms(question) if lang == "en" else expand_colloquial(question)
    laws = kb.match_laws(question) if kb is not None else []
    art, label = parse_article_number(question)
    plain = to_chinese_terms(question) if lang == "en" else question
    u = Understanding(question=question, language=lang, query=query.strip() or question,
                      plain_query=plain.strip() or question,
                      laws=[name for name, _ in laws],
                      law_doc_ids=sorted({d for _, ids in laws for d in ids}),
                      article_num=art, article_label=label)
    u.intent = intent_of(question)
    u.foreign, u.live = scope_of(question)
    u.content_words = T.words(T.strip_question(u.query))
    vocab = kb.vocabulary() if kb is not None else None
    if vocab and u.content_words:
        u.unknown_ratio = sum(w not in vocab for w in u.content_words) / len(u.content_words)
    if lang == "en":
        u.unmapped_ratio = english_unmapped(question)
    try:
        u.concepts = next(iter(extract([u.query])))[0]
    except Exception:  # noqa: BLE001 - concepts only refine ranking
        u.concepts = []
    if is_follow_up(question, history):
        prev = history[-1]
        u.follow_up = True
        u.context_query = " ".join(x for x in (T.strip_question(prev.query),
                                               prev.context_query) if x)[:200]
        if not u.law_doc_ids and prev.law_doc_ids:
            u.law_doc_ids, u.laws = list(prev.law_doc_ids), list(prev.laws)
    return u

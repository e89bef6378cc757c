"""Concept extraction: jieba tokens + a token-sequence lexicon matcher.

Concept kinds: DOC (document types), LICENCE (licences and certificates), AGENCY,
GOODS (goods categories), HS (HS chapters/headings/codes), PROC (customs procedures).
The lexicon is data (``knowledge/data/concept_lexicon.yaml``, read by knowledge.wordlists);
knowledge.text loads it into jieba so that each term stays one token.

This used to be spaCy blank ``zh`` (jieba segmenter) + an EntityRuler: 547 s of a 730 s
whole-corpus lexical build went into spaCy's Doc machinery. The matcher here does what that
ruler did (each term tokenised by jieba, matched as a token sequence; HS codes by regex on a
token; overlapping matches resolved longest first, then earliest, as spaCy's
``filter_spans``) over the same jieba tokens with about half the CPU
(``bench/qa_concepts.py`` measures speed and agreement with the spaCy ruler).
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path
from typing import Iterable

from knowledge.text import init_jieba
from knowledge.wordlists import concept_lexicon

log = logging.getLogger(__name__)

HS_RE = re.compile(r"^(\d{4}(\.\d{2}){0,3}|\d{8,10})$")

_lock = threading.Lock()
_matcher: "ConceptMatcher | None" = None


class ConceptMatcher:
    """Lexicon terms as jieba token sequences; ``find(tokens)`` -> concepts in text order."""

    def __init__(self, lexicon: dict[str, Iterable[str]]):
        import jieba

        # first kind listed wins for a term listed under two kinds (the ruler's order)
        self.seqs: dict[tuple[str, ...], tuple[str, str]] = {}
        for kind, terms in lexicon.items():
            for t in terms:
                seq = tuple(w for w in jieba.cut(t) if w.strip())
                if seq:
                    self.seqs.setdefault(seq, (t, kind))
        self.first = {s[0] for s in self.seqs}
        self.max_len = max((len(s) for s in self.seqs), default=1)

    def find(self, tokens: list[str]) -> list[dict[str, str]]:
        spans: list[tuple[int, int, str, str]] = []  # (start, end, name, kind)
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if HS_RE.match(tok):
                spans.append((i, i + 1, tok, "HS"))
            if tok not in self.first:
                continue
            for ln in range(1, min(self.max_len, n - i) + 1):
                hit = self.seqs.get(tuple(tokens[i:i + ln]))
                if hit:
                    spans.append((i, i + ln, hit[0], hit[1]))
        if not spans:
            return []
        # spaCy filter_spans: longest first, then earliest; no token in two spans
        taken: set[int] = set()
        kept = []
        for s in sorted(spans, key=lambda x: (-(x[1] - x[0]), x[0])):
            if not any(j in taken for j in range(s[0], s[1])):
                kept.append(s)
                taken.update(range(s[0], s[1]))
        seen: dict[tuple[str, str], None] = {}
        for s in sorted(kept, key=lambda x: x[0]):
            seen.setdefault((s[2], s[3]), None)
        return [{"name": n_, "kind": k} for n_, k in seen]


def get_matcher(cache_dir: Path | None = None) -> ConceptMatcher:
    """The lexicon matcher, built once per process (after jieba has the lexicon)."""
    global _matcher
    with _lock:
        if _matcher is not None:
            return _matcher
    init_jieba(cache_dir)
    m = ConceptMatcher(concept_lexicon())
    with _lock:
        _matcher = m
    return m


def extract(texts: Iterable[str], cache_dir: Path | None = None, batch_size: int = 256
            ) -> Iterable[tuple[list[dict[str, str]], list[str]]]:
    """For each text: (unique concepts ``{"name","kind"}``, jieba tokens of the text,
    whitespace dropped). ``batch_size`` is kept for callers; texts stream one by one."""
    import jieba

    m = get_matcher(cache_dir)
    for text in texts:
        toks = [w for w in jieba.cut(text) if w.strip()]
        yield m.find(toks), toks


def concept_key(name: str, kind: str) -> str:
    return f"{kind}:{name}"

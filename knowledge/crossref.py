"""Cross-references: 本法第X条, 依照《中华人民共和国海关法》第X条, 刑法第X条, 前条, 前款.

Each reference found in an article becomes ``{"text", "target", "kind"}`` on the article's
``cites`` list: ``kind`` is ``internal`` (same text), ``external`` (another text, resolved by
title), ``paragraph`` (前款/本条第X款: the article itself) or ``unresolved`` (named a text or
number that the corpus lacks; ``target`` is then None).
"""

from __future__ import annotations

import re
from typing import Iterable

from knowledge.models import Article, Document
from knowledge.numerals import CN_NUM_CHARS, cn_to_int

N = f"[{CN_NUM_CHARS}]+"
SELF_WORDS = "本法|本条例|本规定|本办法|本细则|本解释|本决定|本规则|本条款|本实施条例|本实施细则|本通则|本准则"
REF_RE = re.compile(
    rf"(?:《(?P<title>[^》]{{2,60}})》|(?P<self>{SELF_WORDS}))?"
    rf"第(?P<num>{N})条(?:之(?P<suf>{N}))?(?P<range>(?:至第{N}条)?)")
PREV_RE = re.compile(r"前条|前款|前两款|前三款|本条第(" + N + r")款")


def norm_title(t: str) -> str:
    t = re.sub(r"^中华人民共和国", "", t.strip())
    return re.sub(r"[（(][^）)]*[）)]$", "", t)


class Resolver:
    """Maps (title, article number) to article ids over a loaded corpus."""

    def __init__(self, docs: Iterable[Document], articles: Iterable[Article]):
        self.by_title: dict[str, list[Document]] = {}
        for d in docs:
            self.by_title.setdefault(norm_title(d.title), []).append(d)
        for lst in self.by_title.values():  # latest version first
            lst.sort(key=lambda d: d.version_date or "", reverse=True)
        self.by_key: dict[tuple[str, int, int], str] = {}
        for a in articles:
            if a.kind == "article":
                self.by_key.setdefault((a.doc_id, a.num, a.suffix), a.id)

    def find(self, doc_ids: list[str], num: int, suffix: int) -> str | None:
        for did in doc_ids:
            aid = self.by_key.get((did, num, suffix))
            if aid:
                return aid
        return None

    def short_before(self, text: str, pos: int) -> str | None:
        """A bare law name right before ``pos`` (刑法第X条, 海关法第X条), if the corpus has it."""
        for k in range(12, 1, -1):
            if pos - k < 0:
                continue
            cand = text[pos - k:pos]
            if cand.endswith(("法", "条例", "细则", "规定", "办法")) and cand in self.by_title:
                return cand
        return None

    def docs_for(self, title: str) -> list[str]:
        return [d.id for d in self.by_title.get(norm_title(title), [])]


def extract_refs(article: Article, resolver: Resolver, prev_id: str | None = None
                 ) -> list[dict]:
    out: list[dict] = []
    text = article.text
    carry: list[str] | None = None  # doc ids a 《title》 prefix applies to (lists: 、第Y条)
    carry_end = -1
    for m in REF_RE.finditer(text):
        num = cn_to_int(m.group("num"))
        suf = cn_to_int(m.group("suf")) if m.group("suf") else 0
        title, self_word = m.group("title"), m.group("self")
        short = None if (title or self_word) else resolver.short_before(text, m.start())
        span_text = m.group(0)
        targets: list[str] | None = None
        kind = "internal"
        if title:
            targets = resolver.docs_for(title)
            kind = "external"
        elif short:
            targets = resolver.docs_for(short)
            kind = "external"
        elif self_word:
            targets = [article.doc_id]
        elif carry is not None and m.start() - carry_end <= 3:
            targets, kind = carry, "external"
        else:
            targets = [article.doc_id]
        if kind == "external" and article.doc_id in (targets or []):
            kind = "internal"
        target = resolver.find(targets, num, suf) if targets else None
        if kind == "external":
            carry, carry_end = targets, m.end()
        else:
            carry = None
        if target == article.id:
            continue
        out.append({"text": span_text, "target": target,
                    "kind": kind if target else "unresolved"})
    for m in PREV_RE.finditer(text):
        if m.group(0) == "前条":
            if prev_id:
                out.append({"text": "前条", "target": prev_id, "kind": "internal"})
        else:
            out.append({"text": m.group(0), "target": article.id, "kind": "paragraph"})
    return out


def link_all(docs: list[Document], articles: list[Article]) -> int:
    """Fill ``article.cites`` for every article; returns the number of resolved links."""
    resolver = Resolver(docs, articles)
    n = 0
    prev: Article | None = None
    for a in articles:
        prev_id = prev.id if prev is not None and prev.doc_id == a.doc_id else None
        a.cites = extract_refs(a, resolver, prev_id)
        n += sum(1 for c in a.cites if c["target"] and c["kind"] != "paragraph")
        prev = a
    return n

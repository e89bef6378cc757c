"""Parser of the smart-port guide (HS/T 82—2024): clauses numbered ``1``, ``4.1``,
``10.3.1``, lines hard-wrapped; each clause becomes a section, headings its path."""

from __future__ import annotations

import hashlib
import re

from knowledge.models import Article, Document, Paragraph
from knowledge.parse import clean_lines, doc_id_for

GUIDE_CLAUSE_RE = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:\s+(\S.*))?$")


def parse_guide(text: str, *, relpath: str, title: str = "智慧口岸建设指南 HS/T 82—2024",
                version_date: str | None = "2024-12-01") -> tuple[Document, list[Article]]:
    """The smart-port guide: clauses numbered ``1``, ``4.1``, ``10.3.1``; lines hard-wrapped."""
    lines = clean_lines(text)
    did = doc_id_for(relpath)
    doc = Document(id=did, title=title, path=relpath, kind="guide", category="guide",
                   version_date=version_date, sha1=hashlib.sha1(text.encode()).hexdigest())
    units: list[tuple[str, list[str]]] = [("前言", [])]
    last: tuple[int, ...] = ()
    heads: dict[str, str] = {}
    for ln in lines:
        if not ln:
            continue
        if ln.replace(" ", "") in ("引言", "前言"):
            units.append((ln.replace(" ", ""), []))
            continue
        m = GUIDE_CLAUSE_RE.match(ln)
        if m:
            num = tuple(int(x) for x in m.group(1).split("."))
            # accept only a plausible next clause number (not a year or a figure number)
            if num[0] <= 20 and (not last or num > last[: len(num)] or len(num) > len(last)):
                last = num
                rest = (m.group(2) or "").strip()
                if rest and len(rest) < 30 and "。" not in rest:
                    heads[m.group(1)] = rest  # a heading: kept as the path of its children
                    units.append((m.group(1), []))
                else:
                    units.append((m.group(1), [rest] if rest else []))
                continue
        units[-1][1].append(ln)
    out: list[Article] = []
    for label, ls in units:
        joined = ""
        for ln in ls:
            joined += ln if not joined or not joined.endswith(("。", "：", "；", ":")) else "\n" + ln
        joined = joined.strip()
        if not joined:
            continue
        parents = [heads[p] for p in _prefixes(label) + [label] if p in heads]
        k = len(out) + 1
        paras = [Paragraph(p) for p in joined.split("\n")]
        out.append(Article(id=f"{did}-g{label}", doc_id=did, law=title, number=label, num=k,
                           text=joined, kind="section", path=parents, paragraphs=paras,
                           version_date=version_date, doc_kind="guide"))
    doc.article_ids = [a.id for a in out]
    doc.n_sections = len(out)
    return doc, out


def _prefixes(label: str) -> list[str]:
    parts = label.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]

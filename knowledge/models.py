"""Typed records of the knowledge base: documents, articles (or sections), load reports."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Paragraph:
    """A 款: its lead text and its 项 items (``（一）…`` lines)."""

    text: str
    items: list[str] = field(default_factory=list)


@dataclass
class Article:
    """One citable unit: an article 第X条 (``kind='article'``) or a section of a text
    without articles (``kind='section'``: 一、二、 clauses, headed parts, guide clauses)."""

    id: str
    doc_id: str
    law: str  # document title as in its '#' line
    number: str  # 第十二条 / 第一百二十条之一 / 一 / 10.3.1
    num: int  # 12 (articles), ordinal (sections)
    text: str  # full text, paragraphs joined by newlines (without the 第X条 label)
    kind: str = "article"
    suffix: int = 0  # 之一 -> 1
    path: list[str] = field(default_factory=list)  # 编/章/节 headings above it
    paragraphs: list[Paragraph] = field(default_factory=list)
    version_date: str | None = None
    status: str = "有效"
    doc_kind: str = ""
    cites: list[dict[str, Any]] = field(default_factory=list)  # resolved cross-references
    concepts: list[dict[str, str]] = field(default_factory=list)

    @property
    def citation(self) -> str:
        if self.kind == "article":
            return f"《{self.law}》{self.number}"
        return f"《{self.law}》{self.number}" if self.number else f"《{self.law}》"

    def to_json(self, full: bool = True) -> dict[str, Any]:
        d = asdict(self)
        d["citation"] = self.citation
        if not full:
            for k in ("paragraphs", "cites", "concepts"):
                d.pop(k)
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Article":
        d = dict(d)
        d.pop("citation", None)
        d["paragraphs"] = [Paragraph(**p) for p in d.get("paragraphs", [])]
        return cls(**d)


@dataclass
class Document:
    id: str
    title: str
    path: str  # relative to the corpus root (or file name for extra files)
    kind: str  # 法律 / 行政法规 / 部门规章 / 司法解释 / 案例 / guide / 其他
    category: str = ""  # the corpus folder (宪法, 行政法, 经济法 …)
    enacted: str | None = None
    amended: str | None = None
    effective: str | None = None
    version_date: str | None = None
    status: str = "有效"
    repealed_by: str | None = None
    history: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    n_articles: int = 0
    n_sections: int = 0
    sha1: str = ""
    domain: float = 0.0  # share of its articles that speak of ports, customs, trade (0..1)

    def to_json(self, full: bool = False) -> dict[str, Any]:
        d = asdict(self)
        if not full:
            d.pop("article_ids")
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Document":
        return cls(**d)


@dataclass
class LoadReport:
    documents: int = 0
    articles: int = 0
    sections: int = 0
    bad_files: list[dict[str, str]] = field(default_factory=list)

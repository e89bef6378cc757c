"""Interfaces of the qa package: a ``Retriever`` finds passages for an understood question;
an ``AnswerGenerator`` writes an answer that cites only those passages.

Implementations: ``qa.retriever.HybridRetriever``, ``qa.extractive.ExtractiveGenerator``
(offline, the default) and ``qa.llm.OpenAICompatibleGenerator`` (optional).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Protocol, runtime_checkable


@dataclass
class Understanding:
    """What the question asks: language, named laws and article, concepts, follow-up context."""

    question: str
    language: str = "zh"  # zh / en
    query: str = ""  # the text sent to retrieval (English mapped to Chinese terms)
    context_query: str = ""  # content carried over from earlier turns (follow-ups)
    laws: list[str] = field(default_factory=list)  # law names as written
    law_doc_ids: list[str] = field(default_factory=list)
    article_num: tuple[int, int] | None = None
    article_label: str | None = None
    concepts: list[dict[str, str]] = field(default_factory=list)
    follow_up: bool = False
    content_words: list[str] = field(default_factory=list)  # jieba words of the query
    unknown_ratio: float = 0.0  # share of content words the corpus never uses
    unmapped_ratio: float = 0.0  # English: share of content words the glossary lacks
    intent: float = 0.0  # +1 asks what the rules say, -1 asks for prices/schedules/services

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Passage:
    """A retrieved article, with everything needed to cite it."""

    article_id: str
    law: str
    number: str
    text: str
    version_date: str | None
    status: str
    doc_id: str
    score: float
    rank: int
    features: dict[str, float] = field(default_factory=dict)

    @property
    def citation(self) -> str:
        return f"《{self.law}》{self.number}"

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["citation"] = self.citation
        d["link"] = f"/knowledge/articles/{self.article_id}"
        return d


@dataclass
class Citation:
    article_id: str
    citation: str  # 《title》第X条
    version_date: str | None
    quote: str
    link: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Answer:
    question: str
    text: str
    answered: bool
    confidence: float
    citations: list[Citation] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    understanding: Understanding | None = None
    generator: str = "extractive"
    language: str = "zh"
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "answer": self.text, "answered": self.answered,
            "confidence": round(self.confidence, 4), "language": self.language,
            "generator": self.generator,
            "citations": [c.to_json() for c in self.citations],
            "sources": [p.to_json() for p in self.passages],
            "understanding": self.understanding.to_json() if self.understanding else None,
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }


@runtime_checkable
class Retriever(Protocol):
    def retrieve(self, u: Understanding, k: int = 10) -> list[Passage]: ...


@runtime_checkable
class AnswerGenerator(Protocol):
    name: str

    def generate(self, u: Understanding, passages: list[Passage]) -> Answer: ...

    def stream(self, u: Understanding, passages: list[Passage]) -> Iterator[dict[str, Any]]:
        """Events ``{"event": "token"|"sentence", "data": ...}``; the caller adds ``sources``."""
        ...

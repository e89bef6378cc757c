"""Interfaces and records of the qa package.

A ``Retriever`` ranks the knowledge base's articles for a query (``Hit`` list, best first);
an ``AnswerGenerator`` writes an answer that cites only the retrieved ``Passage`` objects.
Both follow one life cycle: ``__init__`` validates and stores configuration, ``warm_up()``
loads what is heavy (embedding model), then ``retrieve``/``generate`` run.

Retrievers, one per file in ``qa/retrievers/``: ``BM25Retriever`` (jieba words or character
bigrams), ``FaissEmbeddingRetriever`` (dense), ``HybridRetriever`` (fusion + reranking);
``qa.retrieval.retriever_for(kb, mode)`` picks one per retrieval mode. Generators:
``qa.extractive.ExtractiveGenerator`` (offline, the default) and
``qa.llm.OpenAICompatibleGenerator`` (optional).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterator, Protocol, Sequence, runtime_checkable


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
    plain_query: str = ""  # the query without the colloquial -> statutory expansion
    foreign: float = 0.0  # 1 when it names another jurisdiction (the corpus is Chinese law)
    live: float = 0.0  # 1 when it asks for today's data, schedules or contacts

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def hints(self) -> "QueryHints":
        """What retrieval uses of this understanding besides ``query``."""
        return QueryHints(law_doc_ids=tuple(self.law_doc_ids), article_num=self.article_num,
                          concepts=tuple(c["name"] for c in self.concepts),
                          extra_query=self.context_query,
                          dense_query=self.question if self.language == "en" else None,
                          plain_query=self.plain_query or None, language=self.language)


@dataclass(frozen=True)
class QueryHints:
    """Question understanding handed to a retriever: the laws and article number the question
    names (``law_doc_ids``, ``article_num`` = (num, suffix)), its domain concepts, content of
    earlier turns (``extra_query``, appended to the query) and the text the dense model
    embeds (``dense_query``; default: the query)."""

    law_doc_ids: Sequence[str] = ()
    article_num: tuple[int, int] | None = None
    concepts: Sequence[str] = ()
    extra_query: str = ""
    dense_query: str | None = None
    plain_query: str | None = None  # the query before the colloquial expansion
    language: str = "zh"


@dataclass
class Hit:
    """A retrieved article with its score and the score of each stage that saw it."""

    article_id: str
    score: float
    stages: dict[str, float] = field(default_factory=dict)


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
    """Ranks articles of a knowledge base for a query. ``__init__(kb, ...)`` stores the base
    and configuration only; ``warm_up()`` checks the index is built and loads models."""

    name: str

    def warm_up(self) -> None: ...

    def retrieve(self, query: str, top_k: int = 10, *,
                 hints: QueryHints | None = None) -> list[Hit]:
        """The ``top_k`` best articles for ``query``, best first."""
        ...


@runtime_checkable
class AnswerGenerator(Protocol):
    name: str

    def generate(self, u: Understanding, passages: list[Passage]) -> Answer: ...

    def stream(self, u: Understanding, passages: list[Passage]) -> Iterator[dict[str, Any]]:
        """Events ``{"event": "token"|"sentence", "data": ...}``; the caller adds ``sources``."""
        ...

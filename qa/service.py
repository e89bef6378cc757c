"""The consulting service: what the API and the CLI call.

    from qa import service
    service.ask("进口冻肉要办什么手续？")                      -> dict (Answer.to_json())
    for ev in service.chat_stream("那罚款是多少？", session_id="s1"): ...  # SSE events
    service.list_documents(kind=None)                           -> list[dict]
    service.get_article("da845875ef5-0086")                     -> dict
    service.build(corpus_dir=None)                              -> build report dict

One process-wide ``ConsultService`` is made on first use (``get_service``); it loads the
index from ``<PS_DATA_DIR>/knowledge`` and keeps chat sessions in memory (bounded).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Iterator

from qa.base import Answer, Understanding
from qa.config import QASettings
from qa.exceptions import GeneratorError
from qa.extractive import ExtractiveGenerator, stream_answer
from qa.retriever import HybridRetriever
from qa.understanding import understand

log = logging.getLogger(__name__)
MAX_SESSIONS = 1000


class ConsultService:
    def __init__(self, kb, settings: QASettings | None = None):
        from qa.config import settings as _settings

        self.kb = kb
        self.settings = settings or _settings()
        self.retriever = HybridRetriever(kb, mode=self.settings.mode)
        self.extractive = ExtractiveGenerator(threshold=self.settings.refusal_threshold,
                                              max_quotes=self.settings.max_quotes)
        self.llm = None
        if self.settings.llm_enabled:
            from qa.llm import OpenAICompatibleGenerator

            key = self.settings.llm_api_key.get_secret_value() if self.settings.llm_api_key \
                else None
            self.llm = OpenAICompatibleGenerator(
                base_url=self.settings.llm_base_url, model=self.settings.llm_model,
                api_key=key, timeout_s=self.settings.llm_timeout_s,
                max_tokens=self.settings.llm_max_tokens,
                threshold=self.settings.refusal_threshold)
        self.sessions: OrderedDict[str, list[Understanding]] = OrderedDict()
        self._lock = threading.Lock()

    def warm_up(self) -> "ConsultService":
        """Load the embedding model and the tokenisers now rather than on the first question."""
        self.kb.warm_up()
        understand("进口货物如实申报", self.kb)
        return self

    def _history(self, session_id: str | None) -> list[Understanding]:
        if not session_id:
            return []
        with self._lock:
            return list(self.sessions.get(session_id, []))

    def _remember(self, session_id: str | None, u: Understanding) -> None:
        if not session_id:
            return
        with self._lock:
            turns = self.sessions.pop(session_id, [])
            turns = (turns + [u])[-self.settings.history_turns:]
            self.sessions[session_id] = turns
            while len(self.sessions) > MAX_SESSIONS:
                self.sessions.popitem(last=False)

    def answer(self, question: str, *, session_id: str | None = None,
               history: list[str] | None = None) -> Answer:
        """Understand -> retrieve -> answer (LLM if enabled and valid, else extractive)."""
        t0 = time.perf_counter()
        hist = self._history(session_id)
        for q in history or []:  # stateless callers may pass earlier questions
            hist.append(understand(q, self.kb, hist))
        u = understand(question, self.kb, hist)
        t1 = time.perf_counter()
        passages = self.retriever.retrieve(u, k=self.settings.top_k)
        t2 = time.perf_counter()
        ans = None
        if self.llm is not None:
            try:
                ans = self.llm.generate(u, passages)
            except GeneratorError as e:
                log.warning("LLM generator failed, using the extractive answer: %s", e)
        if ans is None:
            ans = self.extractive.generate(u, passages)
        t3 = time.perf_counter()
        ans.timings_ms = {"understand": (t1 - t0) * 1e3, "retrieve": (t2 - t1) * 1e3,
                          "answer": (t3 - t2) * 1e3, "total": (t3 - t0) * 1e3}
        self._remember(session_id, u)
        return ans

    def chat_stream(self, question: str, *, session_id: str | None = None,
                    history: list[str] | None = None) -> Iterator[dict[str, Any]]:
        """Events for SSE: ``meta``, then ``token``/``sentence``, then one final ``sources``."""
        ans = self.answer(question, session_id=session_id, history=history)
        yield {"event": "meta", "data": {"answered": ans.answered,
                                         "confidence": round(ans.confidence, 4),
                                         "language": ans.language,
                                         "follow_up": ans.understanding.follow_up
                                         if ans.understanding else False}}
        yield from stream_answer(ans, self.settings.stream_chunk_chars)
        yield {"event": "sources", "data": {
            "answered": ans.answered, "confidence": round(ans.confidence, 4),
            "citations": [c.to_json() for c in ans.citations],
            "sources": [p.to_json() for p in ans.passages[:5]]}}


_service: ConsultService | None = None
_service_lock = threading.Lock()


def get_service() -> ConsultService:
    """The process-wide service (loads the index on first call)."""
    global _service
    with _service_lock:
        if _service is None:
            from knowledge.kb import KnowledgeBase

            _service = ConsultService(KnowledgeBase.load()).warm_up()
        return _service


def reset_service(service: ConsultService | None = None) -> None:
    """Replace (or drop) the process-wide service, e.g. after a rebuild or in tests."""
    global _service
    with _service_lock:
        _service = service


def ask(question: str, *, session_id: str | None = None, history: list[str] | None = None
        ) -> dict[str, Any]:
    return get_service().answer(question, session_id=session_id, history=history).to_json()


def chat_stream(question: str, *, session_id: str | None = None,
                history: list[str] | None = None) -> Iterator[dict[str, Any]]:
    return get_service().chat_stream(question, session_id=session_id, history=history)


def list_documents(kind: str | None = None) -> list[dict[str, Any]]:
    kb = get_service().kb
    return [d.to_json() for d in kb.docs.values() if kind is None or d.kind == kind]


def get_document(doc_id: str) -> dict[str, Any]:
    kb = get_service().kb
    d = kb.document(doc_id).to_json()
    d["articles"] = [{"id": a.id, "number": a.number, "kind": a.kind}
                     for a in kb.doc_articles(doc_id)]
    return d


def get_article(article_id: str) -> dict[str, Any]:
    """Full article (text, paragraphs/items, path, version, status, cites, concepts)."""
    kb = get_service().kb
    a = kb.article(article_id)
    d = a.to_json()
    doc = kb.docs.get(a.doc_id)
    if doc is not None:
        d["document"] = doc.to_json()
    d["cited_by"] = kb.cited_by(a.id)[:50]
    return d


def build(corpus_dir: str | Path | None = None, extra_files: list[str | Path] | None = None,
          dense: bool | None = None) -> dict[str, Any]:
    """Rebuild the index (then the next call reloads it)."""
    from knowledge.config import settings as ks
    from knowledge.kb import build_kb

    s = ks()
    extra = [Path(p) for p in extra_files] if extra_files is not None else list(s.extra_files)
    kb, report = build_kb(corpus_dir=Path(corpus_dir) if corpus_dir else s.corpus_dir,
                          extra_files=extra, settings=s, dense=dense)
    reset_service(ConsultService(kb))
    return report

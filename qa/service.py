"""The consulting service: what the API and the CLI call. The caller builds one and keeps it::

    from knowledge import KnowledgeBase
    from qa.service import ConsultService
    svc = ConsultService(KnowledgeBase.load(), qa_settings).warm_up()
    svc.answer("进口冻肉要办什么手续？").to_json()                 # Answer
    for ev in svc.chat_stream("那罚款是多少？", session_id="s1"): ...  # SSE events

It keeps chat sessions in memory (bounded, ``MAX_SESSIONS``); a rebuilt index needs a new
service over the new base.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Iterator

from knowledge.kb import KnowledgeBase
from qa.base import Answer, Understanding
from qa.config import QASettings
from qa.config import settings as default_settings
from qa.exceptions import GeneratorError
from qa.extractive import ExtractiveGenerator, stream_answer
from qa.retrieval import retrieve_passages, retriever_for
from qa.understanding import understand

log = logging.getLogger(__name__)
MAX_SESSIONS = 1000


class ConsultService:
    """Understand -> retrieve -> answer over one knowledge base. ``settings`` default to
    ``QASettings()`` (environment ``PS_QA_*``)."""

    def __init__(self, kb: KnowledgeBase, settings: QASettings | None = None):
        self.kb = kb
        self.settings = settings or default_settings()
        self.retriever = retriever_for(kb, self.settings.mode)
        self.extractive = ExtractiveGenerator(threshold=self.settings.refusal_threshold,
                                              max_quotes=self.settings.max_quotes,
                                              embedder=kb.embedder)
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
        self.retriever.warm_up()
        self.kb.warm_up()
        understand("进口货物如实申报", self.kb)
        return self

    def dense_coverage(self) -> dict[str, Any]:
        """How much of the corpus the semantic channel covers (``embedded``/``total``,
        ``coverage``, ``state``, ``eta_s``): the base's background embedding job fills it."""
        return self.kb.dense_coverage()

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
        passages = retrieve_passages(self.retriever, self.kb, u, self.settings.top_k)
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

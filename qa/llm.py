"""Optional generator calling an OpenAI-compatible ``/chat/completions`` endpoint.

Off by default (``PS_QA_LLM_ENABLED``). The model sees numbered passages and must cite them
as ``[n]``; ``check_citations`` rejects any citation that is not among the retrieved passages
(a ``[n]`` out of range, or a 《title》第X条 that no passage carries). On any failure the
service falls back to the extractive answer.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

from qa.base import Answer, Citation, Passage, Understanding
from qa.exceptions import CitationError, GeneratorError
from qa.extractive import confidence, stream_answer

CITE_RE = re.compile(r"\[(\d+)\]")
NAMED_RE = re.compile(r"《([^》]+)》\s*(第[零〇一二两三四五六七八九十百千]+条(?:之[一二三四五六七八九十]+)?)")
SYSTEM = ("你是口岸通关法规咨询助手。只依据给出的条文回答，每个论断后用 [编号] 标注所依据的条文；"
          "条文不足以回答时，只回答“未找到能够回答该问题的规定”。回答使用提问所用的语言，引用条文原文时保留中文。")


def check_citations(text: str, passages: list[Passage]) -> list[Passage]:
    """Passages cited by ``text``; raises CitationError for any citation not retrieved."""
    cited: list[Passage] = []
    for m in CITE_RE.finditer(text):
        n = int(m.group(1))
        if not 1 <= n <= len(passages):
            raise CitationError(f"answer cites [{n}] but only {len(passages)} passages "
                                "were retrieved")
        if passages[n - 1] not in cited:
            cited.append(passages[n - 1])
    known = {(p.law, p.number) for p in passages}
    for m in NAMED_RE.finditer(text):
        if (m.group(1), m.group(2)) not in known:
            raise CitationError(f"answer cites 《{m.group(1)}》{m.group(2)}, which was not "
                                "retrieved")
    return cited


class OpenAICompatibleGenerator:
    name = "llm"

    def __init__(self, *, base_url: str, model: str, api_key: str | None = None,
                 timeout_s: float = 30.0, max_tokens: int = 512, threshold: float = 0.5,
                 n_passages: int = 5):
        if not base_url or not model:
            raise GeneratorError("LLM generator needs PS_QA_LLM_BASE_URL and PS_QA_LLM_MODEL")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.api_key = api_key
        self.timeout_s = timeout_s
        self.max_tokens = max_tokens
        self.threshold = threshold
        self.n_passages = n_passages

    def _messages(self, u: Understanding, passages: list[Passage]) -> list[dict[str, str]]:
        ctx = "\n\n".join(f"[{i}] {p.citation}（{p.version_date or '日期不详'}）\n{p.text}"
                          for i, p in enumerate(passages, start=1))
        return [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"条文：\n{ctx}\n\n问题：{u.question}"}]

    def complete(self, messages: list[dict[str, str]]) -> str:
        import httpx

        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        try:
            r = httpx.post(f"{self.base_url}/chat/completions", headers=headers,
                           timeout=self.timeout_s,
                           json={"model": self.model, "messages": messages,
                                 "max_tokens": self.max_tokens, "temperature": 0})
            r.raise_for_status()
            return r.json()["choices"][0]["message"]["content"]
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as e:
            raise GeneratorError(f"LLM endpoint {self.base_url}: {e}") from e

    def generate(self, u: Understanding, passages: list[Passage]) -> Answer:
        conf = confidence(u, passages)
        used = passages[: self.n_passages]
        text = self.complete(self._messages(u, used))
        cited = check_citations(text, used)
        answered = bool(cited) and conf >= self.threshold
        cites = [Citation(p.article_id, p.citation, p.version_date, p.text[:120],
                          f"/knowledge/articles/{p.article_id}") for p in cited]
        return Answer(question=u.question, text=text, answered=answered, confidence=conf,
                      citations=cites if answered else [], passages=passages, understanding=u,
                      generator=self.name, language=u.language)

    def stream(self, u: Understanding, passages: list[Passage], chunk: int = 8
               ) -> Iterator[dict[str, Any]]:
        yield from stream_answer(self.generate(u, passages), chunk)

"""QA settings (prefix ``PS_QA_``). The optional LLM generator is off unless configured."""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

# retrieval modes (qa.retrieval.retriever_for): one BM25 index, dense only, both BM25 fused,
# + dense (RRF), RRF + the old feature reranker, and the final pipeline ``tuned`` (weighted
# fusion chosen on the tuning half, qa/retrievers/tuned.py) - the default
MODES = ("bm25_words", "bm25_bigrams", "bm25", "dense", "fused", "reranked", "tuned")
DEFAULT_MODE = "tuned"


def _shipped_threshold() -> float:
    from qa.extractive import shipped_threshold

    return shipped_threshold()


class QASettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_QA_", extra="ignore")

    top_k: int = 10  # passages retrieved per question
    mode: str = DEFAULT_MODE  # retrieval mode, one of MODES
    max_quotes: int = 3  # sentences quoted in an extractive answer
    # refusal: answer only when confidence >= this (calibrated by bench/qa_tune.py on the
    # tune halves of bench/qa_eval/situations.jsonl and tests/data/qa_dev.jsonl, stored in
    # qa/data/fusion.json)
    refusal_threshold: float = Field(default_factory=_shipped_threshold)
    history_turns: int = 3  # earlier turns a follow-up may lean on
    # optional OpenAI-compatible generator
    llm_enabled: bool = False
    llm_base_url: str = ""  # e.g. http://127.0.0.1:8080/v1
    llm_api_key: SecretStr | None = None
    llm_model: str = ""
    llm_timeout_s: float = 30.0
    llm_max_tokens: int = 512
    stream_chunk_chars: int = 8  # characters per token event in the extractive stream
    extra: dict = Field(default_factory=dict)


def settings(**overrides) -> QASettings:
    return QASettings(**overrides)

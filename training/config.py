"""Training settings (prefix ``PS_TRAINING_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings


class TrainingSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_TRAINING_", extra="ignore")

    registry_name: str = "risk"  # models live under <data_dir>/models/<registry_name>/
    valid_fraction: float = 0.2  # last share of labelled rows (by date) used for selection

    @property
    def models_dir(self) -> Path:
        return Path(self.data_dir) / "models"

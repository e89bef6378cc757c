"""Training settings (prefix ``PS_TRAINING_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class TrainingSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PS_TRAINING_", extra="ignore")

    data_dir: Path = Field(default=Path("var"),
                           validation_alias=AliasChoices("PS_DATA_DIR", "data_dir"))
    registry_name: str = "risk"  # models live under <data_dir>/models/<registry_name>/
    valid_fraction: float = 0.2  # last share of labelled rows (by date) used for selection

    @property
    def models_dir(self) -> Path:
        return Path(self.data_dir) / "models"

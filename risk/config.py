"""Risk settings (prefix ``PS_RISK_``; data dir ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class RiskSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PS_RISK_", extra="ignore")

    data_dir: Path = Field(default=Path("var"),
                           validation_alias=AliasChoices("PS_DATA_DIR", "data_dir"))
    threads: int = 1  # torch / lightgbm threads; the machine is shared
    seed: int = 7
    gnn_epochs: int = 60
    # risk_level cut-offs on the score's percentile among the scored population
    level_high_pct: float = 0.95  # top 5% -> 高
    level_mid_pct: float = 0.80  # next 15% -> 中
    exploration_share: float = 0.10  # share of a targeting budget given to exploration


def settings() -> RiskSettings:
    return RiskSettings()

"""Ingest settings (prefix ``PS_INGEST_``; the data dir is the shared ``PS_DATA_DIR``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

from ingest.exceptions import SettingsError

DEV_HMAC_KEY = "portsentinel-dev-hmac-key-do-not-use-in-production"


class IngestSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_INGEST_", extra="ignore")

    # development | test | production; the dev HMAC key is refused outside development/test
    environment: str = Field(default="development",
                             validation_alias=AliasChoices("PS_INGEST_ENVIRONMENT", "PS_ENV",
                                                           "environment"))
    hmac_key: SecretStr = SecretStr(DEV_HMAC_KEY)
    batch_rows: int = 2000  # source rows per upsert call (one transaction each)
    watch_interval_s: float = 2.0
    # entity resolution thresholds
    resolve_name_threshold: float = 0.88

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "ingest"

    def hmac_secret(self) -> bytes:
        key = self.hmac_key.get_secret_value()
        if key == DEV_HMAC_KEY and self.environment not in ("development", "dev", "test"):
            raise SettingsError("PS_INGEST_HMAC_KEY is the development placeholder; set a real "
                                f"key for environment {self.environment!r}")
        if len(key) < 16:
            raise SettingsError("PS_INGEST_HMAC_KEY must be at least 16 characters")
        return key.encode()


@lru_cache(maxsize=1)
def get_settings() -> IngestSettings:
    return IngestSettings()

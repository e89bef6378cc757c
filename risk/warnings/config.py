"""Warnings settings (prefix ``PS_WARNINGS_``; the data dir is the shared ``PS_DATA_DIR``)."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

from risk.warnings.exceptions import SettingsError

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")


class WarningsSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_WARNINGS_", extra="ignore")

    rules_path: Path = DEFAULT_RULES
    db_file: str = "warnings.sqlite3"  # under <data_dir>/warnings/
    # async pipeline: bounded queue (a full queue blocks the producer: nothing is dropped)
    queue_size: int = 20_000
    batch_size: int = 500
    # subscriptions
    subscriber_queue: int = 1000
    sse_keepalive_s: float = 15.0
    # optional webhook: POST each new event, HMAC-SHA256 signed, with retries
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_retries: int = 3
    webhook_backoff_s: float = 0.5
    webhook_timeout_s: float = 5.0
    webhook_min_level: str = "蓝"  # 红 > 橙 > 黄 > 蓝
    # first-run triage (risk.warnings.triage): cases a run without a baseline opens at most,
    # and how many of its 高 entities (best score first) are examined for graph evidence
    triage_max_cases: int = 30
    triage_examine: int = 300

    @property
    def db_path(self) -> Path:
        return self.data_dir / "warnings" / self.db_file

    def webhook_key(self) -> bytes:
        if not self.webhook_url:
            raise SettingsError("PS_WARNINGS_WEBHOOK_URL is not set")
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if len(secret) < 16:
            raise SettingsError("PS_WARNINGS_WEBHOOK_SECRET must be set (at least 16 characters) "
                                "when PS_WARNINGS_WEBHOOK_URL is set: deliveries are signed")
        return secret.encode()


def settings() -> WarningsSettings:
    return WarningsSettings()

"""API settings (prefix ``PS_API_``; ``PS_ENV`` and ``PS_DATA_DIR`` are shared names).

Placeholder secrets are accepted only in ``development`` / ``test``: a production start with
the default secret key or admin password fails at once, naming the variable to set.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "password", "admin",
                          "dev-only-placeholder-secret-key-change-me"})


class ApiSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_API_", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=AliasChoices("PS_ENV", "PS_API_ENV", "env"))
    secret_key: SecretStr = SecretStr("dev-only-placeholder-secret-key-change-me")
    admin_user: str = "admin"
    admin_password: SecretStr = SecretStr("change-me")
    token_ttl_minutes: int = 480
    host: str = "127.0.0.1"
    port: int = 8000
    login_per_minute: int = 10  # per client address + user name
    qa_per_minute: int = 30  # per user
    cookie_name: str = "ps_session"
    cookie_secure: bool | None = None  # None = secure outside development/test
    max_page: int = 500

    @model_validator(mode="after")
    def _refuse_placeholders(self) -> "ApiSettings":
        if self.env in ("development", "test"):
            return self
        bad = []
        key = self.secret_key.get_secret_value()
        if key in PLACEHOLDERS or len(key) < 32:
            bad.append("PS_API_SECRET_KEY (at least 32 random characters)")
        if self.admin_password.get_secret_value() in PLACEHOLDERS:
            bad.append("PS_API_ADMIN_PASSWORD")
        if bad:
            raise ValueError(f"placeholder secrets refused in {self.env}: set " + ", ".join(bad))
        return self

    @property
    def api_dir(self) -> Path:
        return self.data_dir / "api"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.env == "production"


@lru_cache(maxsize=1)
def get_settings() -> ApiSettings:
    return ApiSettings()

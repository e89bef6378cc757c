"""API settings (prefix ``PS_API_``; ``PS_ENV`` and ``PS_DATA_DIR`` are shared names).

No secret has a fixed default. In ``production`` the signing key, the first admin's password
and the audit key must be given (``PS_API_SECRET_KEY``, ``PS_API_ADMIN_PASSWORD``,
``PS_API_AUDIT_KEY`` or ``PS_API_AUDIT_KEY_FILE``); a start without them, or with a known
placeholder, fails at once naming the variable. In ``development`` / ``test`` a missing
signing key and admin password are generated once per data dir into
``PS_DATA_DIR/api/dev-secrets.json`` (mode 0600) and printed once; the audit key is generated
OUTSIDE the data dir (``~/.config/portsentinel/audit-keys/<data-dir hash>.key``, 0600), so a
copy of the data dir alone cannot re-key the audit chain. Serving on anything but loopback
needs ``production`` (:func:`check_bind`).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import secrets
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, PrivateAttr, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from graph.config import DataDirSettings

PLACEHOLDERS = frozenset({"", "change-me", "changeme", "secret", "password", "admin",
                          "dev-only-placeholder-secret-key-change-me"})
DEV_SECRETS = "dev-secrets.json"


class BindRefused(RuntimeError):
    """A non-loopback bind without production settings."""


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to ``path``, created 0600 (never readable by others, not even briefly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("utf-8"))
    finally:
        os.close(fd)


def _dev_secrets(api_dir: Path) -> dict[str, str]:
    path = api_dir / DEV_SECRETS
    if path.exists():
        return json.loads(path.read_text(encoding="utf-8"))
    vals = {"secret_key": secrets.token_urlsafe(48), "admin_password": secrets.token_urlsafe(12)}
    write_private(path, json.dumps(vals))
    print(f"[portsentinel] development secrets generated for this data dir (kept in {path}, "
          f"0600; shown once):\n  signing key    (in the file)\n"
          f"  admin password {vals['admin_password']}", file=sys.stderr, flush=True)
    return vals


def default_audit_key_file(data_dir: Path) -> Path:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode()).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "portsentinel" / "audit-keys" / f"{digest}.key"


class ApiSettings(DataDirSettings):
    model_config = SettingsConfigDict(env_prefix="PS_API_", extra="ignore")

    env: Literal["development", "test", "production"] = Field(
        default="development", validation_alias=AliasChoices("PS_ENV", "PS_API_ENV", "env"))
    secret_key: SecretStr | None = None
    admin_user: str = "admin"
    admin_password: SecretStr | None = None
    # the audit chain's HMAC key: the value, or a file holding it (outside the data dir)
    audit_key: SecretStr | None = None
    audit_key_file: Path | None = None
    # the audit head's anchor file (append-only; default beside the audit key, outside data)
    audit_anchor_file: Path | None = None
    audit_anchor_every_s: float = Field(default=300.0, gt=0)
    token_ttl_minutes: int = Field(default=480, ge=1, le=7 * 24 * 60)
    host: str = "127.0.0.1"
    port: int = 8000
    login_per_minute: int = 10  # per client address + user name
    login_per_ip_per_minute: int = 30  # per client address, whatever the user name
    qa_per_minute: int = 30  # per user
    pii_lookup_per_minute: int = 20  # exact Person/Phone/Email searches without `pii`, per user
    max_body_bytes: int = 2_000_000  # request bodies (ingest event batches: max_ingest_bytes)
    max_ingest_bytes: int = 64_000_000
    sse_per_user: int = 4
    inspection_budget: int = Field(default=50, ge=1, le=200)  # most items an inspector may list
    cookie_name: str = "ps_session"
    cookie_secure: bool | None = None  # None = secure outside development/test
    max_page: int = 500
    _generated_admin_password: bool = PrivateAttr(default=False)

    @model_validator(mode="after")
    def _secrets(self) -> "ApiSettings":
        bad = []
        if self.env == "production":
            if self.secret_key is None:
                bad.append("PS_API_SECRET_KEY (at least 32 random characters)")
            if self.admin_password is None:
                bad.append("PS_API_ADMIN_PASSWORD")
            if self.audit_key is None and self.audit_key_file is None:
                bad.append("PS_API_AUDIT_KEY or PS_API_AUDIT_KEY_FILE")
        elif self.secret_key is None or self.admin_password is None:
            dev = _dev_secrets(self.api_dir)
            if self.secret_key is None:
                self.secret_key = SecretStr(dev["secret_key"])
            if self.admin_password is None:
                self.admin_password = SecretStr(dev["admin_password"])
                self._generated_admin_password = True
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if key in PLACEHOLDERS or len(key) < 32:
                bad.append("PS_API_SECRET_KEY (at least 32 random characters)")
        if self.admin_password is not None and \
                self.admin_password.get_secret_value().lower() in PLACEHOLDERS:
            bad.append("PS_API_ADMIN_PASSWORD")
        if self.audit_key is not None and len(self.audit_key.get_secret_value()) < 32:
            bad.append("PS_API_AUDIT_KEY (at least 32 random characters)")
        if bad:
            raise ValueError(f"placeholder or missing secrets refused in {self.env}: set "
                             + ", ".join(dict.fromkeys(bad)))
        return self

    @property
    def admin_password_generated(self) -> bool:
        """The admin password came from ``dev-secrets.json`` (development), not a setting."""
        return self._generated_admin_password

    @property
    def api_dir(self) -> Path:
        return self.data_dir / "api"

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.env == "production"

    def audit_key_bytes(self) -> bytes:
        """The audit chain's HMAC key: ``audit_key``, else ``audit_key_file`` (generated, 0600,
        outside the data dir, in development / test when missing)."""
        if self.audit_key is not None:
            return self.audit_key.get_secret_value().encode()
        path = self.audit_key_file or default_audit_key_file(self.data_dir)
        if not path.exists():
            if self.env == "production":
                raise ValueError(f"PS_API_AUDIT_KEY_FILE {path} does not exist")
            write_private(path, secrets.token_hex(32))
        key = path.read_text(encoding="utf-8").strip()
        if len(key) < 32:
            raise ValueError(f"audit key in {path} is shorter than 32 characters")
        return key.encode()

    def anchor_path(self) -> Path:
        if self.audit_anchor_file is not None:
            return self.audit_anchor_file
        key_file = self.audit_key_file or default_audit_key_file(self.data_dir)
        return key_file.with_suffix(".anchor")


def is_loopback(host: str) -> bool:
    if host in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(settings: ApiSettings, host: str) -> None:
    """Refuse a non-loopback bind unless the settings are production ones."""
    if not is_loopback(host) and settings.env != "production":
        raise BindRefused(
            f"refusing to serve on {host!r} with PS_ENV={settings.env}: binding anything but "
            "loopback (127.0.0.1, ::1) needs PS_ENV=production with PS_API_SECRET_KEY, "
            "PS_API_ADMIN_PASSWORD and PS_API_AUDIT_KEY (or PS_API_AUDIT_KEY_FILE) set")


@lru_cache(maxsize=1)
def get_settings() -> ApiSettings:
    return ApiSettings()

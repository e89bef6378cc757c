"""Settings refuse placeholder secrets outside development; passwords are Argon2id; tokens
are signed and expire; the rate limiter counts per key."""

from __future__ import annotations

import pytest

from api import security
from api.config import ApiSettings
from api.ratelimit import RateLimiter

pytestmark = pytest.mark.unit


def test_production_refuses_placeholder_secrets(tmp_path):
    with pytest.raises(ValueError, match="PS_API_SECRET_KEY"):
        ApiSettings(env="production", data_dir=tmp_path)
    with pytest.raises(ValueError, match="PS_API_ADMIN_PASSWORD"):
        ApiSettings(env="production", data_dir=tmp_path, secret_key="k" * 40,
                    audit_key="a" * 40)
    with pytest.raises(ValueError, match="PS_API_AUDIT_KEY"):
        ApiSettings(env="production", data_dir=tmp_path, secret_key="k" * 40,
                    admin_password="a-real-password")
    ok = ApiSettings(env="production", data_dir=tmp_path, secret_key="k" * 40,
                     admin_password="a-real-password", audit_key="a" * 40)
    assert ok.secure_cookies is True


def test_development_generates_secrets_per_data_dir(tmp_path):
    s = ApiSettings(env="development", data_dir=tmp_path)
    assert s.secure_cookies is False
    assert len(s.secret_key.get_secret_value()) >= 32


def test_env_comes_from_ps_env(monkeypatch, tmp_path):
    monkeypatch.setenv("PS_ENV", "production")
    with pytest.raises(ValueError):
        ApiSettings(data_dir=tmp_path)


def test_passwords_are_argon2id_and_verify():
    h = security.hash_password("correct horse")
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, "correct horse")
    assert not security.verify_password(h, "wrong")
    assert not security.verify_password(None, "anything")


def test_tokens_are_signed_and_checked():
    tok, _ = security.issue_token(secret="s" * 40, username="u", role="analyst",
                                  token_version=0, ttl_minutes=5)
    assert security.decode_token(tok, secret="s" * 40)["sub"] == "u"
    assert security.decode_token(tok, secret="x" * 40) is None
    expired, _ = security.issue_token(secret="s" * 40, username="u", role="analyst",
                                      token_version=0, ttl_minutes=-1)
    assert security.decode_token(expired, secret="s" * 40) is None


def test_rate_limiter_blocks_after_the_limit():
    rl = RateLimiter(3)
    assert [rl.hit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert rl.hit("a") > 0
    assert rl.hit("b") == 0.0


def test_free_text_is_scrubbed_of_id_numbers_phones_and_emails():
    from api.authz import scrub

    text = ("linked: Declaration 97061800 -[AGENT_FOR]- Person PHASH-1 -[HAS_PHONE]- Phone "
            "+8613800138000; id 11010119900307123X, mobile 13800138000, mail a.b@example.cn")
    out = scrub({"zh": [text], "n": 3})
    s = out["zh"][0]
    for secret in ("+8613800138000", "11010119900307123X", "13800138000", "a.b@example.cn"):
        assert secret not in s
    assert "97061800" in s and "PHASH-1" in s and out["n"] == 3

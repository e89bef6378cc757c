"""API test fixtures: the app on a real embedded graph (seeded small), one user per role."""

from __future__ import annotations

import pytest

import api_seed

PASSWORD = "test-pass-123"
USERS = {  # username: (role, extra)
    "analyst": ("analyst", {}),
    "analyst_pii": ("analyst", {"grants": ["pii"]}),
    "inspector": ("inspector", {}),
    "duty": ("duty_officer", {}),
    "trader_a": ("trader", {"enterprise_key": "ENT-A"}),
    "trader_b": ("trader", {"enterprise_key": "ENT-B"}),
}


@pytest.fixture(scope="module")
def api_store(embedded_store):
    embedded_store.clear()
    api_seed.seed(embedded_store)
    return embedded_store


def make_app(data_dir, store, **overrides):
    from api.config import ApiSettings
    from api.main import create_app

    kw = {"env": "test", "data_dir": data_dir, "secret_key": "t" * 40,
          "admin_password": PASSWORD, "login_per_minute": 1000, "qa_per_minute": 1000,
          **overrides}
    settings = ApiSettings(**kw)
    app = create_app(settings=settings, store=store)
    for name, (role, extra) in USERS.items():
        app.state.ps.users.ensure(username=name, password=PASSWORD, role=role, **extra)
    return app


@pytest.fixture(scope="module")
def app(tmp_path_factory, api_store):
    app = make_app(tmp_path_factory.mktemp("api"), api_store)
    yield app
    app.state.ps.close()


@pytest.fixture(scope="module")
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


@pytest.fixture(scope="module")
def auth(client):
    """auth(username) -> headers with a bearer token for that user (cached)."""
    cache: dict[str, dict[str, str]] = {}

    def get(username: str) -> dict[str, str]:
        if username not in cache:
            r = client.post("/auth/token", data={"username": username, "password": PASSWORD})
            assert r.status_code == 200, r.text
            cache[username] = {"Authorization": f"Bearer {r.json()['access_token']}"}
        return cache[username]

    return get

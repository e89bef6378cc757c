"""API test fixtures: the app on a real embedded graph (seeded small), one user per role."""

from __future__ import annotations

import pytest

import api_seed
from api_seed import PASSWORD, make_app


@pytest.fixture(scope="module")
def api_store(embedded_store):
    embedded_store.clear()
    api_seed.seed(embedded_store)
    return embedded_store


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

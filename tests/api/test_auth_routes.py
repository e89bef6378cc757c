"""Sign-in (token and cookie), failures audited, rate limits, problem+json errors."""

from __future__ import annotations

import pytest

from api_seed import PASSWORD, make_app

pytestmark = pytest.mark.integration


def test_health_is_live_and_ready_names_what_is_missing(client, auth):
    assert client.get("/health").json() == {"status": "ok"}
    anon = client.get("/ready")  # anonymous: which components, no engine or error details
    assert anon.status_code == 503 and anon.json()["components"] == {
        "graph": {"ok": True}, "model": {"ok": False}, "knowledge": {"ok": False}}
    r = client.get("/ready", headers=auth("admin"))  # a graph, no promoted model, no index
    assert r.status_code == 503
    body = r.json()
    assert body["status"] == "not_ready" and set(body["components"]) == {"graph", "model",
                                                                         "knowledge"}
    comps = body["components"]
    assert comps["graph"]["ok"] is True and comps["graph"]["engine"]
    assert comps["model"] == {"ok": False, "detail": "no promoted model"}
    assert comps["knowledge"]["ok"] is False
    assert comps["knowledge"]["detail"].startswith("IndexNotBuiltError")


def test_token_login_and_me(client, auth):
    me = client.get("/auth/me", headers=auth("analyst")).json()
    assert me["role"] == "analyst" and "graph:read" in me["permissions"]
    assert me["pages"][0] == "graph"


def test_wrong_password_is_401_problem_and_audited(client, auth):
    r = client.post("/auth/token", data={"username": "analyst", "password": "nope-nope"})
    assert r.status_code == 401
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "auth.invalid_credentials"
    log = client.get("/audit", params={"action": "auth.login_failed"}, headers=auth("admin"))
    assert any(e["target_id"] == "analyst" for e in log.json()["items"])


def test_no_token_is_401(client):
    r = client.get("/graph/search", params={"q": "x"})
    assert r.status_code == 401 and r.json()["code"] == "auth.unauthenticated"


def test_cookie_session_needs_csrf_header_to_change_things(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        r = c.post("/auth/login", json={"username": "inspector", "password": PASSWORD})
        assert r.status_code == 200 and "ps_session" in r.cookies
        token = r.cookies["ps_session"]
        assert "httponly" in r.headers["set-cookie"].lower()
        assert "samesite=strict" in r.headers["set-cookie"].lower()
        assert c.get("/auth/me").json()["username"] == "inspector"
        body = {"label": "Declaration", "key": "D-1001", "result": "hit"}
        r = c.post("/inspections", json=body)
        assert r.status_code == 403 and r.json()["code"] == "auth.csrf"
        assert c.post("/auth/logout", headers={"X-PS-CSRF": "1"}).status_code == 200
        # the signed-out token no longer works, even when replayed as a bearer token
        r = c.get("/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 401


def test_changing_a_user_ends_its_sessions(client, auth, app):
    app.state.ps.users.ensure(username="temp_user", password=PASSWORD, role="analyst")
    h = auth("temp_user")
    assert client.get("/auth/me", headers=h).status_code == 200
    r = client.patch("/users/temp_user", json={"active": False}, headers=auth("admin"))
    assert r.status_code == 200
    assert client.get("/auth/me", headers=h).status_code == 401


def test_login_is_rate_limited(tmp_path, api_store):
    from fastapi.testclient import TestClient

    app = make_app(tmp_path, api_store, login_per_minute=3)
    with TestClient(app) as c:
        codes = [c.post("/auth/token", data={"username": "analyst", "password": "bad-pass"})
                 .status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        r = c.post("/auth/token", data={"username": "analyst", "password": PASSWORD})
        assert r.status_code == 429 and "Retry-After" in r.headers
    app.state.ps.close()


def test_validation_errors_are_problem_json(client, auth):
    r = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "ENT-A", "hops": 9},
                   headers=auth("analyst"))
    assert r.status_code == 422 and r.json()["code"] == "validation"
    r = client.get("/graph/node", params={"label": "Robot", "key": "x"}, headers=auth("analyst"))
    assert r.status_code == 422 and r.json()["code"] == "graph.ontology"


def test_admin_manages_users(client, auth):
    r = client.post("/users", json={"username": "trader_c", "password": PASSWORD,
                                    "role": "trader", "enterprise_key": "ENT-C"},
                    headers=auth("admin"))
    assert r.status_code == 201
    r = client.post("/users", json={"username": "trader_c", "password": PASSWORD,
                                    "role": "trader", "enterprise_key": "ENT-C"},
                    headers=auth("admin"))
    assert r.status_code == 409 and r.json()["code"] == "users.exists"
    page = client.get("/users", params={"limit": 2}, headers=auth("admin")).json()
    assert len(page["items"]) == 2 and page["total"] >= 8 and page["next_offset"] == 2


def test_openapi_lists_every_resource(client):
    spec = client.get("/openapi.json").json()
    tags = {t for p in spec["paths"].values() for op in p.values() for t in op.get("tags", [])}
    assert {"graph", "risk", "targeting", "inspections", "ingest", "qa", "knowledge", "models",
            "auth", "audit", "health"} <= tags


def test_ui_is_served_with_a_strict_content_security_policy(client):
    r = client.get("/ui/")
    assert r.status_code == 200 and "PortSentinel" in r.text
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert client.get("/ui/vendor/cytoscape.min.js").status_code == 200
    assert client.get("/", follow_redirects=False).headers["location"] == "/ui/"

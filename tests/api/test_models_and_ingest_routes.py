"""QA is rate-limited per user; missing pieces answer 503 problems, not tracebacks; the
quarantine withholds offending values from users without the grant."""

from __future__ import annotations

import json

import pytest

from api_seed import make_app

pytestmark = pytest.mark.integration


def test_qa_is_rate_limited_per_user(tmp_path, api_store):
    from fastapi.testclient import TestClient

    app = make_app(tmp_path, api_store, qa_per_minute=2)
    with TestClient(app) as c:
        tok = c.post("/auth/token", data={"username": "trader_a", "password": "test-pass-123"})
        h = {"Authorization": f"Bearer {tok.json()['access_token']}"}
        codes = [c.post("/qa/ask", json={"question": "进口冻肉要什么手续？"}, headers=h).status_code
                 for _ in range(3)]
        assert codes[:2] != [429, 429] and codes[2] == 429
        first = c.post("/qa/chat", json={"question": "x"}, headers=h)
        assert first.status_code == 429 and first.json()["code"] == "rate_limited"
    app.state.ps.close()


def test_without_an_index_knowledge_answers_503_problem(client, auth):
    r = client.get("/knowledge/articles/nope-0001", headers=auth("trader_a"))
    assert r.status_code in (404, 503)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"].startswith(("knowledge.", "feature_unavailable"))


def test_models_without_a_registry_list_empty_and_rollback_is_a_problem(client, auth):
    r = client.get("/models", headers=auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json()["items"] == [] and r.json()["promoted"] is None
    r = client.post("/models/rollback", headers=auth("admin"))
    assert r.status_code in (409, 503) and r.json()["code"].startswith(("models.", "feature_"))


def test_quarantine_hides_offending_values_without_the_grant(app, client, auth):
    qdir = app.state.ps.settings.data_dir / "quarantine"
    qdir.mkdir(parents=True, exist_ok=True)
    (qdir / "persons.jsonl").write_text(json.dumps({
        "id": "f1", "source": "persons", "line": 7, "field": "id_number",
        "value": "11010119900307999X", "reason": "check digit does not match",
        "record": {"id_number": "11010119900307999X"}, "at": "2026-11-28T00:00:00+00:00"}) + "\n")
    r = client.get("/ingest/quarantine", headers=auth("admin"))
    assert r.status_code == 200 and r.json()["total"] == 1
    assert r.json()["items"][0]["reason"] == "check digit does not match"
    assert "11010119900307999X" not in r.text
    _ = client.get("/ingest/loads", headers=auth("admin")).json()["items"]

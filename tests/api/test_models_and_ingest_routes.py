"""Models without a registry list empty and refuse a rollback with a 409 problem; the
quarantine withholds offending values from users without the grant; data loads come from
the audit log."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def test_models_without_a_registry_list_empty_and_rollback_is_a_409_problem(client, auth):
    r = client.get("/models", headers=auth("admin"))
    assert r.status_code == 200, r.text
    assert r.json() == {"items": [], "total": 0, "promoted": None, "history": []}
    r = client.post("/models/rollback", headers=auth("admin"))
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "models.registry"
    r = client.post("/models/v404/promote", headers=auth("admin"))
    assert r.status_code == 409 and r.json()["code"] == "models.registry"


def test_targeting_without_a_promoted_model_is_a_409_problem(client, auth):
    r = client.post("/targeting/lists", json={"budget": 2}, headers=auth("inspector"))
    assert r.status_code == 409 and r.json()["code"] == "models.registry"


def test_quarantine_hides_offending_values_without_the_grant(app, client, auth):
    qdir = app.state.ps.settings.data_dir / "quarantine"
    qdir.mkdir(parents=True, exist_ok=True)
    (qdir / "persons.jsonl").write_text(json.dumps({
        "id": "f1", "source": "persons", "line": 7, "field": "id_number",
        "value": "11010119900307999X", "reason": "check digit does not match",
        "record": {"id_number": "11010119900307999X"}, "at": "2026-11-28T00:00:00+00:00"}) + "\n")
    r = client.get("/ingest/quarantine", headers=auth("admin"))
    assert r.status_code == 200 and r.json()["total"] == 1
    item = r.json()["items"][0]
    assert item["reason"] == "check digit does not match" and item["value"] == "****"
    assert "record" not in item and "11010119900307999X" not in r.text


def test_loads_are_read_from_the_audit_log(app, client, auth):
    app.state.ps.audit.append(actor="demo", role="system", action="ingest.kcs",
                              target_type="source", target_id="kcs:sample.csv",
                              detail={"report": {"read": 3, "loaded": 2, "quarantined": 1,
                                                 "seconds": 0.5}})
    r = client.get("/ingest/loads", headers=auth("admin"))
    assert r.status_code == 200
    rows = r.json()["items"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["by"], row["source"], row["read"], row["loaded"], row["quarantined"]) == (
        "demo", "kcs:sample.csv", 3, 2, 1)
    assert "seconds" not in row

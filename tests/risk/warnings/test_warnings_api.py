"""The /warnings routes through FastAPI (on the embedded graph): queue, manual raise, transitions
with problem+json refusals, rules, events, roles."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

import warnings_scenarios as sc
from warnings_apptools import make_app

pytestmark = pytest.mark.integration  # the embedded graph engine


@pytest.fixture
def client(wsvc, clean_embedded_store):
    with TestClient(make_app(wsvc, clean_embedded_store)) as c:
        yield c


def test_events_raise_and_list(client, clean_embedded_store):
    recs = sc.watchlist_vehicle_in_declaration(clean_embedded_store)
    body = {"events": [sc_rec for sc_rec in map(_as_dict, recs)]}
    r = client.post("/warnings/events", json=body)
    assert r.status_code == 200 and r.json()["raised"] == 1 and r.json()["evaluated"] == 3
    page = client.get("/warnings", params={"level": "红", "status": "open"}).json()
    assert page["total"] == 1 and page["items"][0]["rule"] == "watchlist_hit"
    assert client.get("/warnings", params={"port": "nowhere"}).json()["total"] == 0


def _as_dict(r):
    from graph.base import NodeRecord
    if isinstance(r, NodeRecord):
        return {"kind": "node", "label": r.label, "key": r.key, "props": dict(r.props)}
    return {"kind": "rel", "type": r.type, "start": [r.start_label, r.start_key],
            "end": [r.end_label, r.end_key], "props": dict(r.props)}


def test_transitions_over_http(client):
    w = client.post("/warnings", json={"level": "橙", "message_zh": "可疑", "message_en": "odd",
                                       "subject_label": "Vehicle", "subject_key": "粤B1",
                                       "port": "P1"}).json()
    assert w["result"] == "raised" and w["status"] == "open"
    bad = client.post(f"/warnings/{w['id']}/transition", json={"to": "closed",
                                                               "outcome": "confirmed"})
    assert bad.status_code == 409
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert bad.json()["code"] == "warnings.illegal_transition"
    assert bad.json()["allowed"] == ["acknowledged"]
    for body in ({"to": "acknowledged"}, {"to": "in_progress", "assignee": "duty1"},
                 {"to": "closed", "outcome": "confirmed", "feedback": "属实",
                  "measures": ["扣留"]}):
        r = client.post(f"/warnings/{w['id']}/transition", json=body)
        assert r.status_code == 200, r.text
    got = client.get(f"/warnings/{w['id']}").json()
    assert got["status"] == "closed" and len(got["transitions"]) == 3
    assert len(got["history"]) == 4  # raised + three steps
    assert got["transitions"][-1]["actor"] == "duty1"
    assert client.get("/warnings/999999").status_code == 404
    audit = client.app.state.audit_entries
    assert [a["action"] for a in audit].count("warnings.transition") == 4
    assert audit[1]["outcome"] == "refused"
    labels = client.get("/warnings/feedback/labels").json()["items"]
    assert labels == [] or labels[0]["key"] == "粤B1"


def test_rules_and_stats(client):
    assert len(client.get("/warnings/rules").json()["items"]) == 7
    assert "evaluated" in client.get("/warnings/stats").json()


def test_analyst_reads_but_cannot_handle(wsvc, clean_embedded_store):
    with TestClient(make_app(wsvc, clean_embedded_store, role="analyst")) as c:
        assert c.get("/warnings").status_code == 200
        r = c.post("/warnings", json={"level": "蓝", "message_zh": "x", "message_en": "x",
                                      "subject_label": "Port", "subject_key": "P1"})
        assert r.status_code == 403

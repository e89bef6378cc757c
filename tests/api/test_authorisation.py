"""Data authorisation is checked on the server; every refusal is a 403 problem, audited."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def _denied_logged(client, auth, actor: str, path: str) -> bool:
    log = client.get("/audit", params={"action": "access.denied", "actor": actor, "limit": 100},
                     headers=auth("admin")).json()
    return any(path in e["target_id"] for e in log["items"])


def _assert_403(r):
    assert r.status_code == 403, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["status"] == 403 and r.json()["code"].startswith("auth.")


def test_trader_sees_only_its_own_declarations(client, auth):
    page = client.get("/declarations", headers=auth("trader_a")).json()
    assert sorted(d["key"] for d in page["items"]) == ["D-1001", "D-1002"]
    one = client.get("/declarations/D-1001", headers=auth("trader_a")).json()
    assert one["status"] and "fraud" not in one["props"] and "risk_score" not in one["props"]


def test_trader_asking_for_another_enterprises_declaration_is_refused(client, auth):
    r = client.get("/declarations/D-2001", headers=auth("trader_a"))
    _assert_403(r)
    assert _denied_logged(client, auth, "trader_a", "/declarations/D-2001")


def test_trader_asking_for_the_graph_is_refused(client, auth):
    r = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "ENT-A"},
                   headers=auth("trader_a"))
    _assert_403(r)
    assert _denied_logged(client, auth, "trader_a", "/graph/neighbours")


def test_trader_asking_for_the_audit_log_is_refused(client, auth):
    _assert_403(client.get("/audit", headers=auth("trader_b")))
    assert _denied_logged(client, auth, "trader_b", "/audit")


def test_inspector_asking_for_the_audit_log_is_refused(client, auth):
    _assert_403(client.get("/audit", headers=auth("inspector")))
    _assert_403(client.get("/audit/export", headers=auth("inspector")))
    assert _denied_logged(client, auth, "inspector", "/audit")


@pytest.mark.parametrize("user,method,path", [
    ("inspector", "GET", "/graph/search?q=ENT"),
    ("inspector", "GET", "/users"),
    ("duty", "POST", "/investigations"),
    ("duty", "GET", "/risk/entity?label=Enterprise&key=ENT-A"),
    ("analyst", "GET", "/users"),
    ("analyst", "POST", "/models/v1/promote"),
    ("analyst", "POST", "/ingest/events"),
    ("trader_a", "POST", "/targeting/lists"),
    ("trader_a", "GET", "/targeting/lists"),
    ("trader_a", "GET", "/risk/entity?label=Enterprise&key=ENT-A"),
    ("duty", "POST", "/inspections"),
])
def test_role_matrix_refusals(client, auth, user, method, path):
    r = client.request(method, path, headers=auth(user), json={} if method == "POST" else None)
    _assert_403(r)


def test_inspector_sees_only_listed_declarations(client, auth, app):
    _assert_403(client.get("/declarations/D-2001", headers=auth("inspector")))
    list_id = app.state.ps.work.save_targeting_list(
        issued_by="analyst", port="30", date="2020-01-02", budget=1, model_version="test",
        items=[{"label": "Declaration", "key": "D-3001", "score": 0.97,
                "reasons": ["shareholder linked to a high-risk enterprise"]}], meta={})
    r = client.get("/declarations/D-3001", headers=auth("inspector"))
    assert r.status_code == 200 and r.json()["status"] == "selected_for_inspection"
    lists = client.get("/targeting/lists", headers=auth("inspector")).json()
    assert list_id in [tl["id"] for tl in lists["items"]]


def test_inspector_records_a_result_only_for_listed_items(client, auth, app, api_store):
    _assert_403(client.post("/inspections", json={"key": "D-2001", "result": "hit"},
                            headers=auth("inspector")))
    app.state.ps.work.save_targeting_list(
        issued_by="analyst", port="30", date=None, budget=1, model_version="test",
        items=[{"label": "Declaration", "key": "D-1002", "score": 0.5, "reasons": []}], meta={})
    r = client.post("/inspections", json={"key": "D-1002", "result": "hit",
                                          "findings": "undervalued"}, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    assert client.get("/declarations/D-1002", headers=auth("trader_a")).json()["status"] == \
        "inspected"
    log = client.get("/audit", params={"action": "inspection.record"},
                     headers=auth("admin")).json()
    assert log["items"][0]["target_id"] == "D-1002"
    # a declaration's result goes through the risk package, which writes it to the graph
    fed = r.json()["fed"]
    assert (fed["declaration"], fed["result"], fed["inspection"]) == ("D-1002", "hit",
                                                                     r.json()["id"])
    sub = api_store.neighbourhood("Declaration", "D-1002", labels=["Inspection"])
    assert [n.props["result"] for n in sub.nodes if n.label == "Inspection"] == ["hit"]
    assert api_store.get("Declaration", "D-1002").props["inspected"] is True


def test_a_containers_inspection_is_written_to_the_graph(client, auth, app, api_store):
    from graph.base import NodeRecord

    api_store.upsert([NodeRecord("Container", "MSCU1234565", {"size_type": "40HC"}, "test:api")])
    app.state.ps.work.save_targeting_list(
        issued_by="analyst", port="30", date=None, budget=1, model_version="test",
        items=[{"label": "Container", "key": "MSCU1234565", "score": 0.8, "reasons": []}],
        meta={})
    r = client.post("/inspections", json={"label": "Container", "key": "MSCU1234565",
                                          "result": "no_hit"}, headers=auth("inspector"))
    assert r.status_code == 201, r.text
    assert r.json()["fed"] == {"inspection": r.json()["id"], "recorded_in": "graph"}
    sub = api_store.neighbourhood("Container", "MSCU1234565", labels=["Inspection"])
    insp = [n for n in sub.nodes if n.label == "Inspection"]
    assert [(n.key, n.props["result"]) for n in insp] == [(r.json()["id"], "no_hit")]

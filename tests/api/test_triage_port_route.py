"""The first-run triage case carries the port of its evidence, and the queue's port filter
(GET /warnings/cases?port=) finds it, on the real seeded embedded graph."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.integration]


def test_a_first_run_case_has_its_declarations_port_and_the_port_filter_finds_it(
        client, auth, app, api_store):
    ws = app.state.ps.warnings
    res = ws.on_baseline(api_store, {"Enterprise": {"ENT-C": {"risk_score": 0.93,
                                                              "risk_level": "高"}}})
    assert res.raised == 1, res
    # ENT-C's one declaration, D-3001 (the seized one), is AT_PORT Port 30 in the graph
    sub = api_store.neighbourhood("Declaration", "D-3001", hops=1, rel_types=["AT_PORT"])
    ports = {r.end[1] for r in sub.relationships if r.end[0] == "Port"}
    assert ports == {"30"}
    r = client.get("/warnings/cases", headers=auth("duty"),
                   params={"rule": "first_run_triage", "port": "30", "limit": 100})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert [c["subjects"][0]["key"] for c in items] == ["ENT-C"]
    assert items[0]["ports"] == ["30"]
    d = client.get(f"/warnings/cases/{items[0]['id']}", headers=auth("duty")).json()
    assert [w["port"] for w in d["warnings"] if w["rule"] == "first_run_triage"] == ["30"]
    r = client.get("/warnings/cases", headers=auth("duty"),
                   params={"rule": "first_run_triage", "port": "99", "limit": 100})
    assert r.status_code == 200 and r.json()["items"] == [], r.text

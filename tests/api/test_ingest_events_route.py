"""POST /ingest/events: a JSONL body through the real ingest path into the embedded graph,
bad lines quarantined, re-posting idempotent, and each batch evaluated by the warning rules."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.integration


def _decl(decl_id: str, plate: str) -> dict:
    return {"type": "declaration", "decl_id": decl_id, "date": "2024-03-01",
            "port_code": "5300", "customs_code": "4403960001", "seller_id": "S-EV-1",
            "seller_name": "Evergreen Trading Ltd", "seller_country": "VN",
            "hs10": "0303890090", "origin": "VN", "departure": "VN", "net_mass": "1200",
            "value": "5300", "currency": "USD", "plate": plate}


def _post(client, headers, lines: list[str]):
    return client.post("/ingest/events?source=route-test", content="\n".join(lines).encode(),
                       headers={**headers, "Content-Type": "application/x-ndjson"})


def test_events_load_quarantine_and_raise_a_watchlist_warning(client, auth, api_store):
    admin = auth("admin")
    first = [json.dumps(_decl("EV-0001", "粤B12345"), ensure_ascii=False), "{not json"]
    r = _post(client, admin, first)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["read"], rep["loaded"], rep["quarantined"]) == (2, 1, 1)
    assert api_store.get("Declaration", "EV-0001") is not None
    counts = api_store.counts()

    again = _post(client, admin, first).json()  # idempotent: nothing new in the graph
    assert again["loaded"] == 1 and api_store.counts() == counts

    vehicles = [n for n in api_store.neighbourhood("Declaration", "EV-0001").nodes
                if n.label == "Vehicle"]
    assert len(vehicles) == 1
    api_store.set_properties("Vehicle", {vehicles[0].key: {"watchlisted": True}})

    r = _post(client, admin, [json.dumps(_decl("EV-0002", "粤B12345"), ensure_ascii=False)])
    assert r.status_code == 200, r.text
    assert r.json()["warnings"]["raised"] == 1
    items = client.get("/warnings", headers=admin).json()["items"]
    assert any(w["rule"] == "watchlist_hit" and vehicles[0].key in json.dumps(w, ensure_ascii=False)
               for w in items)


def test_events_refused_for_an_analyst_and_for_a_malformed_array(client, auth):
    assert _post(client, auth("analyst"), ["{}"]).status_code == 403
    r = client.post("/ingest/events", content=b"[{", headers={
        **auth("admin"), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.headers["content-type"].startswith("application/problem+json")

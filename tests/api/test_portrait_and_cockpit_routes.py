"""Portrait and cockpit routes on the real embedded graph: masking, audit, and the
cockpit's hit rate against hits / inspections computed directly from the graph."""

from __future__ import annotations

import pytest

from api_seed import PERSON_NAME, PHONE_KEY, graph_hit_rate

pytestmark = pytest.mark.integration


def test_cockpit_hit_rate_equals_hits_over_inspections_from_the_graph(client, auth, app, api_store):
    work = app.state.ps.work
    items = [{"label": "Declaration", "key": k, "score": 0.5, "reasons": []}
             for k in ("D-1001", "D-1002", "D-2001", "D-3001")]
    lid = work.save_targeting_list(issued_by="inspector", port="30", date="2020-01-02",
                                   budget=4, model_version="m1", items=items, meta={})
    for key, res in (("D-1001", "no_hit"), ("D-2001", "no_hit"), ("D-3001", "hit")):
        r = client.post("/inspections", headers=auth("inspector"),
                        json={"label": "Declaration", "key": key, "result": res, "list_id": lid})
        assert r.status_code == 201, r.text
    r = client.get("/cockpit", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    c = r.json()
    hits, n = graph_hit_rate(api_store, work)
    assert n == 3 and hits == 1
    assert (c["hit_rate"]["hits"], c["hit_rate"]["inspected"]) == (hits, n)
    assert c["hit_rate"]["hit_rate"] == round(hits / n, 4)
    assert c["declarations_per_day"] == [{"date": "2020-01-02", "declarations": 4,
                                          "targeted": 4, "share_targeted": 1.0}]
    assert c["risk_distribution"]["Declaration"] == {"低": 2, "中": 1, "高": 1}
    assert c["top_entities"][0]["key"] == "ENT-C"
    person = next(x for x in c["top_entities"] if x["label"] == "Person") \
        if any(x["label"] == "Person" for x in c["top_entities"]) else None
    assert person is None or PERSON_NAME not in str(person)
    assert app.state.ps.audit.query(action="cockpit.read", limit=5)[0][0]["actor"] == "analyst"
    assert client.get("/cockpit", headers=auth("trader_a")).status_code == 403
    # a port filter with no declarations is an empty overview, not an error
    e = client.get("/cockpit", headers=auth("analyst"), params={"port": "99"}).json()
    assert e["declarations"] == 0 and e["hit_rate"]["lists"] == 0


def test_enterprise_portrait_gathers_what_is_known_and_masks_people(client, auth, app):
    r = client.get("/portrait/Enterprise/ENT-A", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    p = r.json()
    assert p["node"]["props"]["name"].startswith("Acme")
    assert p["risk"]["risk_score"] == 0.35
    assert p["declarations"]["total"] == 2
    assert {m["month"] for m in p["declarations"]["by_month"]} == {"2020-01"}
    # ENT-A shares its legal representative with ENT-C: linked, and the person is masked
    assert any(s["node"]["key"] == "ENT-C" for s in p["shared"])
    persons = [x["node"] for x in p["linked"] if x["node"]["label"] == "Person"]
    assert persons and all(x["masked"] for x in persons)
    assert PERSON_NAME not in r.text and PHONE_KEY not in r.text
    assert "reasons" in p["explanation"]
    e = app.state.ps.audit.query(action="portrait.read", limit=5)[0][0]
    assert (e["actor"], e["target_id"]) == ("analyst", "ENT-A")
    pii = client.get("/portrait/Enterprise/ENT-A", headers=auth("analyst_pii")).text
    assert PERSON_NAME in pii
    assert client.get("/portrait/Enterprise/NOPE", headers=auth("analyst")).status_code == 404
    assert client.get("/portrait/Declaration/D-1001", headers=auth("analyst")).status_code == 422
    assert client.get("/portrait/Person/PHASH-0001", headers=auth("duty")).status_code == 200
    assert client.get("/portrait/Enterprise/ENT-A", headers=auth("trader_a")).status_code == 403


def _record_runs(data_dir):
    """Two entity-model runs in the app's score history (as score_all records them)."""
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(data_dir)
    for at, s_a, lv in (("2026-11-01T00:00:00+00:00", 0.41, "中"),
                        ("2026-11-08T00:00:00+00:00", 0.97, "高")):
        rec = h.begin(kind="entity", model_version="entity:v001", scored_at=at)
        rec.add("Enterprise", {"ENT-A": {"risk_score": s_a, "risk_level": lv}})
        rec.add("Person", {"PHASH-0001": {"risk_score": 0.5, "risk_level": "中"}})
        rec.finish()
    h.close()


def test_portrait_shows_the_score_trend_over_runs_audited_and_masked(client, auth, app):
    _record_runs(app.state.ps.settings.data_dir)
    p = client.get("/portrait/Enterprise/ENT-A", headers=auth("analyst")).json()
    assert [(x["score"], x["level"]) for x in p["trend"]] == [(0.41, "中"), (0.97, "高")]
    assert p["trend"][0]["run_id"] == "entity:v001@2026-11-01T00:00:00+00:00"
    assert p["node"]["caption_zh"].startswith("Acme")
    r = client.get("/portrait/Enterprise/ENT-A/trend", headers=auth("duty"))
    assert r.status_code == 200 and len(r.json()["items"]) == 2
    e = app.state.ps.audit.query(action="portrait.trend_read", limit=5)[0][0]
    assert (e["actor"], e["target_id"]) == ("duty", "ENT-A")
    # a person: a masked caption (张**), never the name
    t = client.get("/portrait/Person/PHASH-0001/trend", headers=auth("analyst"))
    assert t.status_code == 200 and PERSON_NAME not in t.text
    body = t.json()
    assert body["items"][0]["score"] == 0.5
    assert body["caption_zh"].startswith(PERSON_NAME[0]) and "*" in body["caption_zh"]
    assert PERSON_NAME in client.get("/portrait/Person/PHASH-0001/trend",
                                     headers=auth("analyst_pii")).text
    assert client.get("/portrait/Enterprise/ENT-A/trend",
                      headers=auth("trader_a")).status_code == 403
    assert client.get("/portrait/Enterprise/NOPE/trend",
                      headers=auth("analyst")).status_code == 404


def test_cockpit_drift_compares_the_latest_run_with_training_and_captions_entities(
        client, auth, app):
    c = client.get("/cockpit", headers=auth("analyst")).json()
    assert c["top_entities"][0]["caption_zh"] == c["top_entities"][0]["props"]["name"]
    for n in c["top_entities"]:
        assert n["caption_zh"] and n["caption_en"] and PERSON_NAME not in str(n)
    d = c["drift"]  # this app has no declaration-model run recorded: drift says so
    assert (d["reference"], d["psi"], d["level"], d["missing"]) == (
        "training", None, "unknown", "training")
    assert d["text_zh"].startswith("无法计算漂移") and d["text_en"].startswith("Drift not computed")

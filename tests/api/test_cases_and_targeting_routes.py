"""Warning cases (grouping, bulk close with an audit entry per warning) and the targeting
helpers (date default, CSV export, hit rate per list) on the real embedded graph."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.integration


def _raise(app, n, *, subject, rule="manual", port="30", msg="same situation"):
    svc = app.state.ps.warnings
    out = []
    for i in range(n):
        out.append(svc.raise_warning(level="橙", message_zh=f"{msg} {i}", message_en=f"{msg} {i}",
                                     subject=subject, rule=rule, port=port, actor="test"))
    return out


def test_related_warnings_form_one_case_and_a_bulk_close_audits_each(client, auth, app):
    a = _raise(app, 14, subject=("Enterprise", "ENT-A"))
    b = _raise(app, 6, subject=("Enterprise", "ENT-B"), rule="risky_link")
    # the same rule and subject: one case of 14; another subject + rule: its own case
    r = client.get("/warnings/cases", headers=auth("duty"), params={"limit": 100})
    assert r.status_code == 200, r.text
    cases = {c["id"]: c for c in r.json()["items"]}
    ca = cases[f"case-{min(w['id'] for w in a)}"]
    cb = cases[f"case-{min(w['id'] for w in b)}"]
    assert (ca["count"], cb["count"]) == (14, 6)
    assert ca["subjects"] == [{"label": "Enterprise", "key": "ENT-A", "masked": False,
                               "caption_zh": "Acme Trading 安科贸易",
                               "caption_en": "Acme Trading 安科贸易"}]
    d = client.get(f"/warnings/cases/{ca['id']}", headers=auth("duty")).json()
    assert len(d["warnings"]) == 14 and len(d["timeline"]) == 14
    assert {"label": "Enterprise", "key": "ENT-A", "masked": False,
            "caption_zh": "Acme Trading 安科贸易",
            "caption_en": "Acme Trading 安科贸易"} in d["evidence"]["nodes"]
    # bulk: close all 20 in one step (open -> acknowledged -> in_progress -> closed)
    ids = [w["id"] for w in a + b]
    audit = app.state.ps.audit
    before = len(audit.query(action="warnings.transition", limit=500)[0])
    r = client.post("/warnings/bulk", headers=auth("duty"), json={
        "ids": ids, "to": "closed", "outcome": "false_alarm", "feedback": "bulk test"})
    assert r.status_code == 200, r.text
    assert (r.json()["changed"], r.json()["failed"]) == (20, [])
    entries = audit.query(action="warnings.transition", limit=500)[0]
    assert len(entries) - before == 20
    assert {e["target_id"] for e in entries[:20]} == {str(i) for i in ids}
    assert all(e["detail"]["bulk"] and e["detail"]["to"] == "closed" for e in entries[:20])
    for i in ids:
        assert client.get(f"/warnings/{i}", headers=auth("duty")).json()["status"] == "closed"
    open_ids = {c["id"] for c in client.get("/warnings/cases", headers=auth("duty")).json()["items"]}
    assert ca["id"] not in open_ids and cb["id"] not in open_ids


def test_linked_subjects_join_one_case_and_person_keys_are_masked(client, auth, app):
    svc = app.state.ps.warnings
    from api_seed import PHONE_KEY
    ev = {"nodes": [{"label": "Person", "key": "PHASH-0001"}, {"label": "Enterprise", "key": "ENT-C"},
                    {"label": "Phone", "key": PHONE_KEY}],
          "relationships": [{"type": "SHAREHOLDER_OF", "start": ["Person", "PHASH-0001"],
                             "end": ["Enterprise", "ENT-C"]},
                            {"type": "HAS_PHONE", "start": ["Person", "PHASH-0001"],
                             "end": ["Phone", PHONE_KEY]}]}
    w1 = svc.raise_warning(level="红", message_zh="x1", message_en="x1", rule="manual",
                           subject=("Enterprise", "ENT-C"), evidence=ev, actor="t")
    w2 = svc.raise_warning(level="黄", message_zh="x2", message_en="x2", rule="watchlist_hit",
                           subject=("Person", "PHASH-0001"), actor="t")
    items = client.get("/warnings/cases", headers=auth("duty")).json()["items"]
    c = next(c for c in items if w1["id"] in c["warning_ids"])
    assert w2["id"] in c["warning_ids"] and c["level"] == "红"
    # a phone number (a personal key) in the evidence reaches the duty officer as a token
    d = client.get(f"/warnings/cases/{c['id']}", headers=auth("duty"))
    phone = next(n for n in d.json()["evidence"]["nodes"] if n["label"] == "Phone")
    assert phone["masked"] and phone["key"].startswith("masked:")
    assert PHONE_KEY not in d.text
    # assign the whole case, then a bad bulk is a clear error
    r = client.post("/warnings/bulk", headers=auth("duty"),
                    json={"case_id": c["id"], "to": "assigned", "assignee": "duty2"})
    assert r.json()["changed"] == 2
    assert client.get(f"/warnings/{w1['id']}", headers=auth("duty")).json()["assignee"] == "duty2"
    r = client.post("/warnings/bulk", headers=auth("duty"), json={"ids": [], "to": "closed"})
    assert r.status_code == 400 and "name the warnings" in r.json()["detail"]
    r = client.post("/warnings/bulk", headers=auth("duty"), json={"ids": [w1["id"]], "to": "closed"})
    assert r.status_code == 409 and "outcome" in r.json()["detail"]
    assert client.post("/warnings/bulk", headers=auth("analyst"),
                       json={"ids": [w1["id"]], "to": "acknowledged"}).status_code == 403


def test_targeting_defaults_hit_rate_and_csv(client, auth, app):
    r = client.get("/targeting/defaults", headers=auth("inspector"))
    assert r.status_code == 200 and r.json()["latest_date"] == "2020-01-02"
    assert r.json()["ports"] == [{"port": "30", "n": 4}]
    work = app.state.ps.work
    items = [{"label": "Declaration", "key": k, "score": s, "reasons": [{"zh": "理由", "en": "why"}]}
             for k, s in (("D-3001", 0.97), ("D-1002", 0.55), ("D-1001", 0.21))]
    lid = work.save_targeting_list(issued_by="inspector", port="30", date="2020-01-02",
                                   budget=3, model_version="m1", items=items, meta={})
    got = client.get(f"/targeting/lists/{lid}", headers=auth("inspector")).json()
    assert (got["inspected"], got["hits"], got["hit_rate"]) == (0, 0, None)
    for key, res in (("D-3001", "hit"), ("D-1002", "no_hit")):
        r = client.post("/inspections", headers=auth("inspector"),
                        json={"label": "Declaration", "key": key, "result": res, "list_id": lid})
        assert r.status_code == 201, r.text
    got = client.get(f"/targeting/lists/{lid}", headers=auth("inspector")).json()
    assert (got["inspected"], got["hits"], got["hit_rate"]) == (2, 1, 0.5)
    row = next(x for x in client.get("/targeting/lists", headers=auth("inspector")).json()["items"]
               if x["id"] == lid)
    assert row["hit_rate"] == 0.5
    r = client.get(f"/targeting/lists/{lid}/export.csv", headers=auth("inspector"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert [x["key"] for x in rows] == ["D-3001", "D-1002", "D-1001"]
    assert [x["inspection_result"] for x in rows] == ["hit", "no_hit", ""]
    assert rows[0]["reasons_zh"] == "理由"
    assert app.state.ps.audit.query(action="targeting.export", limit=5)[0][0]["target_id"] == lid
    # a date without declarations is a clear error (no promoted model needed to say so)
    r = client.post("/targeting/jobs", headers=auth("inspector_9"), json={"budget": 2})
    assert r.status_code == 202
    import time
    for _ in range(100):
        j = client.get(f"/targeting/jobs/{r.json()['id']}", headers=auth("inspector_9")).json()
        if j["status"] != "running":
            break
        time.sleep(0.05)
    assert j["status"] == "failed" and "no declarations at port 99" in j["error"]

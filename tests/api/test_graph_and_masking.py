"""Graph routes: every expansion / path / person read is audited; person data is masked for
any role without the ``pii`` grant (a scan of every response), visible with it."""

from __future__ import annotations

import pytest

from api_seed import PERSON_ID, PERSON_NAME, PERSON_PHONE, PHONE_KEY, SECRETS

pytestmark = pytest.mark.integration


def _graph_calls(client, h):
    """Every graph-returning call an analyst can make, following masked keys it is given."""
    out = []
    r = client.get("/graph/search", params={"q": "张"}, headers=h); out.append(r)
    r = client.get("/graph/search", params={"q": "PHASH"}, headers=h); out.append(r)
    r = client.get("/graph/node", params={"label": "Person", "key": "PHASH-0001"}, headers=h)
    out.append(r)
    for lab, key in (("Enterprise", "ENT-A"), ("Person", "PHASH-0001"), ("Enterprise", "ENT-B")):
        for hops in (1, 2, 3):
            out.append(client.get("/graph/neighbours", params={"label": lab, "key": key,
                                                               "hops": hops}, headers=h))
    sub = out[-1].json()
    phone = [n for n in sub["nodes"] if n["label"] == "Phone"][0]
    out.append(client.get("/graph/node", params={"label": "Phone", "key": phone["key"]},
                          headers=h))
    out.append(client.get("/graph/neighbours", params={"label": "Phone", "key": phone["key"]},
                          headers=h))
    out.append(client.get("/graph/paths", params={"from_label": "Enterprise", "from_key": "ENT-A",
                                                  "to_label": "Enterprise", "to_key": "ENT-B"},
                          headers=h))
    out.append(client.get("/graph/shared-links", params={"label": "Enterprise", "key": "ENT-A"},
                          headers=h))
    out.append(client.get("/graph/shared-links", params={"label": "Enterprise", "key": "ENT-B"},
                          headers=h))
    out.append(client.get("/risk/entity", params={"label": "Person", "key": "PHASH-0001"},
                          headers=h))
    inv = client.post("/investigations", json={
        "title": "t", "nodes": [{"label": n["label"], "key": n["key"]} for n in sub["nodes"]],
        "relationships": [{"type": r["type"], "start": r["start"], "end": r["end"]}
                          for r in sub["relationships"]]}, headers=h)
    out.append(inv)
    out.append(client.get(f"/investigations/{inv.json()['id']}", headers=h))
    return out


@pytest.mark.parametrize("user", ["analyst", "admin"])  # the admin has no grant either
def test_no_unmasked_person_data_reaches_a_role_without_the_grant(client, auth, user):
    responses = _graph_calls(client, auth(user))
    assert len(responses) == 20
    for r in responses:
        assert r.status_code == (201 if r.request.method == "POST" else 200), (
            r.request.url, r.text)
        for secret in SECRETS:
            assert secret not in r.text, f"{secret!r} leaked by {r.request.url}"
    person = responses[2].json()["node"]  # GET /graph/node Person PHASH-0001
    assert person["masked"] is True and person["key"] == "PHASH-0001"  # a hash, not an id
    assert person["props"]["name"] == "张**" and person["props"]["id_masked"] == "****"
    assert person["props"]["nationality"] == "CN"


def test_the_pii_grant_unmasks(client, auth):
    h = auth("analyst_pii")
    r = client.get("/graph/node", params={"label": "Person", "key": "PHASH-0001"}, headers=h)
    props = r.json()["node"]["props"]
    assert props["id_masked"] == PERSON_ID and props["name"] == PERSON_NAME
    assert props["phone_masked"] == PERSON_PHONE
    sub = client.get("/graph/neighbours", params={"label": "Person", "key": "PHASH-0001"},
                     headers=h).json()
    assert any(n["key"] == PHONE_KEY for n in sub["nodes"])


def test_shared_investigation_is_masked_for_the_viewer(client, auth):
    sub = client.get("/graph/neighbours", params={"label": "Person", "key": "PHASH-0001"},
                     headers=auth("analyst_pii")).json()
    inv = client.post("/investigations", json={
        "title": "shared", "shared_with": ["analyst"],
        "nodes": [{"label": n["label"], "key": n["key"], "x": 1, "y": 2} for n in sub["nodes"]]},
        headers=auth("analyst_pii")).json()
    viewer = client.get(f"/investigations/{inv['id']}", headers=auth("analyst"))
    assert viewer.status_code == 200 and len(viewer.json()["nodes"]) == len(sub["nodes"])
    assert not any(s in viewer.text for s in SECRETS)
    listed = client.get("/investigations", headers=auth("analyst")).json()
    assert inv["id"] in [i["id"] for i in listed["items"]]
    # not shared with the other analyst account -> refused
    r = client.get(f"/investigations/{inv['id']}", headers=auth("inspector"))
    assert r.status_code == 403


def test_expansion_path_and_person_reads_are_audited(client, auth):
    h = auth("analyst")
    before = client.get("/audit", params={"limit": 1}, headers=auth("admin")).json()["total"]
    client.get("/graph/neighbours", params={"label": "Enterprise", "key": "ENT-C"}, headers=h)
    client.get("/graph/node", params={"label": "Person", "key": "PHASH-0001"}, headers=h)
    client.get("/graph/node", params={"label": "Enterprise", "key": "ENT-B"}, headers=h)
    client.get("/graph/paths", params={"from_label": "Enterprise", "from_key": "ENT-C",
                                       "to_label": "Enterprise", "to_key": "ENT-B"}, headers=h)
    log = client.get("/audit", params={"actor": "analyst", "limit": 10},
                     headers=auth("admin")).json()["items"]
    actions = [(e["action"], e["target_id"]) for e in log]
    assert ("graph.expand", "ENT-C") in actions
    assert ("person.read", "PHASH-0001") in actions
    assert ("enterprise.read", "ENT-B") in actions
    assert ("graph.path", "ENT-C") in actions
    expand = next(e for e in log if e["action"] == "graph.expand")
    assert expand["detail"]["Person"] == ["PHASH-0001"]  # who was seen in the expansion
    after = client.get("/audit", params={"limit": 1}, headers=auth("admin")).json()["total"]
    assert after >= before + 4
    assert client.get("/audit/verify", headers=auth("admin")).json()["ok"] is True


def test_filters_and_paths(client, auth):
    h = auth("analyst")
    sub = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "ENT-A",
                                                  "risk_levels": ["高"], "hops": 2},
                     headers=h).json()
    levels = {n["props"].get("risk_level") for n in sub["nodes"] if n["key"] != "ENT-A"}
    assert levels == {"高"}
    paths = client.get("/graph/paths", params={"from_label": "Enterprise", "from_key": "ENT-A",
                                               "to_label": "Enterprise", "to_key": "ENT-B"},
                       headers=h).json()
    assert paths["total"] >= 1 and paths["items"][0]["length"] == 3


def test_audit_search_and_export(client, auth):
    h = auth("admin")
    page = client.get("/audit", params={"action": "graph.", "limit": 5}, headers=h).json()
    assert page["items"] and all(e["action"].startswith("graph.") for e in page["items"])
    r = client.get("/audit/export", params={"format": "csv", "actor": "analyst"}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.text.splitlines()[0].startswith("seq,ts,actor")
    r = client.get("/audit/export", params={"format": "jsonl"}, headers=h)
    assert r.status_code == 200 and r.text.count("\n") >= 5


def test_a_masked_phone_has_one_token_in_nodes_and_relationship_ends(client, auth):
    """The route masks a path, then the response layer masks every payload again: a masked
    token must survive the second pass, or the UI cannot join a path's links to its nodes
    (ENT-A → person → phone → ENT-B highlighted only in part)."""
    h = auth("analyst")
    r = client.get("/graph/paths", params={"from_label": "Enterprise", "from_key": "ENT-A",
                                           "to_label": "Enterprise", "to_key": "ENT-B"},
                   headers=h)
    assert r.status_code == 200
    path = r.json()["items"][0]
    phone = [n["key"] for n in path["nodes"] if n["label"] == "Phone"]
    assert len(phone) == 1 and phone[0].startswith("masked:") and PHONE_KEY not in r.text
    ends = {tuple(rel[end]) for rel in path["relationships"] for end in ("start", "end")}
    assert ends == {(n["label"], n["key"]) for n in path["nodes"]}
    sub = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "ENT-B",
                                                  "hops": 1}, headers=h).json()
    assert [n["key"] for n in sub["nodes"] if n["label"] == "Phone"] == phone
    assert {tuple(rel["end"]) for rel in sub["relationships"]
            if rel["type"] == "HAS_PHONE"} == {("Phone", phone[0])}


def test_duty_officer_opens_case_evidence_in_the_explorer_masked(client, auth):
    """The duty officer reads the graph (a case's evidence opens in the explorer), masked like
    any reader without the pii grant, and the read is audited."""
    h = auth("duty")
    me = client.get("/auth/me", headers=h).json()
    assert "graph" in me["pages"]
    r = client.get("/graph/neighbours", params={"label": "Person", "key": "PHASH-0001",
                                                "hops": 2}, headers=h)
    assert r.status_code == 200, r.text
    for secret in SECRETS:
        assert secret not in r.text, f"{secret!r} leaked to the duty officer"
    person = [n for n in r.json()["nodes"] if n["key"] == "PHASH-0001"][0]
    assert person["masked"] is True and person["props"]["name"] == "张**"
    log = client.get("/audit", params={"actor": "duty", "limit": 10},
                     headers=auth("admin")).json()["items"]
    expand = next(e for e in log if e["action"] == "graph.expand")
    assert expand["target_id"] == "PHASH-0001" and "PHASH-0001" in expand["detail"]["Person"]

"""The explorer's routes on a real embedded graph: comments on an investigation's nodes
(who/when, audited, masked, author-only delete, bounded, 403 for roles that may not write),
a collapsed node's neighbours page by page, link counts per relationship type, starting
points computed from the graph and the entity scores, captions on graph answers."""

from __future__ import annotations

import pytest

from api_seed import PERSON_NAME, PERSON_PHONE, PHONE_KEY, SECRETS, SRC

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def planted(api_store):
    """Beside the seed: a shell cluster (three enterprises sharing an address and a legal
    representative, one of them in a case), a person who represents one and drove a vehicle
    that was in a case, the port of 12 declarations."""
    from graph.base import NodeRecord as N, RelRecord as R

    nodes = [N("Enterprise", f"SH-{i}", {"name": f"壳{i}贸易", "risk_score": s,
                                          "risk_level": "高" if s > .7 else "中"}, SRC)
             for i, s in ((1, .99), (2, .8), (3, .6))]
    nodes += [N("Address", "ADDR-SHELL", {"text": "某市某路 1 号"}, SRC),
              N("Person", "P-REP", {"name": "李四海", "risk_score": 0.2, "risk_level": "低"}, SRC),
              N("Person", "P-DRV", {"name": "王五洋", "risk_score": 0.97, "risk_level": "高"}, SRC),
              N("Vehicle", "粤Z0001港", {"plate": "粤Z0001港", "risk_score": 0.95,
                                        "risk_level": "高"}, SRC),
              N("Case", "CASE-1", {"date": "2020-02-01", "kind": "smuggling"}, SRC),
              N("Case", "CASE-2", {"date": "2020-03-01", "kind": "smuggling"}, SRC),
              N("Port", "P-BIG", {"name": "Big port"}, SRC)]
    rels = [R("LOCATED_AT", "Enterprise", f"SH-{i}", "Address", "ADDR-SHELL", {}, SRC)
            for i in (1, 2, 3)]
    rels += [R("LEGAL_REP_OF", "Person", "P-REP", "Enterprise", f"SH-{i}", {}, SRC)
             for i in (1, 2, 3)]
    rels += [R("INVOLVED_IN", "Enterprise", "SH-2", "Case", "CASE-1",
               {"at": "2020-02-01T00:00:00+00:00"}, SRC),
             R("LEGAL_REP_OF", "Person", "P-DRV", "Enterprise", "SH-3", {}, SRC),
             R("DROVE", "Person", "P-DRV", "Vehicle", "粤Z0001港",
               {"at": "2020-02-02T00:00:00+00:00"}, SRC),
             R("INVOLVED_IN", "Vehicle", "粤Z0001港", "Case", "CASE-2",
               {"at": "2020-03-01T00:00:00+00:00"}, SRC)]
    for i in range(12):
        nodes.append(N("Declaration", f"BIG-{i:02d}", {"date": "2020-01-03"}, SRC))
        rels.append(R("AT_PORT", "Declaration", f"BIG-{i:02d}", "Port", "P-BIG",
                      {"at": f"2020-01-03T0{i % 10}:00:00+00:00"}, SRC))
    api_store.upsert(nodes, rels)
    return api_store


def _inv(client, h, shared_with=(), nodes=(("Person", "PHASH-0001"), ("Enterprise", "ENT-A"))):
    r = client.post("/investigations", json={
        "title": "shell", "shared_with": list(shared_with),
        "nodes": [{"label": l, "key": k} for l, k in nodes]}, headers=h)
    assert r.status_code == 201, r.text
    return r.json()["id"]


def test_a_comment_records_who_and_when_and_is_saved_with_the_investigation(client, auth,
                                                                           planted):
    inv = _inv(client, auth("analyst"))
    r = client.post(f"/investigations/{inv}/comments", json={
        "label": "Enterprise", "key": "ENT-A", "text": "  地址与壳公司相同，建议核查  "},
        headers=auth("analyst"))
    assert r.status_code == 201, r.text
    c = r.json()
    assert (c["author"], c["label"], c["key"], c["text"]) == (
        "analyst", "Enterprise", "ENT-A", "地址与壳公司相同，建议核查")
    assert c["created_at"][:2] == "20" and "T" in c["created_at"]
    opened = client.get(f"/investigations/{inv}", headers=auth("analyst")).json()
    assert [x["id"] for x in opened["comments"]] == [c["id"]]
    listed = client.get(f"/investigations/{inv}/comments", headers=auth("analyst")).json()
    assert listed["total"] == 1 and listed["items"][0]["text"] == c["text"]
    log = client.get("/audit", params={"actor": "analyst", "limit": 10},
                     headers=auth("admin")).json()["items"]
    actions = [e["action"] for e in log]
    assert "investigation.comment.add" in actions and "investigation.comments.read" in actions
    add = next(e for e in log if e["action"] == "investigation.comment.add")
    assert add["target_id"] == inv and add["detail"]["comment"] == c["id"]


def test_comments_are_masked_for_a_reader_without_pii(client, auth, planted):
    inv = _inv(client, auth("analyst_pii"), shared_with=["analyst"],
               nodes=(("Person", "PHASH-0001"), ("Phone", PHONE_KEY)))
    text = f"{PERSON_NAME} 使用电话 {PERSON_PHONE}，与 ENT-B 共用"
    for label, key in (("Person", "PHASH-0001"), ("Phone", PHONE_KEY)):
        r = client.post(f"/investigations/{inv}/comments",
                        json={"label": label, "key": key, "text": text},
                        headers=auth("analyst_pii"))
        assert r.status_code == 201, r.text
    own = client.get(f"/investigations/{inv}/comments", headers=auth("analyst_pii")).json()
    assert all(PERSON_NAME in c["text"] and PERSON_PHONE in c["text"] for c in own["items"])
    for path in (f"/investigations/{inv}/comments", f"/investigations/{inv}"):
        r = client.get(path, headers=auth("analyst"))
        assert r.status_code == 200
        assert not any(s in r.text for s in SECRETS), path
    items = client.get(f"/investigations/{inv}/comments", headers=auth("analyst")).json()["items"]
    assert [c["text"] for c in items] == ["张** 使用电话 ****，与 ENT-B 共用"] * 2
    phone = next(c for c in items if c["label"] == "Phone")
    assert phone["key"].startswith("masked:")


def test_only_writers_with_access_comment_and_only_the_author_deletes(client, auth, planted):
    inv = _inv(client, auth("analyst_pii"), shared_with=["analyst"])
    body = {"label": "Enterprise", "key": "ENT-A", "text": "共享者的批注"}
    for user in ("inspector", "duty", "trader_a"):  # roles that may not write investigations
        r = client.post(f"/investigations/{inv}/comments", json=body, headers=auth(user))
        assert r.status_code == 403, (user, r.text)
    private = _inv(client, auth("analyst_pii"))  # not shared with "analyst"
    r = client.post(f"/investigations/{private}/comments", json=body, headers=auth("analyst"))
    assert r.status_code == 403
    c = client.post(f"/investigations/{inv}/comments", json=body, headers=auth("analyst")).json()
    r = client.delete(f"/investigations/{inv}/comments/{c['id']}", headers=auth("analyst_pii"))
    assert r.status_code == 403 and r.json()["code"] == "auth.not_author"
    r = client.delete(f"/investigations/{inv}/comments/{c['id']}", headers=auth("analyst"))
    assert r.status_code == 204
    assert client.get(f"/investigations/{inv}/comments", headers=auth("analyst")).json() == \
        {"items": [], "total": 0}
    r = client.delete(f"/investigations/{inv}/comments/{c['id']}", headers=auth("analyst"))
    assert r.status_code == 404
    log = client.get("/audit", params={"actor": "analyst", "limit": 5},
                     headers=auth("admin")).json()["items"]
    assert any(e["action"] == "investigation.comment.delete"
               and e["detail"]["comment"] == c["id"] for e in log)


def test_comment_input_is_bounded_and_named(client, auth, planted):
    inv = _inv(client, auth("analyst"))
    h = auth("analyst")
    cases = [({"label": "Enterprise", "key": "ENT-A", "text": "x" * 2001}, 422, "text"),
             ({"label": "Enterprise", "key": "ENT-A", "text": "   "}, 422, "text"),
             ({"label": "Planet", "key": "ENT-A", "text": "x"}, 422, "label"),
             ({"label": "Enterprise", "key": "NO-SUCH", "text": "x"}, 404, None)]
    for body, status, field in cases:
        r = client.post(f"/investigations/{inv}/comments", json=body, headers=h)
        assert r.status_code == status, (body, r.text)
        if field:
            assert field in r.text
    assert client.post(f"/investigations/{inv}/comments", headers=h,
                       json={"label": "Enterprise", "key": "ENT-A", "text": "x" * 2000}
                       ).status_code == 201
    assert client.post("/investigations/inv-nope/comments", headers=h, json={
        "label": "Enterprise", "key": "ENT-A", "text": "x"}).status_code == 404


def test_a_collapsed_node_expands_page_by_page(client, auth, planted):
    h = auth("analyst")
    first = client.get("/graph/neighbours", params={"label": "Port", "key": "P-BIG", "fanout": 5},
                       headers=h).json()
    port = next(n for n in first["nodes"] if n["key"] == "P-BIG")
    assert port["props"]["collapsed_count"] == 7
    seen = {n["key"] for n in first["nodes"] if n["label"] == "Declaration"}
    assert len(seen) == 5
    offset, pages = 5, 0
    while offset is not None:
        r = client.get("/graph/more", params={"label": "Port", "key": "P-BIG", "offset": offset,
                                               "page": 3}, headers=h)
        assert r.status_code == 200, r.text
        page = r.json()
        assert page["total"] == 12 and page["offset"] == offset
        got = {n["key"] for n in page["nodes"] if n["label"] == "Declaration"}
        assert got and not got & seen  # each page brings neighbours not shown before
        assert all("P-BIG" in (x["start"][1], x["end"][1]) for x in page["relationships"])
        assert {x["start"][1] for x in page["relationships"]} == got
        seen |= got
        offset, pages = page["next_offset"], pages + 1
    assert seen == {f"BIG-{i:02d}" for i in range(12)} and pages == 3


def test_link_counts_per_relationship_type(client, auth, planted):
    r = client.get("/graph/degrees", params={"label": "Enterprise", "key": "SH-3"},
                   headers=auth("analyst"))
    assert r.status_code == 200
    got = {it["type"]: (it["count"], it["labels"]) for it in r.json()["items"]}
    assert got == {"LEGAL_REP_OF": (2, ["Person"]), "LOCATED_AT": (1, ["Address"])}
    ent_a = client.get("/graph/degrees", params={"label": "Enterprise", "key": "ENT-A"},
                       headers=auth("analyst")).json()
    assert {it["type"]: it["count"] for it in ent_a["items"]} == {"DECLARED": 2,
                                                                  "LEGAL_REP_OF": 1}
    # expand by type: only the chosen relationship type comes back
    sub = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "SH-3",
                                                  "rel_types": ["LEGAL_REP_OF"]},
                     headers=auth("analyst")).json()
    assert {r["type"] for r in sub["relationships"]} == {"LEGAL_REP_OF"}
    assert {n["key"] for n in sub["nodes"]} == {"SH-3", "P-REP", "P-DRV"}


def test_starting_points_come_from_the_graph_and_the_scores(client, auth, planted):
    r = client.get("/graph/starting-points", headers=auth("analyst"))
    assert r.status_code == 200, r.text
    items = {it["kind"]: it for it in r.json()["items"]}
    assert set(items) == {"shell_cluster", "person", "vehicle"}
    shell = items["shell_cluster"]
    assert shell["focus"]["key"] == "SH-1" and shell["risk_score"] == 0.99
    keys = {n["key"] for n in shell["subgraph"]["nodes"]}
    assert {"SH-1", "SH-2", "SH-3", "ADDR-SHELL", "CASE-1"} <= keys
    assert any(x["kind"] == "shared_address" and x["with_seizures"] == 1
               for x in shell["reasons"])
    person = items["person"]
    assert person["focus"]["key"] == "P-DRV"
    assert {"SH-3", "粤Z0001港"} <= {n["key"] for n in person["subgraph"]["nodes"]}
    assert items["vehicle"]["focus"]["key"] == "粤Z0001港"
    assert "CASE-2" in {n["key"] for n in items["vehicle"]["subgraph"]["nodes"]}
    # persons' names masked for the analyst, shown to the pii holder; captions follow
    assert "王五洋" not in r.text and "李四海" not in r.text
    assert person["focus"]["caption_zh"] == "王**"
    shown = client.get("/graph/starting-points", headers=auth("analyst_pii")).json()
    pii_person = next(i for i in shown["items"] if i["kind"] == "person")
    assert pii_person["focus"]["caption_zh"] == "王五洋"
    log = client.get("/audit", params={"actor": "analyst", "limit": 5},
                     headers=auth("admin")).json()["items"]
    sp = next(e for e in log if e["action"] == "graph.starting_points")
    assert "P-DRV" in sp["detail"]["Person"]


def test_graph_answers_carry_readable_captions(client, auth, planted):
    r = client.get("/graph/neighbours", params={"label": "Enterprise", "key": "SH-1"},
                   headers=auth("analyst")).json()
    caps = {n["key"]: (n["caption_zh"], n["caption_en"]) for n in r["nodes"]}
    assert caps["SH-1"] == ("壳1贸易", "壳1贸易")
    assert caps["P-REP"] == ("李**", "李**")
    found = client.get("/graph/search", params={"q": "SH-", "labels": ["Enterprise"]},
                       headers=auth("analyst")).json()["items"]
    assert {n["caption_zh"] for n in found} == {"壳1贸易", "壳2贸易", "壳3贸易"}


def test_starting_point_sentences_name_by_caption_and_mask_persons_for_all(client, auth,
                                                                          planted):
    """The cards are shared by every reader: their sentences name the subject by caption
    (name（key）) and persons masked for all; the shell title claims member seizures only
    when its members have them."""
    # the cards are shared by every reader: persons masked in their sentences for all
    for who in ("analyst", "analyst_pii"):
        cards = client.get("/graph/starting-points", headers=auth(who))
        texts = [x["text_zh"] + x["text_en"] for it in cards.json()["items"]
                 for x in it["reasons"]]
        assert not any("王五洋" in t or "李四海" in t for t in texts), who
    items = {it["kind"]: it for it in cards.json()["items"]}
    assert any("王**（P-DRV）" in x["text_zh"] for x in items["person"]["reasons"])
    shell = items["shell_cluster"]
    assert any("壳1贸易（SH-1）" in x["text_zh"] for x in shell["reasons"])
    # its linked members have seizures: the title may say so
    assert shell["title_zh"].endswith("成员有查获记录")


def test_starting_points_are_stored_per_scoring_run_and_recomputed_after_a_new_one(
        app, client, auth, planted, monkeypatch):
    """Computed once per scoring (the demo warms them after scoring): a fresh app reads the
    stored answer without computing; a new scoring run (a new key) makes the next read
    recompute and store them under the new key."""
    import json

    import api.starting_points as points
    import api.starting_points_store as sp
    from risk.history import ScoreHistory

    state = app.state.ps
    first = client.get("/graph/starting-points", headers=auth("analyst")).json()["items"]
    saved = json.loads(sp.store_path(state).read_text())
    assert saved["key"] == sp.scoring_key(state)
    assert oct(sp.store_path(state).stat().st_mode)[-3:] == "600"  # 0600, like the audit log
    assert [it["focus"]["key"] for it in saved["items"]] == ["SH-1", "P-DRV", "粤Z0001港"]
    calls = []
    real = points.compute
    monkeypatch.setattr(points, "compute", lambda *a, **kw: calls.append(1) or real(*a, **kw))
    sp._cache.clear()  # a fresh process: nothing in memory
    again = client.get("/graph/starting-points", headers=auth("analyst")).json()["items"]
    assert calls == [] and again == first
    h = ScoreHistory.for_data_dir(state.settings.data_dir)
    rec = h.begin(kind="entity", model_version="entity:v-test")
    rec.add("Enterprise", {"SH-1": {"risk_score": 0.99, "risk_level": "高",
                                    "scored_at": "2030-01-01T00:00:00+00:00"}})
    run = rec.finish()["run_id"]
    h.close()
    assert not sp.is_current(state)
    client.get("/graph/starting-points", headers=auth("analyst"))
    assert calls == [1] and json.loads(sp.store_path(state).read_text())["key"][-1] == run
    client.get("/graph/starting-points", headers=auth("analyst"))
    assert calls == [1]  # the new answer is kept
    # `portsentinel serve` recomputes stale ones in the background, and leaves current ones
    from api.serve_cli import warm_starting_points_in_background

    warm_starting_points_in_background(state).join(120)
    assert calls == [1]
    sp.store_path(state).unlink()
    warm_starting_points_in_background(state).join(120)
    assert calls == [1, 1] and sp.is_current(state)


@pytest.mark.unit
def test_a_shell_cluster_without_member_seizures_is_not_titled_with_them(monkeypatch):
    """Our own selection logic: a candidate whose members have seizures wins over one with
    only its own; with none, the title does not claim member seizures."""
    import api.starting_points as sp

    def ex(own, linked, count=3):
        rs = [{"kind": "shared_address", "count": count, "with_seizures": linked,
               "paths": [], "text_zh": "z", "text_en": "e"}]
        return {"reasons": rs + ([{"kind": "own", "count": 1, "with_seizures": 1, "paths": [],
                                   "text_zh": "z", "text_en": "e"}] if own else [])}

    got = {}
    monkeypatch.setattr(sp, "_item", lambda store, kind, label, key, score, e, title=None:
                        got.update(key=key, title=sp.TITLES[title or kind]) or got)
    table = {"OWN": ex(True, 0, 9), "LINKED": ex(False, 1)}
    monkeypatch.setattr(sp, "explain_entity", lambda s, l, k, caption_of=None: table[k])
    monkeypatch.setattr(sp, "_ranked", lambda s, l, r=None: [("OWN", .99), ("LINKED", .5)])
    sp._shell_cluster(None)
    assert got["key"] == "LINKED" and got["title"][0].endswith("成员有查获记录")
    table.pop("LINKED")
    monkeypatch.setattr(sp, "_ranked", lambda s, l, r=None: [("OWN", .99)])
    sp._shell_cluster(None)
    assert got["key"] == "OWN" and "查获" not in got["title"][0]
    assert "seizures" not in got["title"][1]


def test_ranking_from_the_recorded_run_skips_mention_nodes(api_store, planted):
    """A mention (outgoing ALIAS_OF) carries its entity's score: the ranking from the score
    history checks each candidate in the graph and keeps canonical entities only."""
    import api.starting_points as sp
    from graph.base import NodeRecord as N, RelRecord as R

    api_store.upsert([N("Enterprise", "SH-1-M", {"name": "壳1贸易"}, SRC)],
                     [R("ALIAS_OF", "Enterprise", "SH-1-M", "Enterprise", "SH-1", {}, SRC)])
    got = sp._ranked(api_store, "Enterprise", [("SH-1-M", .99), ("SH-1", .99), ("SH-2", .8)])
    assert got == [("SH-1", .99), ("SH-2", .8)]


def test_the_person_card_takes_the_riskiest_person_with_enterprises_and_vehicles(
        api_store, planted):
    """The card's title promises enterprises and vehicles: a riskier person who only
    represents enterprises (or only drives) is passed over; links count through mentions."""
    import api.starting_points as sp
    from graph.base import NodeRecord as N, RelRecord as R

    api_store.upsert([N("Person", "P-TOP", {"name": "赵一", "risk_score": 0.999,
                                            "risk_level": "高"}, SRC),
                      N("Person", "PM:DRV-2", {"name": "王五洋"}, SRC)],
                     [R("LEGAL_REP_OF", "Person", "P-TOP", "Enterprise", "SH-1", {}, SRC),
                      R("ALIAS_OF", "Person", "PM:DRV-2", "Person", "P-DRV", {}, SRC),
                      R("SHAREHOLDER_OF", "Person", "PM:DRV-2", "Enterprise", "SH-2", {}, SRC)])
    both = sp._people_with_both(api_store)
    assert both[0] == ("P-DRV", 0.97) and "P-TOP" not in dict(both)
    assert "PM:DRV-2" not in dict(both)  # a mention stands for its person
    item = sp._top(api_store, "person", "Person", ({"legal_rep", "shareholder"}, {"drove"}),
                   candidates=both)
    assert item["focus"]["key"] == "P-DRV"
    kinds = {n["label"] for n in item["subgraph"]["nodes"]}
    assert {"Person", "Enterprise", "Vehicle"} <= kinds
    assert item["title_zh"] == "风险最高的人员及其企业、车辆"


@pytest.mark.unit
def test_the_person_card_title_claims_only_the_links_its_person_has(monkeypatch):
    import api.starting_points as sp

    def ex(*kinds):
        return {"reasons": [{"kind": k, "count": 2, "with_seizures": 1, "paths": [],
                             "text_zh": "z", "text_en": "e"} for k in kinds]}

    monkeypatch.setattr(sp, "_item", lambda store, kind, label, key, score, e, title=None:
                        sp.TITLES[title or kind][1])
    prefer = ({"legal_rep", "shareholder"}, {"drove"})
    for kinds, title in ((("legal_rep",), "The riskiest person, with their enterprises"),
                         (("drove",), "The riskiest person, with their vehicles"),
                         (("own",), "The riskiest person")):
        monkeypatch.setattr(sp, "explain_entity", lambda s, l, k, caption_of=None: ex(*kinds))
        assert sp._top(None, "person", "Person", prefer, candidates=[("P1", .9)]) == title


def test_the_vehicle_card_draws_its_declarants_past_a_crowd_of_drivers(api_store, planted):
    """The vehicle card promises the enterprises it carried for: a vehicle whose drivers'
    mentions fill the node budget (as on the demo graph: 52 persons, no enterprise drawn) still
    shows the declarant of the declaration its explanation cites."""
    import api.starting_points as sp
    from graph.base import NodeRecord as N, RelRecord as R

    v, at = "粤Z0002港", {"at": "2020-01-05T00:00:00+00:00"}
    nodes = [N("Vehicle", v, {"plate": v, "risk_score": 0.9, "risk_level": "高"}, SRC),
             N("Declaration", "VD-1", {"date": "2020-01-05"}, SRC),
             N("Enterprise", "VENT-1", {"name": "承运货主贸易"}, SRC)]
    rels = [R("DECLARED", "Enterprise", "VENT-1", "Declaration", "VD-1", at, SRC)]
    for i in range(45):
        nodes.append(N("Person", f"VDRV-{i:02d}", {"name": f"司机{i}"}, SRC))
        rels.append(R("DROVE", "Person", f"VDRV-{i:02d}", "Vehicle", v, at, SRC))
        for j in range(2):
            nodes.append(N("Person", f"VDRV-{i:02d}-M{j}", {"name": f"司机{i}"}, SRC))
            rels.append(R("ALIAS_OF", "Person", f"VDRV-{i:02d}-M{j}", "Person", f"VDRV-{i:02d}",
                          {}, SRC))
    api_store.upsert(nodes, rels)
    reasons = [{"kind": "crossings", "paths": [{"nodes": [["Vehicle", v], ["Declaration", "VD-1"]],
                                                "relationships": []}]}]
    sub = sp._subgraph(api_store, "vehicle", "Vehicle", v, reasons)
    keys = {(n["label"], n["key"]) for n in sub["nodes"]}
    assert sum(1 for lab, _ in keys if lab == "Person") >= sp.NODE_BUDGET - 10  # the crowd
    assert ("Declaration", "VD-1") in keys and ("Enterprise", "VENT-1") in keys
    assert any(r["type"] == "DECLARED" and tuple(r["start"]) == ("Enterprise", "VENT-1")
               and tuple(r["end"]) == ("Declaration", "VD-1") for r in sub["relationships"])

"""Each rule fires on its crafted scenario and stays silent on the near-miss, on the real
embedded graph."""

from __future__ import annotations

import pytest

import warnings_scenarios as sc

pytestmark = pytest.mark.integration  # rules read the graph engine


def _only(res, rule):
    got = [w for w in res.warnings if w["rule"] == rule]
    assert got, f"rule {rule} did not fire; raised: {[w['rule'] for w in res.warnings]}"
    return got


def test_risky_link_fires_red_for_a_smuggling_case_person(wsvc, clean_embedded_store):
    res = wsvc.process(clean_embedded_store, sc.risky_link_case(clean_embedded_store))
    (w,) = _only(res, "risky_link")
    assert w["level"] == "红"
    assert {"label": "Case", "key": "CASE-P-CASE-1"} in w["evidence"]["nodes"]
    assert {"type": "LEGAL_REP_OF", "start": ["Person", "P-CASE-1"],
            "end": ["Enterprise", "91310000MA1K000001"]} in w["evidence"]["relationships"]
    assert "涉案" in w["message_zh"] and "case" in w["message_en"]
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])


def test_risky_link_fires_orange_for_a_high_risk_person(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.risky_link_high_risk(clean_embedded_store)), "risky_link")
    assert w["level"] == "橙"


def test_risky_link_silent_for_a_clean_person(wsvc, clean_embedded_store):
    assert wsvc.process(clean_embedded_store, sc.risky_link_near_miss(clean_embedded_store)).raised == 0


def test_watchlisted_vehicle_in_a_new_declaration_is_red(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.watchlist_vehicle_in_declaration(clean_embedded_store)),
                 "watchlist_hit")
    assert w["level"] == "红" and w["port"] == "P5301"
    assert w["subject"] == {"label": "Vehicle", "key": "粤B12345"}
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])


def test_watchlisted_driver_and_container_at_a_checkpoint(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.watchlist_driver_at_checkpoint(clean_embedded_store)),
                 "watchlist_hit")
    assert w["subject"] == {"label": "Person", "key": "P-DRIVER-1"} and w["port"] == "P5302"
    assert "驾驶员" in w["message_zh"]
    (c,) = _only(wsvc.process(clean_embedded_store, sc.watchlist_container_at_checkpoint(clean_embedded_store)),
                 "watchlist_hit")
    assert c["subject"]["label"] == "Container"


def test_watchlist_silent_near_misses(wsvc, clean_embedded_store):
    res = wsvc.process(clean_embedded_store, sc.watchlist_vehicle_in_declaration(
        clean_embedded_store, v="粤B00001", d="DECL-W-2", watched=False))
    assert res.raised == 0
    assert wsvc.process(clean_embedded_store, sc.watchlist_vehicle_nowhere(clean_embedded_store)).raised == 0


def test_new_enterprise_volume_spike(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.volume_spike(clean_embedded_store)),
                 "new_enterprise_volume_spike")
    assert w["context"]["recent"] == 25 and w["level"] == "黄"
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])


def test_volume_spike_silent_for_old_enterprise_or_small_volume(wsvc, clean_embedded_store):
    old = sc.volume_spike(clean_embedded_store, e="91440300MA5OLD0001", registered="2015-01-01")
    small = sc.volume_spike(clean_embedded_store, e="91440300MA5SMALL01", n=10)
    assert wsvc.process(clean_embedded_store, old + small).raised == 0


def test_credit_downgrade_with_pending_declarations(wsvc, clean_embedded_store):
    first, second = sc.credit_downgrade(clean_embedded_store)
    assert wsvc.process(clean_embedded_store, first).raised == 0  # first sight: nothing to compare
    (w,) = _only(wsvc.process(clean_embedded_store, second), "credit_downgrade_pending")
    assert w["level"] == "红"  # downgraded to 失信
    assert w["context"]["previous"] == "一般认证" and w["context"]["current"] == "失信"
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])


def test_credit_downgrade_silent_without_pending_or_on_upgrade(wsvc, clean_embedded_store):
    f1, s1 = sc.credit_downgrade(clean_embedded_store, e="91440300MA5CREDIT2", status="cleared")
    f2, s2 = sc.credit_downgrade(clean_embedded_store, e="91440300MA5CREDIT3", before="一般信用",
                                 after="一般认证")
    wsvc.process(clean_embedded_store, f1 + f2)
    assert wsvc.process(clean_embedded_store, s1 + s2).raised == 0


def test_score_crossing_a_level(wsvc, clean_embedded_store):
    clean_embedded_store.upsert([sc.node("Enterprise", "91440300MA5SCORE01", name="评分公司")])
    wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE01": {
        "risk_score": 0.3, "risk_level": "低"}}})
    res = wsvc.on_scored(clean_embedded_store, [{"label": "Enterprise", "key": "91440300MA5SCORE01",
                                      "risk_score": 0.95, "risk_level": "高"}])
    (w,) = _only(res, "score_crossing")
    assert w["level"] == "红" and "低" in w["message_zh"] and "高" in w["message_zh"]


def test_first_score_fires_only_at_red_level(wsvc, clean_embedded_store):
    clean_embedded_store.upsert([sc.node("Enterprise", "91440300MA5SCORE03"),
                      sc.node("Enterprise", "91440300MA5SCORE04")])
    quiet = wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE03": {
        "risk_score": 0.8, "risk_level": "高"}}})
    assert quiet.raised == 0  # first sight below red: the baseline
    (w,) = _only(wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE04": {
        "risk_score": 0.93, "risk_level": "高"}}}), "score_crossing")
    assert w["level"] == "红"


def test_score_silent_when_level_holds_or_falls(wsvc, clean_embedded_store):
    clean_embedded_store.upsert([sc.node("Enterprise", "91440300MA5SCORE02")])
    wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE02": {"risk_level": "中",
                                                                      "risk_score": 0.5}}})
    assert wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE02": {
        "risk_level": "中", "risk_score": 0.55}}}).raised == 0
    assert wsvc.on_scored(clean_embedded_store, {"Enterprise": {"91440300MA5SCORE02": {
        "risk_level": "低", "risk_score": 0.1}}}).raised == 0


def test_yard_occupancy_over_threshold(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store)), "cargo_backlog")
    assert w["level"] == "橙" and w["port"] == "P-YARD-1"
    (r,) = _only(wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store, port="P-YARD-2", occ=990)),
                 "cargo_backlog")
    assert r["level"] == "红"
    (b,) = _only(wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store, port="P-YARD-3", occ=800)),
                 "cargo_backlog")
    assert b["level"] == "蓝"
    assert wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store, port="P-YARD-4",
                                                     occ=700)).raised == 0


def test_container_dwell_time(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.container_dwell(clean_embedded_store)), "cargo_backlog")
    assert w["context"]["dwelling"] == 1 and w["level"] == "黄"
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])
    assert wsvc.process(clean_embedded_store, sc.container_dwell(clean_embedded_store, port="P-DWELL-2",
                                                      released=True)).raised == 0


def test_inconsistent_hs_code_across_ports(wsvc, clean_embedded_store):
    (w,) = _only(wsvc.process(clean_embedded_store, sc.inconsistent_goods(clean_embedded_store)),
                 "inconsistent_goods_across_ports")
    assert "HS" in w["message_zh"] and w["context"]["anchor"] == "TGHU1111111"
    sc.assert_evidence_real(clean_embedded_store, w["evidence"])


def test_inconsistent_origin_across_ports(wsvc, clean_embedded_store):
    res = wsvc.process(clean_embedded_store, sc.inconsistent_goods(
        clean_embedded_store, c="TGHU2222222", hs_b="8517120000", origin_b="MY", tag="O"))
    (w,) = _only(res, "inconsistent_goods_across_ports")
    assert "原产地" in w["message_zh"] and "HS" not in w["context"]["what_zh"]


def test_inconsistent_goods_near_misses(wsvc, clean_embedded_store):
    same = sc.inconsistent_goods(clean_embedded_store, c="TGHU3333333", hs_b="8517120000", tag="S")
    one_port = sc.inconsistent_goods(clean_embedded_store, c="TGHU4444444", port_b="P2201", tag="P")
    assert wsvc.process(clean_embedded_store, same + one_port).raised == 0


def test_score_crossing_leaves_declarations_to_the_targeting_list(wsvc, clean_embedded_store):
    clean_embedded_store.upsert([sc.node("Declaration", "DECL-SCORED-1")])
    res = wsvc.on_scored(clean_embedded_store, {"Declaration": {"DECL-SCORED-1": {
        "risk_level": "高", "risk_score": 0.99}}})
    assert res.evaluated == 1 and res.raised == 0

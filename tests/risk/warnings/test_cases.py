"""Grouping warnings into cases (pure logic over event dicts)."""

from __future__ import annotations

import pytest

from risk.warnings.cases import CaseSettings, group, summarise

pytestmark = pytest.mark.unit


def _w(i, rule, subject, *, level="橙", port="30", at="2021-03-01T10:00:00+00:00",
       evidence=(), model="v002", status="open"):
    nodes = [{"label": l, "key": k} for l, k in [subject, *evidence]]
    return {"id": i, "rule": rule, "level": level, "status": status, "port": port,
            "subject": {"label": subject[0], "key": subject[1]},
            "evidence": {"nodes": nodes, "relationships": []},
            "context": {"model_version": model}, "occurrences": 1, "assignee": None,
            "message_zh": f"m{i}", "message_en": f"m{i}", "created_at": at, "last_seen_at": at}


def test_one_scoring_run_is_one_case_per_level_and_port():
    ws = [_w(i, "score_crossing", ("Enterprise", f"E{i}"), level="红" if i % 3 == 0 else "橙",
             port=f"P{i % 4}") for i in range(300)]
    cases = group(ws)
    assert len(cases) == 8  # 2 levels × 4 ports
    assert sorted(len(c) for c in cases) == sorted(
        sum(1 for w in ws if (w["level"], w["port"]) == k) for k in
        {(w["level"], w["port"]) for w in ws})
    # the next run (another model version) opens its own case for a new entity, while an
    # entity already in an open case joins that case (same rule and subject)
    assert len(group(ws + [_w(300, "score_crossing", ("Enterprise", "E-new"), model="v003")])) == 9
    assert len(group(ws + [_w(300, "score_crossing", ("Enterprise", "E1"), model="v003")])) == 8


def test_linked_entities_join_within_the_window_but_hubs_and_old_ones_do_not():
    a = _w(1, "risky_link", ("Enterprise", "A"), evidence=[("Person", "P1"), ("Port", "30")])
    b = _w(2, "watchlist_hit", ("Vehicle", "V1"), evidence=[("Person", "P1")],
           at="2021-03-05T10:00:00+00:00")
    c = _w(3, "cargo_backlog", ("Port", "30"))  # shares only the port hub
    d = _w(4, "manual", ("Person", "P1"), at="2021-05-01T10:00:00+00:00")  # weeks later
    cases = group([a, b, c, d])
    ids = sorted(sorted(w["id"] for w in g) for g in cases)
    assert ids == [[1, 2], [3], [4]]
    assert len(group([a, b, c, d], CaseSettings(window_days=90))) == 2


def test_a_case_summary_takes_the_most_severe_level_and_least_advanced_status():
    ws = [_w(1, "manual", ("Enterprise", "A"), status="closed"),
          _w(2, "manual", ("Enterprise", "A"), level="红", status="acknowledged",
             at="2021-03-02T10:00:00+00:00")]
    s = summarise(ws)
    assert (s["id"], s["level"], s["status"], s["count"], s["open_count"]) == \
        ("case-1", "红", "acknowledged", 2, 1)
    assert (s["title_zh"], s["first_at"][:10], s["last_at"][:10]) == ("m2", "2021-03-01", "2021-03-02")
    assert s["by_status"] == {"closed": 1, "acknowledged": 1}

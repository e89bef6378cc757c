"""The lifecycle store alone (SQLite in a tmp dir): manual warnings de-duplicate, the same
situation at a higher level escalates the open event, observed values persist."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def test_manual_warning_is_deduplicated(wsvc):
    kw = dict(level="橙", message_zh="卡口发现可疑车辆", message_en="suspicious vehicle",
              subject=("Vehicle", "粤B77777"), port="P5301", actor="duty")
    first = wsvc.raise_warning(**kw)
    again = wsvc.raise_warning(**kw)
    assert first["result"] == "raised" and again["result"] == "merged"
    assert again["id"] == first["id"]


def test_same_situation_at_a_higher_level_escalates_the_open_event(wsvc):
    from risk.warnings.engine import Candidate

    def cand(level):
        return Candidate("risky_link", level, "risky_link:abc", ("Enterprise", "E1"), "zh", "en",
                         {"nodes": [], "relationships": []}, {}, 3600.0, "P1")

    (o1, e1), = wsvc.lifecycle.record([cand("橙")])
    (o2, e2), = wsvc.lifecycle.record([cand("红")])
    (o3, e3), = wsvc.lifecycle.record([cand("黄")])
    assert (o1, o2, o3) == ("raised", "merged", "merged")
    assert e1["id"] == e2["id"] == e3["id"] and e3["level"] == "红" and e3["occurrences"] == 3
    hist = wsvc.lifecycle.get(e1["id"])["history"]
    assert [h["note"] for h in hist] == ["raised", "escalated 橙 → 红"]


def test_observed_values_persist_per_batch_and_across_services(wsvc, wsettings):
    from risk.warnings import WarningService
    from risk.warnings.observed import ObservedState

    state = ObservedState(wsvc.observed)
    assert state.get("Enterprise", "E1", "credit_level") is None
    state.set("Enterprise", "E1", "credit_level", "A")
    assert wsvc.observed.get("Enterprise", "E1", "credit_level") is None  # not flushed yet
    state.flush()
    assert wsvc.observed.get("Enterprise", "E1", "credit_level") == "A"
    other = WarningService(settings=wsettings)
    try:
        assert other.observed.get("Enterprise", "E1", "credit_level") == "A"
    finally:
        other.close()

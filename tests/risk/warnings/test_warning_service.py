"""The service on the real embedded graph: one situation raises one event, suppression
windows, the state machine, every transition recorded, feedback labels."""

from __future__ import annotations

import pytest

import warnings_scenarios as sc
from risk.warnings.exceptions import IllegalTransition, WarningNotFound

pytestmark = pytest.mark.integration  # rules read the graph engine


def _raise_one(wsvc, store):
    res = wsvc.process(store, sc.watchlist_vehicle_in_declaration(store))
    assert res.raised == 1
    return res.warnings[0]


def test_replaying_the_same_events_raises_no_duplicates(wsvc, clean_embedded_store):
    batch = sc.risky_link_case(clean_embedded_store) + sc.watchlist_vehicle_in_declaration(clean_embedded_store)
    first = wsvc.process(clean_embedded_store, batch)
    assert first.raised == 2
    for _ in range(3):
        again = wsvc.process(clean_embedded_store, batch)
        assert (again.raised, again.merged) == (0, 2)
    assert wsvc.lifecycle.count() == 2
    ev = wsvc.lifecycle.list()[0]
    assert ev["occurrences"] == 4


def test_closed_situation_is_suppressed_within_its_window_then_raised_again(wsvc, clean_embedded_store,
                                                                              clock):
    w = _raise_one(wsvc, clean_embedded_store)
    for to, kw in (("acknowledged", {}), ("in_progress", {"assignee": "duty"}),
                   ("closed", {"outcome": "false_alarm"})):
        wsvc.lifecycle.transition(w["id"], to, actor="duty", **kw)
    batch = sc.watchlist_vehicle_in_declaration(clean_embedded_store)
    assert wsvc.process(clean_embedded_store, batch).suppressed == 1
    clock.advance(13 * 3600)  # watchlist_hit suppresses for 12 h
    res = wsvc.process(clean_embedded_store, batch)
    assert res.raised == 1 and res.warnings[0]["id"] != w["id"]


def test_full_lifecycle_records_every_transition(wsvc, clean_embedded_store, clock):
    w = _raise_one(wsvc, clean_embedded_store)
    assert w["status"] == "open" and w["created_at"]
    clock.advance(60)
    wsvc.lifecycle.transition(w["id"], "acknowledged", actor="duty1", note="签收")
    clock.advance(60)
    wsvc.lifecycle.transition(w["id"], "in_progress", actor="duty1", assignee="inspector7",
                              measures=["拦停车辆"])
    clock.advance(60)
    done = wsvc.lifecycle.transition(w["id"], "closed", actor="duty1", outcome="confirmed",
                                     feedback="查获夹藏", measures=["移交缉私"])
    assert done["status"] == "closed" and done["outcome"] == "confirmed"
    assert done["assignee"] == "inspector7" and done["measures"] == ["拦停车辆", "移交缉私"]
    assert done["acknowledged_at"] < done["started_at"] < done["closed_at"]
    steps = [(t["from_status"], t["to_status"], t["actor"]) for t in done["history"]]
    assert steps == [(None, "open", "system"), ("open", "acknowledged", "duty1"),
                     ("acknowledged", "in_progress", "duty1"), ("in_progress", "closed", "duty1")]
    assert done["transitions"] == done["history"][1:]


@pytest.mark.parametrize("path, to, kw, msg", [
    ([], "closed", {"outcome": "confirmed"}, "cannot go from 'open' to 'closed'"),
    ([], "in_progress", {"assignee": "x"}, "allowed next: acknowledged"),
    (["acknowledged", "in_progress"], "closed", {}, "needs an outcome"),
    (["acknowledged"], "acknowledged", {}, "cannot go from 'acknowledged'"),
    ([], "reopened", {}, "unknown status"),
])
def test_illegal_transitions_are_refused_clearly(wsvc, clean_embedded_store, path, to, kw, msg):
    w = _raise_one(wsvc, clean_embedded_store)
    for step in path:
        wsvc.lifecycle.transition(w["id"], step, actor="duty",
                                  assignee="a" if step == "in_progress" else None)
    with pytest.raises(IllegalTransition, match=msg):
        wsvc.lifecycle.transition(w["id"], to, actor="duty", **kw)
    assert len(wsvc.lifecycle.get(w["id"])["transitions"]) == len(path)


def test_closed_is_final(wsvc, clean_embedded_store):
    w = _raise_one(wsvc, clean_embedded_store)
    for to, kw in (("acknowledged", {}), ("in_progress", {"assignee": "a"}),
                   ("closed", {"outcome": "inconclusive"})):
        wsvc.lifecycle.transition(w["id"], to, actor="duty", **kw)
    with pytest.raises(IllegalTransition, match="it is closed"):
        wsvc.lifecycle.transition(w["id"], "acknowledged", actor="duty")
    with pytest.raises(WarningNotFound):
        wsvc.lifecycle.get(99999)


def test_feedback_labels_from_closed_outcomes(wsvc, clean_embedded_store):
    a = _raise_one(wsvc, clean_embedded_store)
    b = wsvc.process(clean_embedded_store, sc.risky_link_case(clean_embedded_store)).warnings[0]
    c = wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store)).warnings[0]  # a port: no label
    for w, outcome in ((a, "confirmed"), (b, "false_alarm"), (c, "confirmed")):
        for to, kw in (("acknowledged", {}), ("in_progress", {"assignee": "a"}),
                       ("closed", {"outcome": outcome, "feedback": "ok"})):
            wsvc.lifecycle.transition(w["id"], to, actor="duty", **kw)
    labels = wsvc.feedback_labels()
    got = {(l["label"], l["key"], l["label_value"]) for l in labels}
    assert got == {("Vehicle", "粤B12345", 1), ("Enterprise", "91310000MA1K000001", 0)}
    assert all(l["source"].startswith("warning:") for l in labels)
    assert wsvc.feedback_labels(since="2999-01-01") == []


def test_taking_an_event_on_assigns_it_to_the_actor(wsvc, clean_embedded_store):
    w = _raise_one(wsvc, clean_embedded_store)
    wsvc.lifecycle.transition(w["id"], "acknowledged", actor="duty2")
    got = wsvc.lifecycle.transition(w["id"], "in_progress", actor="duty2")
    assert got["assignee"] == "duty2" and got["started_at"]

"""Against the real embedded graph (ArcadeDB over Bolt): every rule fires on its scenario and
stays silent on the near-miss, its evidence names real graph elements, replays raise no
duplicates, the CLI reports counts, and an SSE subscriber gets the red warning once it is
raised."""

from __future__ import annotations

import json
import threading
import time

import pytest

import warnings_scenarios as sc
from loopback import LoopbackServer
from warnings_apptools import make_app

pytestmark = pytest.mark.integration

FIRING = [
    ("risky_link", lambda s: sc.risky_link_case(s)),
    ("risky_link", lambda s: sc.risky_link_high_risk(s)),
    ("watchlist_hit", lambda s: sc.watchlist_vehicle_in_declaration(s)),
    ("watchlist_hit", lambda s: sc.watchlist_driver_at_checkpoint(s)),
    ("watchlist_hit", lambda s: sc.watchlist_container_at_checkpoint(s)),
    ("new_enterprise_volume_spike", lambda s: sc.volume_spike(s)),
    ("cargo_backlog", lambda s: sc.yard_occupancy(s)),
    ("cargo_backlog", lambda s: sc.container_dwell(s)),
    ("inconsistent_goods_across_ports", lambda s: sc.inconsistent_goods(s)),
    ("inconsistent_goods_across_ports",
     lambda s: sc.inconsistent_goods(s, hs_b="8517120000", origin_b="MY", tag="O")),
]
NEAR_MISS = [
    ("clean person", lambda s: sc.risky_link_near_miss(s)),
    ("vehicle not watch-listed",
     lambda s: sc.watchlist_vehicle_in_declaration(s, v="粤B00001", d="DECL-W-2",
                                                   watched=False)),
    ("watch-listed vehicle nowhere", lambda s: sc.watchlist_vehicle_nowhere(s)),
    ("old enterprise", lambda s: sc.volume_spike(s, e="91440300MA5OLD0001",
                                                 registered="2015-01-01")),
    ("small volume", lambda s: sc.volume_spike(s, e="91440300MA5SMALL01", n=10)),
    ("yard below threshold", lambda s: sc.yard_occupancy(s, occ=700)),
    ("containers released", lambda s: sc.container_dwell(s, released=True)),
    ("same HS and origin", lambda s: sc.inconsistent_goods(s, hs_b="8517120000")),
    ("same port", lambda s: sc.inconsistent_goods(s, port_b="P2201")),
]


@pytest.mark.parametrize("rule, build", FIRING, ids=[f"{r}-{i}" for i, (r, _) in
                                                     enumerate(FIRING)])
def test_rule_fires_with_real_evidence(rule, build, wsvc, clean_embedded_store):
    store = clean_embedded_store
    res = wsvc.process(store, build(store))
    assert [w["rule"] for w in res.warnings] == [rule] and res.errors == 0
    w = res.warnings[0]
    assert w["message_zh"] and w["message_en"] and "?" not in w["message_en"]
    sc.assert_evidence_real(store, w["evidence"])
    again = wsvc.process(store, build(store))  # the same events replayed
    assert again.raised == 0 and again.merged == 1


@pytest.mark.parametrize("why, build", NEAR_MISS, ids=[w for w, _ in NEAR_MISS])
def test_rule_stays_silent_on_near_miss(why, build, wsvc, clean_embedded_store):
    res = wsvc.process(clean_embedded_store, build(clean_embedded_store))
    assert res.raised == 0 and res.errors == 0, res.warnings


def test_credit_downgrade_and_score_crossing(wsvc, clean_embedded_store):
    store = clean_embedded_store
    first, second = sc.credit_downgrade(store)
    assert wsvc.on_ingest(store, first).raised == 0
    res = wsvc.on_ingest(store, second)
    assert [w["rule"] for w in res.warnings] == ["credit_downgrade_pending"]
    sc.assert_evidence_real(store, res.warnings[0]["evidence"])
    _, up = sc.credit_downgrade(store, e="91440300MA5CREDIT3", before="一般信用", after="一般认证")
    assert wsvc.on_ingest(store, _ + up).raised == 0

    key = "91440300MA5CREDIT1"
    store.set_properties("Enterprise", {key: {"risk_score": 0.4, "risk_level": "中"}})
    # first sight below red sets the baseline (rules.yaml: first_sight_fires: red)
    assert wsvc.on_scored(store, {"Enterprise": {key: {"risk_score": 0.4,
                                                       "risk_level": "中"}}}).raised == 0
    store.set_properties("Enterprise", {key: {"risk_score": 0.97, "risk_level": "高"}})
    res = wsvc.on_scored(store, {"Enterprise": {key: {"risk_score": 0.97, "risk_level": "高"}}})
    assert [(w["rule"], w["level"]) for w in res.warnings] == [("score_crossing", "红")]
    assert wsvc.on_scored(store, {"Enterprise": {key: {"risk_level": "高"}}}).raised == 0


def test_cli_warnings_run_json(clean_embedded_store, tmp_path, monkeypatch, capsys):
    import graph
    from api.cli import main

    store = clean_embedded_store
    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))  # the CLI's own warning service
    sc.yard_occupancy(store, occ=990)
    sc.container_dwell(store)

    class Shared:  # the CLI closes its store; keep the session's open
        def __getattr__(self, name):
            return getattr(store, name)

        def close(self):
            pass

    monkeypatch.setattr(graph, "open_store", lambda *a, **k: Shared())
    assert main(["warnings", "run", "--json"]) == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["raised"] == 2 and out["evaluated"] >= 2 and out["errors"] == 0
    assert main(["warnings", "run", "--json"]) == 0  # the same situations: merged
    again = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert again["raised"] == 0
    events = tmp_path / "events.jsonl"
    events.write_text('{"kind": "tick", "label": "Port", "key": "P-YARD-1"}\n')
    assert main(["warnings", "run", "--events", str(events), "--json"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["evaluated"] == 1
    assert main(["warnings", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert listed["total"] == 2


def test_sse_subscriber_receives_the_red_warning_after_it_was_raised(wsvc,
                                                                    clean_embedded_store):
    import httpx

    store = clean_embedded_store
    got: dict = {}

    def listen(url: str) -> None:
        with httpx.Client(timeout=10) as c, c.stream(
                "GET", f"{url}/warnings/stream", params={"level": "红"}) as r:
            got["status"] = r.status_code
            event = None
            for line in r.iter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event == "warning":
                    got["at"] = time.monotonic()
                    got["warning"] = json.loads(line[5:])
                    return

    with LoopbackServer(make_app(wsvc, store)) as url:
        t = threading.Thread(target=listen, args=(url,), daemon=True)
        t.start()
        deadline = time.monotonic() + 10
        while wsvc.broker.subscribers == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert wsvc.broker.subscribers == 1
        # an orange warning first: filtered out by level=红
        wsvc.on_ingest(store, sc.yard_occupancy(store))
        records = sc.watchlist_vehicle_in_declaration(store)  # ingest writes, then calls us
        t0 = time.monotonic()
        res = wsvc.on_ingest(store, records)
        t.join(10)
    assert not t.is_alive(), "the red warning never reached the subscriber"
    assert res.raised == 1 and got["status"] == 200
    # the first (and only) warning through the level=红 stream is the red one, after it was
    # raised; the orange one before it was filtered out
    assert got["warning"]["id"] == res.warnings[0]["id"]
    assert got["warning"]["rule"] == "watchlist_hit" and got["warning"]["level"] == "红"
    assert got["at"] >= t0

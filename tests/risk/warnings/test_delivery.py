"""The signed webhook with retries (a loopback receiver), new warnings reaching subscribers
and the webhook, and a burst of 10,000 events through the asynchronous pipeline without loss,
on the real embedded graph."""

from __future__ import annotations

import http.server
import json
import threading

import pytest

import warnings_scenarios as sc
from risk.warnings.events import Event
from risk.warnings.webhook import SIG_HEADER, TS_HEADER, WebhookNotifier, verify_signature

pytestmark = pytest.mark.integration  # loopback HTTP servers, the graph engine


class _Receiver(http.server.BaseHTTPRequestHandler):
    fail_first = 2
    seen: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.headers, body))  # case-insensitive
        code = 500 if len(type(self).seen) <= type(self).fail_first else 204
        self.send_response(code)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


@pytest.fixture
def receiver():
    _Receiver.seen = []
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_webhook_retries_and_signs(receiver):
    secret = b"0123456789abcdef-test"
    url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
    n = WebhookNotifier(url, secret, retries=3, backoff_s=0.01, timeout_s=2)
    n.send({"id": 42, "level": "红", "rule": "watchlist_hit"})
    assert n.flush(10)
    assert n.stats.delivered == 1 and n.stats.attempts == 3
    headers, body = _Receiver.seen[-1]
    assert verify_signature(secret, headers[TS_HEADER], body, headers[SIG_HEADER])
    assert not verify_signature(b"wrong-secret-0000", headers[TS_HEADER], body,
                                headers[SIG_HEADER])
    assert json.loads(body)["event"]["id"] == 42


def test_webhook_gives_up_after_retries(receiver):
    _Receiver.fail_first = 100
    try:
        n = WebhookNotifier(f"http://127.0.0.1:{receiver.server_address[1]}/", b"k" * 16,
                            retries=2, backoff_s=0.01, timeout_s=2)
        assert n.deliver({"id": 1}) is False
        assert n.stats.attempts == 3 and n.stats.failed == 1
    finally:
        _Receiver.fail_first = 2


def test_new_warnings_reach_subscribers_and_webhook(wsvc, clean_embedded_store, receiver):
    wsvc.webhook = WebhookNotifier(f"http://127.0.0.1:{receiver.server_address[1]}/",
                                   b"k" * 16, retries=3, backoff_s=0.01)
    _Receiver.fail_first = 0
    try:
        sub = wsvc.broker.subscribe(level="红")
        wsvc.process(clean_embedded_store, sc.watchlist_vehicle_in_declaration(clean_embedded_store))
        wsvc.process(clean_embedded_store, sc.yard_occupancy(clean_embedded_store))  # 橙: filtered out
        got = sub.get(timeout=1)
        assert got["rule"] == "watchlist_hit" and sub.get(timeout=0.05) is None
        assert wsvc.webhook.flush(10) and wsvc.webhook.stats.delivered == 2
    finally:
        _Receiver.fail_first = 2


def test_burst_of_10000_events_without_loss(wsvc, clean_embedded_store):
    """count in = count evaluated, from four producer threads through the bounded queue."""
    spike = sc.volume_spike(clean_embedded_store, n=25)
    base = sc.watchlist_vehicle_in_declaration(clean_embedded_store)
    events = []
    for i in range(10_000):
        if i % 4 == 0:
            events.append(Event("rel", rel_type="DECLARED", start=("Enterprise",
                                                                   spike[1].start_key),
                                end=("Declaration", spike[0].key)))
        elif i % 4 == 1:
            events.append(Event("node", "Declaration", "DECL-W-1"))
        elif i % 4 == 2:
            events.append(Event("node", "Port", f"P-BURST-{i % 50}", {"name": "x"}))
        else:
            events.append(Event("rel", rel_type="AT_PORT", start=("Container", f"C{i % 97}"),
                                end=("Port", "P5301")))
    assert base
    threads = [threading.Thread(target=wsvc.submit, args=(clean_embedded_store, events[k::4]))
               for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wsvc.drain(60)
    st = wsvc.stats()
    assert st["submitted"] == 10_000 and st["evaluated"] == 10_000 and st["errors"] == 0
    assert wsvc.lifecycle.count() == 2  # the spike and the watch-listed vehicle, once each

"""Subscriptions (filters) and the webhook settings, in process (the delivery to loopback
servers and the graph: ``test_delivery.py``)."""

from __future__ import annotations

import pytest

from risk.warnings.pubsub import Broker

pytestmark = pytest.mark.unit


def test_subscription_filters_by_port_level_and_rule():
    b = Broker()
    by_port = b.subscribe(port="P1")
    by_level = b.subscribe(level="红,橙")
    by_rule = b.subscribe(rule="watchlist_hit")
    at_least = b.subscribe(min_level="橙")
    evs = [{"id": 1, "port": "P1", "level": "蓝", "rule": "cargo_backlog"},
           {"id": 2, "port": "P2", "level": "红", "rule": "watchlist_hit"},
           {"id": 3, "port": "P2", "level": "黄", "rule": "risky_link"}]
    for e in evs:
        b.publish(e)

    def ids(s):
        out = []
        while (e := s.get(timeout=0.01)) is not None:
            out.append(e["id"])
        return out

    assert ids(by_port) == [1] and ids(by_level) == [2] and ids(by_rule) == [2]
    assert ids(at_least) == [2]
    by_port.close()
    assert b.subscribers == 3


def test_slow_subscriber_loses_oldest_never_blocks():
    b = Broker(maxsize=3)
    s = b.subscribe()
    for i in range(10):
        b.publish({"id": i, "level": "蓝"})
    assert s.dropped == 7 and [s.get(0.01)["id"] for _ in range(3)] == [7, 8, 9]


def test_webhook_url_without_a_secret_is_refused(tmp_path):
    from risk.warnings.config import WarningsSettings
    from risk.warnings.exceptions import SettingsError
    from risk.warnings.service import WarningService

    s = WarningsSettings(data_dir=tmp_path, webhook_url="http://127.0.0.1:9/hook")
    with pytest.raises(SettingsError, match="PS_WARNINGS_WEBHOOK_SECRET"):
        WarningService(settings=s)

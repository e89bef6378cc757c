"""The rules file: every kind loads, bad rules are refused naming the field (pure parsing;
the rules on a graph: ``test_rules_scenarios.py``, ``test_rules_on_graph.py``)."""

from __future__ import annotations

import pytest

from risk.warnings.exceptions import RuleConfigError
from risk.warnings.rules import load_rules, parse_rules

pytestmark = pytest.mark.unit


def test_default_rules_file_loads_every_kind():
    from risk.warnings.config import DEFAULT_RULES
    kinds = {r.kind for r in load_rules(DEFAULT_RULES)}
    assert kinds == {"score_crossing", "risky_link", "watchlist", "volume_spike",
                     "credit_downgrade", "cargo_backlog", "inconsistent_goods"}


@pytest.mark.parametrize("doc, msg", [
    ({"rules": [{"id": "x", "kind": "nope", "level": "红", "message": {"zh": "a", "en": "b"}}]},
     "kind"),
    ({"rules": [{"id": "x", "kind": "watchlist", "level": "紫", "message": {"zh": "a", "en": "b"}}]},
     "level"),
    ({"rules": [{"id": "x", "kind": "watchlist", "level": "红", "message": {"zh": "a"}}]},
     "message"),
    ({"rules": [{"id": "x", "kind": "watchlist", "level": "红", "message": {"zh": "a", "en": "b"},
                 "params": {"bogus": 1}}]}, "bogus"),
    ({"rules": [{"id": "x", "kind": "watchlist", "level": "红", "message": {"zh": "a", "en": "b"}},
                {"id": "x", "kind": "watchlist", "level": "红", "message": {"zh": "a", "en": "b"}}]},
     "duplicate"),
    ({"rules": [{"id": "x", "kind": "cargo_backlog", "level": "蓝",
                 "message": {"zh": "a", "en": "b"},
                 "params": {"occupancy": [{"ratio": 0.9, "level": "紫"}]}}]},
     r"params.occupancy\[0\].level"),
])
def test_bad_rules_are_refused_naming_the_field(doc, msg):
    with pytest.raises(RuleConfigError, match=msg):
        parse_rules(doc)

"""``portsentinel train --entities`` dispatches to the entity training entry point (and plain
``train`` still to the declaration model); ``targeting --kind`` is parsed."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.unit


def test_train_entities_dispatch(monkeypatch):
    import training.entity
    import training.train
    from api.cli import build_parser

    calls = []
    monkeypatch.setattr(training.entity, "train_entities",
                        lambda **kw: calls.append(("entities", kw)) or {
                            "version": "v001", "registry": "entity", "promoted": kw["promote"],
                            "data_window": {"declarations": 10, "labelled": 5},
                            "seconds": {"total": 1.0}})
    monkeypatch.setattr(training.train, "train_with_feedback",
                        lambda **kw: calls.append(("declarations", kw)) or {"version": "v001"})
    p = build_parser()
    a = p.parse_args(["train", "--entities", "--promote", "--cutoff", "2024-06-01"])
    out = a.handler(a)
    assert calls[-1] == ("entities", {"cutoff": "2024-06-01", "promote": True})
    assert "entity model v001 (entity) promoted" in out["text"]
    a = p.parse_args(["train", "--model", "tabular"])
    a.handler(a)
    assert calls[-1][0] == "declarations" and calls[-1][1]["model"] == "tabular"
    a = p.parse_args(["targeting", "--kind", "vehicle", "--budget", "20"])
    assert a.kind == "vehicle" and a.budget == 20
    with pytest.raises(SystemExit):
        p.parse_args(["targeting", "--kind", "vessel"])
    a = p.parse_args(["score", "--key", "H:x", "--label", "Person", "--lang", "en"])
    assert (a.key, a.label, a.lang) == ("H:x", "Person", "en")

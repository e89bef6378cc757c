"""The tuner's robust coordinate ascent: minimum gain and neighbour smoothing (our own
search logic; the objective is a stand-in function of the config, not a retrieval run)."""

import math

import pytest

import qa.tuning as T
from qa.retrievers.tuned import FusionConfig


def _fake_measure(table):
    """measure() whose objective depends on w.words only (recall part), via ``table``."""
    def measure(rows, cfg, retriever):
        return {"recall@10": table.get(cfg.weights.get("words"), 0.0), "mrr@10": 0.0, "n": 1}
    return measure


@pytest.fixture
def one_knob(monkeypatch):
    monkeypatch.setattr(T, "SEARCH", {"w.words": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8]})
    return monkeypatch


@pytest.mark.unit
def test_plain_ascent_takes_the_lone_peak(one_knob):
    table = {0.0: .50, 0.1: .50, 0.2: .56, 0.25: .55, 0.3: .56, 0.5: .40, 0.8: .60}
    one_knob.setattr(T, "measure", _fake_measure(table))
    cfg, trail = T.coordinate_ascent([], None, FusionConfig())
    assert cfg.weights["words"] == 0.8 and trail[-1]["value"] == 0.8


@pytest.mark.unit
def test_smoothing_prefers_the_flat_region_to_the_lone_peak(one_knob):
    table = {0.0: .50, 0.1: .50, 0.2: .56, 0.25: .55, 0.3: .56, 0.5: .40, 0.8: .60}
    one_knob.setattr(T, "measure", _fake_measure(table))
    start = FusionConfig(weights={**FusionConfig().weights, "words": 0.0})
    cfg, _ = T.coordinate_ascent([], None, start, smooth=True)
    # grid 0 .1 .2 .3 .5 .8 -> smoothed .50 .52 .54 .507 .52 .50: the plateau, not 0.8
    assert cfg.weights["words"] == 0.2


@pytest.mark.unit
def test_a_gain_below_min_gain_keeps_the_current_value(one_knob):
    table = {0.0: .50, 0.1: .50, 0.2: .50, 0.25: .505, 0.3: .50, 0.5: .50, 0.8: .50}
    one_knob.setattr(T, "measure", _fake_measure(table))
    cfg, trail = T.coordinate_ascent([], None, FusionConfig(), min_gain=0.01)
    assert cfg == FusionConfig() and len(trail) == 1
    table[0.8] = .52
    cfg, _ = T.coordinate_ascent([], None, FusionConfig(), min_gain=0.01)
    assert cfg.weights["words"] == 0.8


@pytest.mark.unit
def test_smoothed_averages_each_value_with_its_neighbours():
    assert T.smoothed([0.0, 3.0, 0.0, 6.0]) == [1.5, 1.0, 3.0, 3.0]


@pytest.mark.unit
def test_over_several_sets_a_relative_loss_outweighs_a_smaller_relative_gain(one_knob):
    """Two sets: words 0.8 gains 0.10 on a set scoring 1.0 (+10%) but loses 0.05 on a set
    scoring 0.25 (-20%); the summed log objective keeps words at 0.2, a plain sum would not."""
    def measure(rows, cfg, retriever):
        w = cfg.weights.get("words")
        r = {"a": {0.2: 1.0, 0.8: 1.1}, "b": {0.2: 0.25, 0.8: 0.20}}[rows[0]].get(w, 0.0)
        return {"recall@10": r, "mrr@10": 0.0, "n": 1}

    one_knob.setattr(T, "measure", measure)
    start = FusionConfig(weights={**FusionConfig().weights, "words": 0.2})
    cfg, _ = T.coordinate_ascent({"a": ["a"], "b": ["b"]}, None, start)
    assert cfg.weights["words"] == 0.2
    assert T.score({"a": ["a"], "b": ["b"]}, start, None) == pytest.approx(
        math.log(1.0) + math.log(0.25))
    assert T.score(["a"], replace_words(start, 0.8), None) == pytest.approx(1.1)


def replace_words(cfg, w):
    return FusionConfig(**{**cfg.to_json(), "weights": {**cfg.weights, "words": w}})

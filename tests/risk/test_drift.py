"""Drift of a score distribution against a reference (PSI over the reference's deciles, KS),
from the quantile summaries the registry and the score history keep."""

from __future__ import annotations

import numpy as np
import pytest

from risk.drift import PSI_ALERT, PSI_WARN, drift, histogram, summarise

pytestmark = pytest.mark.unit


def test_the_same_population_is_stable_and_a_shifted_one_is_not():
    rng = np.random.default_rng(0)
    ref = summarise(rng.beta(2, 8, 20_000))
    same = drift(ref, summarise(rng.beta(2, 8, 5_000)))
    assert same["level"] == "stable" and same["psi"] < PSI_WARN and same["ks"] < 0.05
    assert same["text_zh"].startswith("稳定") and same["text_en"].startswith("Stable")
    mild = drift(ref, summarise(rng.beta(2.6, 8, 5_000)))
    assert PSI_WARN <= mild["psi"] < PSI_ALERT and mild["level"] == "moderate", mild
    far = drift(ref, summarise(rng.beta(5, 5, 5_000)))
    assert far["level"] == "significant" and far["psi"] >= PSI_ALERT and far["ks"] > 0.4
    assert "偏高" in far["text_zh"] and "higher" in far["text_en"]
    low = drift(ref, summarise(rng.beta(1, 20, 5_000)))
    assert low["level"] == "significant" and "lower" in low["text_en"]


def test_psi_matches_the_textbook_formula_on_the_raw_scores():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0.4, 0.1, 50_000).clip(0, 1), rng.normal(0.45, 0.1, 50_000).clip(0, 1)
    edges = np.quantile(a, np.linspace(0, 1, 11)[1:-1])
    pa = np.bincount(np.searchsorted(edges, a, side="right"), minlength=10) / len(a)
    pb = np.bincount(np.searchsorted(edges, b, side="right"), minlength=10) / len(b)
    exact = float(np.sum((pb - pa) * np.log(pb / pa)))
    assert drift(summarise(a), summarise(b))["psi"] == pytest.approx(exact, abs=0.01)


def test_missing_sides_say_what_is_missing_and_histograms_sum_to_one():
    ref = summarise(np.linspace(0, 1, 1000))
    assert drift(None, ref)["level"] == "unknown" and "retrain" in drift(None, ref)["text_en"]
    assert drift(ref, {"n": 0, "q": []})["missing"] == "latest run"
    assert summarise([])["n"] == 0
    h = histogram(ref)
    assert len(h) == 20 and sum(h) == pytest.approx(1.0, abs=0.005) and max(h) < 0.1

"""Score distributions and drift: the latest scoring run against the model's training-time
distribution.

A distribution is kept as a *quantile summary* (``summarise``: n, mean and the 201 quantiles
p0, p0.5, …, p100), small enough for the registry entry and the score-history store, exact
enough for PSI and KS to about half a percentile. The reference is written at training
(``training.train.train_frame``: the new model's scores on the whole frame it was trained
from, scored the way ``batch_score`` scores, i.e. the population the model was built on);
each scoring run records its own summary (``risk.history``). ``drift(ref, cur)`` gives

* **PSI** (population stability index) over the reference's deciles:
  < 0.10 stable, 0.10–0.25 a moderate shift, ≥ 0.25 a significant shift (the usual credit
  scoring cut-offs; ``PSI_WARN`` / ``PSI_ALERT``);
* **KS**, the largest gap between the two cumulative distributions;
* a level (``stable`` / ``moderate`` / ``significant``) and a plain sentence in zh and en.

Entity-model scores are percentiles within their kind by construction (uniform whatever the
world does), so their drift says nothing; the cockpit reports the declaration model's.
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

QS = np.linspace(0.0, 1.0, 201)
PSI_WARN, PSI_ALERT = 0.10, 0.25
BINS = 10


def summarise(scores: Iterable[float]) -> dict[str, Any]:
    """{n, mean, q: 201 quantiles} of ``scores`` (empty: n 0, q [])."""
    s = np.asarray(list(scores) if not isinstance(scores, np.ndarray) else scores, dtype=float)
    s = s[np.isfinite(s)]
    if not len(s):
        return {"n": 0, "mean": None, "q": []}
    return {"n": int(len(s)), "mean": round(float(s.mean()), 6),
            "q": [round(float(x), 6) for x in np.quantile(s, QS)]}


def _cdf(summary: dict[str, Any], x: np.ndarray) -> np.ndarray:
    """P(score <= x) from a quantile summary (step function over its quantiles)."""
    q = np.asarray(summary["q"], dtype=float)
    return np.searchsorted(q, x, side="right") / len(q)


def histogram(summary: dict[str, Any], bins: int = 20) -> list[float]:
    """Share of scores per equal-width bin over [0, 1] (for a chart)."""
    if not summary.get("q"):
        return []
    edges = np.linspace(0.0, 1.0, bins + 1)
    c = _cdf(summary, edges[1:-1])
    c = np.concatenate([[0.0], c, [1.0]])
    return [round(float(v), 4) for v in np.diff(c)]


def drift(ref: dict[str, Any] | None, cur: dict[str, Any] | None) -> dict[str, Any]:
    """PSI (reference deciles) and KS of ``cur`` against ``ref``, a level and a sentence."""
    if not ref or not cur or not ref.get("q") or not cur.get("q"):
        missing = "training" if not ref or not ref.get("q") else "latest run"
        return {"psi": None, "ks": None, "level": "unknown", "missing": missing,
                "text_zh": "无法计算漂移：缺少" + ("训练时评分分布（请重新训练模型）"
                                              if missing == "training" else "最近一次评分运行"),
                "text_en": "Drift not computed: no " + (
                    "training score distribution (retrain the model)" if missing == "training"
                    else "scoring run recorded")}
    rq = np.asarray(ref["q"], dtype=float)
    edges = np.unique(rq[[int(len(rq) * i / BINS) for i in range(1, BINS)]])
    a = np.diff(np.concatenate([[0.0], _cdf(ref, edges), [1.0]]))
    b = np.diff(np.concatenate([[0.0], _cdf(cur, edges), [1.0]]))
    a, b = np.maximum(a, 1e-4), np.maximum(b, 1e-4)
    psi = float(np.sum((b - a) * np.log(b / a)))
    grid = np.unique(np.concatenate([rq, np.asarray(cur["q"], dtype=float)]))
    ks = float(np.max(np.abs(_cdf(ref, grid) - _cdf(cur, grid))))
    level = "significant" if psi >= PSI_ALERT else "moderate" if psi >= PSI_WARN else "stable"
    shift = (cur.get("mean") or 0.0) - (ref.get("mean") or 0.0)
    up_zh, up_en = ("偏高", "higher") if shift > 0 else ("偏低", "lower")
    zh = {"stable": "稳定：最近一次评分的分布与训练时一致",
          "moderate": f"中度漂移：最近一次评分整体{up_zh}于训练时，建议关注",
          "significant": f"显著漂移：最近一次评分整体{up_zh}于训练时，模型可能已不适用，建议复核并重新训练"}
    en = {"stable": "Stable: the latest run scores like the training data",
          "moderate": f"Moderate drift: the latest run scores {up_en} than at training; watch it",
          "significant": f"Significant drift: the latest run scores {up_en} than at training; "
                         "the model may no longer fit, review and retrain"}
    return {"psi": round(psi, 4), "ks": round(ks, 4), "level": level,
            "thresholds": {"psi_warn": PSI_WARN, "psi_alert": PSI_ALERT},
            "mean_reference": ref.get("mean"), "mean_current": cur.get("mean"),
            "n_reference": ref.get("n"), "n_current": cur.get("n"),
            "text_zh": f"{zh[level]}（PSI {psi:.3f}，KS {ks:.3f}）",
            "text_en": f"{en[level]} (PSI {psi:.3f}, KS {ks:.3f})"}


def model_drift(*, data_dir: Any = None, history: Any = None) -> dict[str, Any]:
    """Drift of the latest declaration-model run (``risk.history``) against the training
    distribution of the model version that scored it (its registry entry's
    ``score_reference``), with both distributions as 20-bin histograms for a chart."""
    from risk import registry
    from risk.exceptions import RegistryError
    from risk.history import ScoreHistory

    h = history or ScoreHistory.for_data_dir(data_dir)
    try:
        run = h.latest_run("declaration")
    finally:
        if history is None:
            h.close()
    ref = None
    if run:
        try:
            ref = registry.version_info(version=run["model_version"],
                                        data_dir=data_dir).get("score_reference")
        except RegistryError:
            ref = None
    cur = ((run or {}).get("distribution") or {}).get("Declaration")
    out = drift(ref, cur)
    out.update(model_version=(run or {}).get("model_version"),
               run_id=(run or {}).get("run_id"), scored_at=(run or {}).get("scored_at"),
               reference="training", histogram={"bins": 20, "reference": histogram(ref or {}),
                                                "current": histogram(cur or {})})
    return out

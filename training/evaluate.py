"""Evaluation harness: train on A, select on B, report every model on C.

``evaluate_frames`` fits each model on the training frame (the validation frame is used for
early stopping / selection only), scores validation and test, and returns
``{"models": {name: metrics on test}, "best": name chosen on validation, "valid": {...}}``.
``best`` maximises precision@5% + precision@10% on validation (AUPRC breaks ties); the test
frame never influences any choice.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from risk.metrics import curve, summarize

log = logging.getLogger(__name__)
# gnn_residual only early-stops on the validation file, like the trees do.
DEFAULT_MODELS = ("rules", "tabular", "gadbench_tree", "gnn", "gnn_residual")


def pick_best(valid_metrics: dict[str, dict[str, float]]) -> str:
    return sorted(valid_metrics, key=lambda n: (-(valid_metrics[n]["precision@5"]
                                                  + valid_metrics[n]["precision@10"]),
                                                -(valid_metrics[n]["auprc"] or 0.0), n))[0]


def evaluate_frames(train: Any, valid: Any, test: Any, *,
                    models: tuple[str, ...] = DEFAULT_MODELS) -> dict[str, Any]:
    from risk.models import get

    fitted: dict[str, Any] = {}
    out_test, out_valid, curves, cards, secs = {}, {}, {}, {}, {}
    vl, tl = valid[valid["label"].notna()], test[test["label"].notna()]
    for name in models:
        t0 = time.perf_counter()
        cls = get(name)
        if name == "gnn_residual":
            m = cls(tree=fitted.get("tabular")).fit(train, vl)
        else:
            m = cls().fit(train, vl)
        fitted[name] = m
        sv, st = m.score(vl), m.score(tl)
        out_valid[name] = summarize(vl["label"], sv)
        out_test[name] = summarize(tl["label"], st)
        curves[name] = {"valid": curve(vl["label"], sv), "test": curve(tl["label"], st)}
        card = m.model_card()
        card.pop("features", None)
        cards[name] = card
        secs[name] = round(time.perf_counter() - t0, 1)
        log.info("%s: valid p@5=%.3f p@10=%.3f | test p@5=%.3f p@10=%.3f (%.0fs)", name,
                 out_valid[name]["precision@5"], out_valid[name]["precision@10"],
                 out_test[name]["precision@5"], out_test[name]["precision@10"], secs[name])
    best = pick_best(out_valid)
    return {"models": out_test, "best": best, "valid": out_valid, "curves": curves,
            "model_cards": cards, "fit_seconds": secs,
            "rows": {"train": int(len(train)), "valid": int(len(vl)), "test": int(len(tl))},
            "_fitted": fitted}


def plot_curves(result: dict[str, Any], path: str | Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for ax, part in zip(axes, ("valid", "test")):
        for name, c in result["curves"].items():
            xs, ys = zip(*c[part])
            ax.plot(xs, ys, marker="o", ms=3, label=name)
        ax.set_xlabel("% of declarations inspected")
        ax.set_title(f"{title} — {part}")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("precision@n%")
    axes[1].legend(fontsize=8)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(result: dict[str, Any], path: str | Path, extra: dict[str, Any]) -> None:
    data = {k: v for k, v in result.items() if not k.startswith("_")}
    data.update(extra)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str))


def evaluate_kcs(train_path: str, valid_path: str, test_path: str, *,
                 models: tuple[str, ...] = DEFAULT_MODELS, out: str | None = None,
                 plot: str | None = None) -> dict[str, Any]:
    """The ``portsentinel evaluate kcs`` job. Declarations are read from the KCS CSVs into
    the canonical frame by ``risk.kcs.read_kcs`` (the graph-shaped view of the same rows is
    ``risk.kcs.to_tables``; the GNN builds its graph from the frame's entity columns)."""
    from risk.kcs import read_kcs

    tr, va, te = read_kcs(train_path), read_kcs(valid_path), read_kcs(test_path)
    res = evaluate_frames(tr, va, te, models=models)
    if out:
        write_results(res, out, {"command": "portsentinel evaluate kcs", "files": {
            "train": str(train_path), "valid": str(valid_path), "test": str(test_path)},
            "plot": plot})
    if plot:
        plot_curves(res, plot, "KCS")
    return res

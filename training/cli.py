"""``portsentinel train`` and ``portsentinel evaluate {kcs,synthetic}``."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    ev = sub.add_parser("evaluate", help="evaluate risk models (precision/recall@n%%, AUROC, AUPRC)")
    evs = ev.add_subparsers(dest="dataset", metavar="DATASET")
    evs.required = True
    k = evs.add_parser("kcs", parents=[common], help="train on A, select on B, report on C (KCS CSVs)")
    k.add_argument("--train", required=True)
    k.add_argument("--valid", required=True)
    k.add_argument("--test", required=True)
    k.add_argument("--models", default=None, help="comma-separated subset of models")
    k.add_argument("--out", default=None, help="write the full results JSON here")
    k.add_argument("--plot", default=None, help="write precision@n%% curves (PNG) here")
    k.set_defaults(handler=_evaluate_kcs)
    s = evs.add_parser("synthetic", parents=[common], help="simulated port world, time split")
    s.add_argument("--declarations", type=int, default=20000)
    s.add_argument("--seed", type=int, default=7)
    s.add_argument("--out", default=None)
    s.set_defaults(handler=_evaluate_synthetic)

    t = sub.add_parser("train", parents=[common],
                       help="train on the graph (incl. recorded inspections), register a version")
    t.add_argument("--model", default="tabular", help="rules | tabular | gadbench_tree | gnn | gnn_residual")
    t.add_argument("--cutoff", default=None, help="train only on declarations before this date")
    t.add_argument("--promote", action="store_true", help="promote the new version")
    t.add_argument("--entities", action="store_true",
                   help="train the entity risk model (enterprises, persons, vehicles, vessels, "
                        "containers) from the entity graph; own registry name (entity)")
    t.set_defaults(handler=_train)


def _models(arg: str | None) -> tuple[str, ...]:
    from training.evaluate import DEFAULT_MODELS

    return tuple(a.strip() for a in arg.split(",")) if arg else DEFAULT_MODELS


def _evaluate_kcs(args: argparse.Namespace) -> dict[str, Any]:
    from training.evaluate import evaluate_kcs

    res = evaluate_kcs(args.train, args.valid, args.test, models=_models(args.models),
                       out=args.out, plot=args.plot)
    return {"models": res["models"], "best": res["best"]}


def _evaluate_synthetic(args: argparse.Namespace) -> dict[str, Any]:
    from training.synthetic_eval import evaluate_synthetic

    res = evaluate_synthetic(declarations=args.declarations, seed=args.seed, out=args.out)
    return {"models": res["models"], "best": res["best"], "entities": res.get("entities", {})}


def _train(args: argparse.Namespace) -> dict[str, Any]:
    if args.entities:
        from training.entity import train_entities

        out = train_entities(cutoff=args.cutoff, promote=args.promote)
        out["text"] = (f"entity model {out['version']} ({out['registry']}) "
                       f"{'promoted' if out['promoted'] else 'registered'}; "
                       f"{out['data_window']['declarations']} declarations, "
                       f"{out['data_window']['labelled']} labelled; {out['seconds']['total']}s")
        return out
    from training.train import train_with_feedback

    return train_with_feedback(model=args.model, cutoff=args.cutoff, promote=args.promote)

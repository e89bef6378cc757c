"""``portsentinel score`` (batch scoring write-back, or one declaration) and
``portsentinel targeting`` (a targeting list under a budget)."""

from __future__ import annotations

import argparse
from typing import Any


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    s = sub.add_parser("score", parents=[common],
                       help="score every declaration and entity in the graph with the promoted "
                            "model and write risk_score/risk_level back (or one --key)")
    s.add_argument("--key", default=None, help="score and explain just this declaration")
    s.add_argument("--label", default="Declaration",
                   choices=["Declaration", "Enterprise", "Person", "Vehicle", "Container", "Vessel"],
                   help="with --key: explain this entity's written score instead (graph evidence)")
    s.add_argument("--lang", default="zh", choices=["zh", "en"])
    s.set_defaults(handler=_score)
    t = sub.add_parser("targeting", parents=[common], help="targeting list (布控清单)")
    t.add_argument("--from", dest="date_from", default=None)
    t.add_argument("--to", dest="date_to", default=None)
    t.add_argument("--port", default=None)
    t.add_argument("--budget", type=float, default=0.05,
                   help="fraction (<1, e.g. 0.05 = 5%%) or count (>=1) of declarations")
    t.add_argument("--exploration", type=float, default=None, help="exploration share (0..1)")
    t.add_argument("--kind", default="declaration", choices=["declaration", "vehicle", "container"],
                   help="what to rank: declarations (declaration model) or vehicles / containers "
                        "(entity scores written by `portsentinel score`)")
    t.set_defaults(handler=_targeting)


def _score(args: argparse.Namespace) -> dict[str, Any]:
    import graph

    from risk.registry import load_promoted

    if args.key and args.label != "Declaration":
        from risk.explain import explain_entity

        with graph.open_store() as store:
            return explain_entity(store, args.label, args.key, args.lang)
    model, info = load_promoted()
    with graph.open_store() as store:
        if args.key:
            from risk.explain import explain_declaration
            from risk.frame import declaration_row
            from risk.scoring import declaration_record

            row = declaration_row(declaration_record(store=store, key=args.key))
            ex = explain_declaration(model=model, row=row, store=store, key=args.key)
            ex["model_version"] = info["serving"]
            ex["text"] = ex["text_zh"] + "\n\n" + ex["text_en"]
            return ex
        from risk.entity.scoring import score_all
        from risk.warnings import WarningService

        warnings = WarningService()
        try:  # declarations, then every entity when an entity model is promoted
            return score_all(store=store, on_scored=warnings.on_scored,
                             on_baseline=warnings.on_baseline)
        finally:
            warnings.close()


def _targeting(args: argparse.Namespace) -> dict[str, Any]:
    import graph

    from risk.targeting import targeting_list
    from risk.registry import load_promoted

    budget = int(args.budget) if args.budget >= 1 else args.budget
    if args.kind != "declaration":
        with graph.open_store() as store:
            out = targeting_list(store=store, kind=args.kind, date_from=args.date_from,
                                 date_to=args.date_to, port=args.port, budget=budget,
                                 exploration_share=args.exploration)
        lines = [f"{i['rank']:>3} {i['key']} {i['risk_score']:.3f} {i['risk_level']} {i['pick']} "
                 f"{'; '.join(i.get('reasons', {}).get('zh', [])[:2])}" for i in out["items"]]
        out["text"] = "\n".join(lines) or f"no {args.kind} in range"
        return out
    model, info = load_promoted()
    with graph.open_store() as store:
        out = targeting_list(model=model, store=store, date_from=args.date_from,
                             date_to=args.date_to, port=args.port, budget=budget,
                             exploration_share=args.exploration)
    out["model_version"] = info["serving"]
    lines = [f"{i['rank']:>3} {i['declaration']} {i['risk_score']:.3f} {i['risk_level']} "
             f"{i['pick']} {'; '.join(i.get('reasons', {}).get('zh', [])[:2])}" for i in out["items"]]
    out["text"] = "\n".join(lines) or "no declarations in range"
    return out

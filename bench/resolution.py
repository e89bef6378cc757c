"""Entity-resolution precision/recall on a simulated world against its ground truth.

    python bench/resolution.py --declarations 50000 --seed 11

Generates the world (or reuses --world DIR), reads the enterprise registry, customs
registrations and bill-of-lading consignees through the ingest mappings (same validation and
normalisation as a load), resolves every mention and scores mention -> enterprise assignments
against truth/mentions.csv. Writes bench/results/resolution.json.
"""

from __future__ import annotations

import os
import sys

# run as a script: the repo root first, so it runs without the .venv's path file too
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [os.path.dirname(_HERE)] + [p for p in sys.path
                                          if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--declarations", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--world", default=None, help="an already generated world folder")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "resolution.json"))
    args = ap.parse_args(argv)

    import pandas as pd

    from ingest.resolve import Resolver, entities_from_world, evaluate

    t0 = time.perf_counter()
    tmp = None
    if args.world:
        world = Path(args.world)
    else:
        from ingest.synthetic.world import generate_world

        tmp = tempfile.TemporaryDirectory(prefix="ps-resolution-")
        world = Path(tmp.name) / "world"
        generate_world(args.declarations, args.seed, world, hmac_secret=b"bench-resolution-key")
    t_gen = time.perf_counter() - t0
    ents = entities_from_world(world)
    t_read = time.perf_counter() - t0 - t_gen
    canon = [e for e in ents.values() if e.canonical]
    mentions = [e for e in ents.values() if not e.canonical]
    t1 = time.perf_counter()
    matches = Resolver(canon).resolve(mentions)
    t_res = time.perf_counter() - t1
    truth_df = pd.read_csv(world / "truth" / "mentions.csv", dtype=str)
    # mentions whose source row was quarantined (the world plants a few corrupt rows) are
    # not in the graph and so not expected
    truth = {k: v for k, v in zip(truth_df.mention_key, truth_df.true_key) if k in ents}
    ev = evaluate(matches, truth)
    ev["exact_key_only_recall"] = round(sum(1 for m in matches if m.rule.startswith("exact"))
                                        / max(1, len(truth)), 4)
    ev["mention_kinds"] = dict(Counter(k.split(":")[0] for k in truth))
    result = {
        "bench": "resolution", "declarations": args.declarations, "seed": args.seed,
        "canonical_enterprises": len(canon), **ev,
        "target": {"precision": 0.95, "recall": 0.90},
        "meets_target": ev["precision"] >= 0.95 and ev["recall"] >= 0.90,
        "seconds": {"generate": round(t_gen, 1), "read_through_mappings": round(t_read, 1),
                    "resolve": round(t_res, 2)},
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count()},
        "command": "python bench/resolution.py " + " ".join(argv or sys.argv[1:]),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(result, ensure_ascii=False))
    if tmp:
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

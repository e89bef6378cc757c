"""Generate a simulated smart-port world (deterministic by seed) as source files + ground truth.

``generate_world(10_000, seed=7, out=DIR)`` -> summary dict (also written as ``world.json``).
The world is built by stage functions over one ``World`` (``params.py``), in this order, all
drawing from one random generator (the order of the draws is what makes a seed a world):

  parties.enterprises -> parties.persons -> parties.patterns -> trade.catalogue ->
  trade.sellers -> trade.conveyances -> trade.declarations -> outputs.declarations_file ->
  outputs.enterprise_mentions -> outputs.manifests_file -> outputs.registry_files ->
  outputs.inspection_files -> outputs.ground_truth (person mentions: own stream)

Per-declaration work is numpy-vectorised; per-entity work (names, ids: ~N/25 enterprises)
is plain Python. File formats: ``ingest/synthetic/README.md``.
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from ingest.synthetic import outputs, parties, trade
from ingest.synthetic.params import END, SPLIT_THRESHOLD, START, World, WorldParams

__all__ = ["STAGES", "World", "WorldParams", "generate_world"]

STAGES = (parties.enterprises, parties.persons, parties.patterns, trade.catalogue,
          trade.sellers, trade.conveyances, trade.declarations, outputs.declarations_file,
          outputs.enterprise_mentions, outputs.manifests_file, outputs.registry_files,
          outputs.inspection_files, outputs.ground_truth)


def generate_world(declarations: int = 10_000, seed: int = 7, out: str | Path = "world",
                   *, hmac_secret: bytes | None = None, progress: bool = False
                   ) -> dict[str, Any]:
    """Write the world's source files and ground truth under ``out``; return a summary."""
    t0 = time.perf_counter()
    P = WorldParams(declarations=int(declarations), seed=int(seed))
    if hmac_secret is None:
        from ingest.config import get_settings
        hmac_secret = get_settings().hmac_secret()
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    say = (lambda m: print(f"[synthetic] {m} ({time.perf_counter() - t0:.1f}s)",
                           file=sys.stderr, flush=True)) if progress else (lambda m: None)
    w = World(params=P, rng=np.random.default_rng(P.seed), out=out, secret=hmac_secret, say=say)
    for stage in STAGES:
        stage(w)
    summary = {"params": asdict(P), "out": str(out), "span": [START.isoformat(), END.isoformat()],
               "counts": _counts(w),
               "patterns": {p_: int(sum(p_ in x for x in w.dpat)) for p_ in
                            ["undervaluation", "origin_laundering", "misclassification",
                             "split_shipment", "repeat_offender_driver"]},
               "split_threshold_cny": SPLIT_THRESHOLD, "usd_cny": 7.1,
               "seconds": round(time.perf_counter() - t0, 2)}
    (out / "world.json").write_text(json.dumps(summary, ensure_ascii=False, indent=2))
    say("ground truth")
    return summary


def _counts(w: World) -> dict[str, Any]:
    return {"declarations": w.n, "enterprises": w.n_ent, "brokers": w.n_brk,
            "persons": w.n_per, "sellers": w.n_sel, "vehicles": w.n_veh,
            "vessels": w.n_ves, "containers": w.n_con, "manifests": len(w.M),
            "bills": len(w.B), "inspections": int(w.inspected.sum()),
            "cases": len(w.case_rows), "mentions": w.n_ent_mentions,
            "fraud": int(w.fraud.sum()), "corrupt_rows": int(w.corrupt.sum()), **w.p_counts}

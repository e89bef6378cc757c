"""Load a simulated world through the same mapped ingest path as real sources."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ingest.config import IngestSettings, get_settings
from ingest.pipeline import LoadReport

# file -> mapping, in load order (registry first, labels last)
WORLD_FILES = [
    ("enterprises.csv", "syn_enterprises"), ("customs_parties.csv", "syn_customs_parties"),
    ("persons.csv", "syn_persons"), ("shareholders.csv", "syn_shareholders"),
    ("sellers.csv", "syn_sellers"), ("manifests.csv", "syn_manifests"),
    ("declarations.csv", "syn_declarations"), ("bills.csv", "syn_bills"),
    ("inspections.jsonl", "syn_inspections"), ("cases.csv", "syn_cases"),
    # person mentions (worlds generated before they existed simply lack these files)
    ("customs_reps.csv", "syn_customs_reps"), ("road_manifests.csv", "syn_road_manifests"),
]


def load_world(directory: str | Path, store=None, *, settings: IngestSettings | None = None,
               progress: bool = False, dry_run: bool = False) -> dict[str, Any]:
    """Load every file of a generated world into ``store`` (default: ``graph.open_store()``;
    ``dry_run``: validate only); returns totals and one report per file."""
    from ingest.readers.mapped import load_file

    settings = settings or get_settings()
    d = Path(directory)
    tot = LoadReport(source=f"syn:{d.name}")
    files = {}
    t0 = time.perf_counter()
    for fname, mapping in WORLD_FILES:
        if not (d / fname).exists():
            continue
        rep = load_file(d / fname, mapping, store, settings=settings, progress=progress,
                        source=f"syn:{d.name}/{fname}", dry_run=dry_run)
        files[fname] = rep.to_json()
        tot.add(rep)
    tot.seconds = time.perf_counter() - t0
    return {**tot.to_json(), "files": files}


def default_out(settings: IngestSettings, declarations: int, seed: int) -> Path:
    return settings.data_dir / "synthetic" / f"seed-{seed}-n-{declarations}"


def generate_and_load(*, declarations: int, seed: int, out: str | Path | None = None,
                      store=None, load: bool = True, progress: bool = False,
                      settings: IngestSettings | None = None, dry_run: bool = False
                      ) -> dict[str, Any]:
    from ingest.synthetic.world import generate_world

    settings = settings or get_settings()
    out = Path(out) if out else default_out(settings, declarations, seed)
    world = generate_world(declarations, seed, out, hmac_secret=settings.hmac_secret(),
                           progress=progress)
    res: dict[str, Any] = {"out": str(out), "world": world["counts"],
                           "generate_seconds": world["seconds"]}
    if load:
        res.update(load_world(out, store, settings=settings, progress=progress,
                              dry_run=dry_run))
    return res

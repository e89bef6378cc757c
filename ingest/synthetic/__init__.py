"""Simulated smart-port world: deterministic by seed, planted risk patterns, ground truth.
See README.md in this folder for the files it writes."""

from __future__ import annotations

__all__ = ["generate_world", "WorldParams"]


def __getattr__(name: str):
    if name in ("generate_world", "WorldParams"):
        from ingest.synthetic import world
        return getattr(world, name)
    raise AttributeError(name)

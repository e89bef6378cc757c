"""ingest: readers, validators, normalisation, quarantine, entity resolution, streaming,
desensitisation and the synthetic port world. Heavy modules load lazily."""

from __future__ import annotations

__all__ = ["load_kcs", "load_file", "load_events", "generate_world", "resolve", "LoadReport"]


def __getattr__(name: str):  # lazy re-exports so `import ingest` stays cheap
    if name == "load_kcs":
        from ingest.readers.kcs import load_kcs
        return load_kcs
    if name == "load_file":
        from ingest.readers.mapped import load_file
        return load_file
    if name == "load_events":
        from ingest.stream import load_events
        return load_events
    if name == "generate_world":
        from ingest.synthetic.world import generate_world
        return generate_world
    if name == "resolve":
        from ingest.resolve import resolve
        return resolve
    if name == "LoadReport":
        from ingest.pipeline import LoadReport
        return LoadReport
    raise AttributeError(name)

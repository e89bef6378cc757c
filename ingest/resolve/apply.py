"""Applying resolution to the graph, and reversing it.

Provenance: an ``ALIAS_OF`` relationship mention -> canonical with ``rule`` and ``score``
(source ``resolution``); the canonical node gets ``resolution_rule`` (rule counts) and, for
enterprises, ``resolved_from`` (mention keys; persons keep theirs on the ALIAS_OF edges only,
which the sandbox export re-keys, so person keys never leave the graph un-keyed).
``unresolve(store)`` removes all of it (reversible); the exact_id links, stated by the source
records themselves, stay.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict
from typing import Any

from graph.base import RelRecord
from ingest.resolve.enterprises import resolve
from ingest.resolve.match import SOURCE, Match
from ingest.resolve.persons import resolve_persons
from ingest.resolve.tables import entities_from_store, persons_from_store


def provenance_records(matches: list[Match], label: str = "Enterprise"
                       ) -> tuple[list[RelRecord], dict[str, dict]]:
    """ALIAS_OF records (exact_id links excepted: the source record already states them) and
    the canonical nodes' property updates."""
    rels = [RelRecord("ALIAS_OF", label, m.mention, label, m.canonical,
                      {"rule": m.rule, "score": float(m.score)}, SOURCE)
            for m in matches if m.rule != "exact_id"]
    by_canon: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_canon[m.canonical].append(m)
    updates = {}
    for k, ms in by_canon.items():
        rules = Counter(m.rule for m in ms)
        updates[k] = {"resolution_rule": ",".join(f"{r}:{n}" for r, n in sorted(rules.items()))}
        if label == "Enterprise":
            updates[k]["resolved_from"] = sorted(m.mention for m in ms)
    return rels, updates


def resolve_store(store, *, apply: bool = True) -> dict[str, Any]:
    ents = entities_from_store(store)
    matches = resolve(ents)
    rels, updates = provenance_records(matches)
    persons = persons_from_store(store)
    pmatches = resolve_persons(persons, matches)
    prels, pupdates = provenance_records(pmatches, "Person")
    if apply and (rels or prels):
        store.upsert((), rels + prels)
    if apply and updates:
        store.set_properties("Enterprise", updates)
    if apply and pupdates:
        store.set_properties("Person", pupdates)
    n_canon = sum(e.canonical for e in ents.values())
    p_canon = sum(e.canonical for e in persons.values())
    return {"mentions": len(ents) - n_canon, "entities": n_canon, "merges": len(rels) + len(prels),
            "rules": dict(Counter(m.rule for m in matches)), "applied": apply,
            "examples": [asdict(m) for m in matches[:5]],
            "persons": {"mentions": len(persons) - p_canon, "entities": p_canon,
                        "merges": len(prels), "exact_id": len(pmatches) - len(prels),
                        "rules": dict(Counter(m.rule for m in pmatches)),
                        "examples": [asdict(m) for m in pmatches if m.rule != "exact_id"][:5]}}


def unresolve(store) -> dict[str, int]:
    """Undo resolution: remove the ALIAS_OF edges it wrote and the canonical provenance
    properties (exact_id links stated by source records stay)."""
    t = store.export(labels=["Enterprise", "Person"], rel_types=["ALIAS_OF"])
    df = t.nodes.get("Enterprise")
    keys = []
    if df is not None and "resolved_from" in df.columns:
        keys = [r["key"] for r in df.to_dict("records")
                if isinstance(r.get("resolved_from"), (list, tuple)) and r["resolved_from"]]
    if keys:
        store.set_properties("Enterprise", {k: {"resolved_from": [], "resolution_rule": ""}
                                            for k in keys})
    pdf = t.nodes.get("Person")
    pkeys = []
    if pdf is not None and "resolution_rule" in pdf.columns:
        pkeys = [r["key"] for r in pdf.to_dict("records")
                 if isinstance(r.get("resolution_rule"), str) and r["resolution_rule"]]
    if pkeys:
        store.set_properties("Person", {k: {"resolution_rule": ""} for k in pkeys})
    out = store.delete_by_source(SOURCE)
    return {"canonical_reset": len(keys) + len(pkeys), **out}

"""Entity tables: the enterprise and person evidence (phones, addresses, vehicles driven,
enterprises represented, exact-id links) read from ingest records, from a generated world's
files (through the ingest mappings, exactly as a load reads them) or from a graph store."""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from graph.base import NodeRecord, RelRecord
from ingest.normalise import address_core, company_key
from ingest.resolve.enterprises import Entity
from ingest.resolve.persons import PersonEntity, person_name_key


def persons_from_records(nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]
                         ) -> dict[str, PersonEntity]:
    """Person entities (phones, vehicles driven, enterprises represented, exact-id links)."""
    ps: dict[str, PersonEntity] = {}
    for n in nodes:
        if n.label != "Person":
            continue
        e = ps.setdefault(n.key, PersonEntity(n.key))
        nm = n.props.get("name")
        if nm and not e.name:
            e.name, e.name_key = nm, person_name_key(nm)
    for r in rels:
        if r.start_label != "Person" or r.start_key not in ps:
            continue
        e = ps[r.start_key]
        if r.type == "HAS_PHONE":
            e.phones.add(r.end_key)
        elif r.type == "DROVE":
            e.context.add("V:" + r.end_key)
        elif r.type in ("LEGAL_REP_OF", "SHAREHOLDER_OF"):
            e.context.add("E:" + r.end_key)
        elif r.type == "ALIAS_OF" and (r.props or {}).get("rule") == "exact_id":
            e.exact = r.end_key
    return ps


def entities_from_records(nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]
                          ) -> dict[str, Entity]:
    """Enterprise entities (with phones and addresses) from ingest records."""
    ents: dict[str, Entity] = {}
    for n in nodes:
        if n.label != "Enterprise":
            continue
        e = ents.setdefault(n.key, Entity(n.key))
        p = n.props
        if p.get("name"):
            e.name = p["name"]
            e.name_key = p.get("name_norm") or company_key(p["name"])
        if p.get("uscc"):
            e.uscc = p["uscc"]
        if p.get("customs_code") and not n.key.startswith("CC:"):
            e.customs_code = p["customs_code"]
    for r in rels:
        if r.start_label != "Enterprise" or r.start_key not in ents:
            continue
        if r.type == "HAS_PHONE":
            ents[r.start_key].phones.add(r.end_key)
        elif r.type == "LOCATED_AT":
            ents[r.start_key].addresses.add(address_core(r.end_key))
    return ents


# world file -> mapping; which files each entity table needs
_ENTERPRISE_FILES = [("enterprises.csv", "syn_enterprises"),
                     ("customs_parties.csv", "syn_customs_parties"), ("bills.csv", "syn_bills")]
_PERSON_FILES = [("enterprises.csv", "syn_enterprises"), ("persons.csv", "syn_persons"),
                 ("shareholders.csv", "syn_shareholders"), ("declarations.csv", "syn_declarations"),
                 ("customs_reps.csv", "syn_customs_reps"),
                 ("road_manifests.csv", "syn_road_manifests")]


def world_records(directory: str | Path, files: Iterable[tuple[str, str]], secret: bytes
                  ) -> tuple[list[NodeRecord], list[RelRecord]]:
    """The node/relationship records of some files of a generated world, read through the
    ingest mappings exactly as a load would (rows that would be quarantined are left out)."""
    from ingest.mapping import builtin_mapping
    from ingest.sources import open_rows
    from ingest.transform import RowTransformer

    d = Path(directory)
    nodes, rels = [], []
    for fname, mname in files:
        if not (d / fname).exists():
            continue
        m = builtin_mapping(mname)
        tr = RowTransformer(m, secret=secret)
        for _line, row in open_rows(d / fname, m.columns, fmt=m.format):
            if not isinstance(row, dict):
                continue
            out = tr(row)
            if isinstance(out, list):
                continue
            nodes.extend(out[0])
            rels.extend(out[1])
    return nodes, rels


def entities_from_world(directory: str | Path) -> dict[str, Entity]:
    """The enterprise entities of a generated world, read through the ingest mappings."""
    return entities_from_records(*world_records(directory, _ENTERPRISE_FILES,
                                                b"resolution-does-not-need-person-keys"))


def persons_from_world(directory: str | Path, secret: bytes) -> dict[str, PersonEntity]:
    """The person entities of a generated world (``secret``: the HMAC key it was generated
    with, so that keys match its ground truth)."""
    return persons_from_records(*world_records(directory, _PERSON_FILES, secret))


def entities_from_store(store) -> dict[str, Entity]:
    t = store.export(labels=["Enterprise", "Phone", "Address"],
                     rel_types=["HAS_PHONE", "LOCATED_AT"])
    nodes = []
    df = t.nodes.get("Enterprise")
    if df is not None:
        for rec in df.to_dict("records"):
            props = {k: v for k, v in rec.items() if k in ("name", "name_norm", "uscc",
                                                           "customs_code") and isinstance(v, str)}
            nodes.append(NodeRecord("Enterprise", rec["key"], props))
    rels = []
    for typ in ("HAS_PHONE", "LOCATED_AT"):
        rdf = t.relationships.get(typ)
        if rdf is None:
            continue
        for rec in rdf.to_dict("records"):
            if rec.get("start_label", "Enterprise") == "Enterprise":
                rels.append(RelRecord(typ, "Enterprise", rec["start_key"],
                                      "Phone" if typ == "HAS_PHONE" else "Address",
                                      rec["end_key"]))
    return entities_from_records(nodes, rels)


def persons_from_store(store) -> dict[str, PersonEntity]:
    rel_types = ["HAS_PHONE", "DROVE", "LEGAL_REP_OF", "SHAREHOLDER_OF", "ALIAS_OF"]
    t = store.export(labels=["Person"], rel_types=rel_types)
    nodes = []
    df = t.nodes.get("Person")
    if df is not None:
        for rec in df.to_dict("records"):
            nm = rec.get("name")
            nodes.append(NodeRecord("Person", rec["key"],
                                    {"name": nm} if isinstance(nm, str) else {}))
    rels = []
    for typ in rel_types:
        rdf = t.relationships.get(typ)
        if rdf is None:
            continue
        for rec in rdf.to_dict("records"):
            if rec.get("start_label", "Person") != "Person":
                continue
            rule = rec.get("rule")
            rels.append(RelRecord(typ, "Person", rec["start_key"],
                                  rec.get("end_label") or "Enterprise", rec["end_key"],
                                  {"rule": rule} if isinstance(rule, str) else {}))
    return persons_from_records(nodes, rels)

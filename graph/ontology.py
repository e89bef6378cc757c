"""The ontology of the PortSentinel knowledge graph, as data.

Labels, relationship types, natural keys and property schemas (DESIGN.md, "Ontology").
Everything that reaches Cypher as *structure* (a label, a relationship type, a property
name) must pass through this module: values never do, they travel as parameters.

Every node carries ``key`` (its natural key, a string), ``sources`` (list of source ids
that asserted it), ``first_seen`` and ``last_seen`` (ISO date-times). Every relationship
carries ``sources``, ``first_seen``, ``last_seen`` and, where time-bearing, ``at``.

Property-merge rule (applied by every GraphStore backend):
  * an incoming property with a non-null value overwrites the stored value (last write wins);
  * an incoming ``None`` never erases a stored value;
  * ``first_seen`` keeps the minimum, ``last_seen`` the maximum of stored and incoming;
  * ``sources`` is the union of stored and incoming source ids.
Upserting the same record twice therefore changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from graph.exceptions import OntologyError

# property type name -> python types accepted
_TYPES: dict[str, tuple[type, ...]] = {
    "str": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
    "date": (str, date),
    "datetime": (str, datetime),
    "list[str]": (list, tuple),
    "list[float]": (list, tuple),
}

SYSTEM_NODE_PROPS = ("key", "sources", "first_seen", "last_seen")
SYSTEM_REL_PROPS = ("sources", "first_seen", "last_seen")
# written back by risk scoring onto any node label
RISK_PROPS = {
    "risk_score": "float",
    "risk_level": "str",  # 高 / 中 / 低
    "model_version": "str",
    "scored_at": "datetime",
}
RISK_LEVELS = ("高", "中", "低")

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class NodeType:
    label: str
    key_doc: str
    props: Mapping[str, str]
    description: str = ""
    extra_labels: tuple[str, ...] = ()
    sensitive: tuple[str, ...] = ()  # masked for roles without the grant


@dataclass(frozen=True)
class RelType:
    type: str
    pairs: tuple[tuple[str, str], ...]  # allowed (start label, end label)
    props: Mapping[str, str] = field(default_factory=dict)
    description: str = ""
    time_bearing: bool = False


_PARTY = {"name": "str", "name_norm": "str", "country": "str"}
_DOC = {"date": "date", "status": "str", "source_id": "str"}

NODE_TYPES: dict[str, NodeType] = {
    t.label: t
    for t in [
        NodeType(
            "Enterprise",
            "USCC (GB 32100), customs code, or 'FOREIGN:<id>' / source-scoped id",
            {
                **_PARTY,
                "uscc": "str",
                "customs_code": "str",
                "credit_level": "str",  # 高级认证 / 一般认证 / 一般信用 / 失信
                "aeo": "bool",
                "registered_on": "date",
                "kind": "str",  # importer / seller / broker / courier / carrier
                "aliases": "list[str]",
                "resolved_from": "list[str]",
                "resolution_rule": "str",
            },
            "Legal entity: importer, exporter, broker, carrier, courier",
        ),
        NodeType(
            "Person",
            "HMAC of the identity number (raw number never stored)",
            {**_PARTY, "nationality": "str", "id_masked": "str", "phone_masked": "str",
             "role": "str", "aliases": "list[str]", "resolved_from": "list[str]",
             "resolution_rule": "str",
             "watchlisted": "bool"},  # a watch-listed driver (risk/warnings watchlist rule)
            "Natural person: legal representative, shareholder, declarant, driver",
            sensitive=("id_masked", "phone_masked", "name"),
        ),
        NodeType(
            "Goods",
            "HS code, 6 to 10 digits",
            {"hs6": "str", "chapter": "str", "heading": "str", "description": "str"},
        ),
        NodeType("Declaration", "declaration id (报关单号)",
                 {**_DOC, "office": "str", "process_type": "str", "import_type": "str",
                  "import_use": "str", "payment_type": "str", "transport_mode": "str",
                  "tax_rate": "float", "tax_type": "str", "origin_indicator": "str",
                  "net_mass": "float", "value": "float", "currency": "str",
                  "hs_code": "str", "fraud": "int", "critical_fraud": "int",
                  "inspected": "bool"},
                 extra_labels=("Document",)),
        NodeType("Manifest", "manifest id (舱单号)", dict(_DOC), extra_labels=("Document",)),
        NodeType("BillOfLading", "bill of lading number", dict(_DOC), extra_labels=("Document",)),
        NodeType("Certificate", "certificate number",
                 {**_DOC, "kind": "str", "issuer": "str", "valid_until": "date"},
                 extra_labels=("Document",)),
        NodeType("Case", "case number (违法案件/缉私)",
                 {**_DOC, "kind": "str", "penalty": "float", "summary": "str"},
                 extra_labels=("Document",)),
        NodeType("Vehicle", "licence plate (normalised)", {"plate": "str", "kind": "str",
                                                           "watchlisted": "bool"}),
        NodeType("Vessel", "IMO number or MMSI", {"imo": "str", "mmsi": "str", "name": "str",
                                                  "flag": "str"}),
        NodeType("Container", "ISO 6346 number", {"size_type": "str", "watchlisted": "bool",
                                                   # gate-out time; unset = still in the yard
                                                   "released_at": "datetime"}),
        NodeType("Flight", "carrier code + flight number + date", {"carrier": "str"}),
        NodeType("Port", "customs office / port code", {"name": "str", "country": "str",
                                                        # yard load (cargo backlog warnings)
                                                        "yard_capacity": "int",
                                                        "yard_occupancy": "int"}),
        NodeType("Country", "ISO 3166-1 alpha-2 (or source code)", {"name": "str"}),
        NodeType("Address", "normalised address text", {"text": "str", "city": "str"}),
        NodeType("Phone", "E.164 number (stored hashed where personal)", {"masked": "str"},
                 sensitive=("key",)),
        NodeType("Email", "lower-cased address", {"masked": "str"}, sensitive=("key",)),
        NodeType("Inspection", "inspection id",
                 {"date": "date", "result": "str",  # hit / no_hit
                  "findings": "str", "inspector": "str", "target_label": "str",
                  "target_key": "str"}),
        NodeType("Article", "stable article id (document id + article number)",
                 {"law": "str", "number": "str", "text": "str", "kind": "str",
                  "version_date": "date", "status": "str"}),
        NodeType("Concept", "concept kind + normalised name",
                 {"name": "str", "kind": "str"}),
    ]
}

_ENT = ("Enterprise",)
_PARTIES = ("Enterprise", "Person")
_DOCS = ("Declaration", "Manifest", "BillOfLading", "Certificate", "Case")
_CONVEYANCES = ("Vehicle", "Vessel", "Container", "Flight")


def _pairs(starts: Iterable[str], ends: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((s, e) for s in starts for e in ends)


REL_TYPES: dict[str, RelType] = {
    r.type: r
    for r in [
        RelType("DECLARED", _pairs(_ENT, ("Declaration", "Manifest")), {"at": "datetime"},
                "importer/consignee declared", True),
        RelType("AGENT_FOR", _pairs(_PARTIES, ("Declaration", "Manifest")) + _pairs(_ENT, _ENT),
                {"at": "datetime", "role": "str"}, "declarant / customs broker", True),
        RelType("SUPPLIED", _pairs(_ENT, ("Declaration",)), {"at": "datetime"},
                "foreign seller / consignor", True),
        RelType("COURIER_FOR", _pairs(_ENT, ("Declaration",)), {"at": "datetime"},
                "express courier that carried the declared goods", True),
        RelType("HAS_ITEM", _pairs(("Declaration", "Manifest", "BillOfLading"), ("Goods",)),
                {"item_no": "int", "value": "float", "net_mass": "float", "quantity": "float",
                 "unit_price": "float", "hs10": "str"}),
        RelType("ORIGIN", _pairs(("Declaration", "Goods", "Certificate"), ("Country",))),
        RelType("DEPARTED_FROM", _pairs(("Declaration", "Manifest", "Vessel", "Flight"),
                                        ("Country", "Port")), {"at": "datetime"}, time_bearing=True),
        RelType("AT_PORT", _pairs(_DOCS + _CONVEYANCES + ("Inspection",), ("Port",)),
                {"at": "datetime"}, time_bearing=True),
        RelType("CARRIED_BY", _pairs(("Declaration", "Manifest", "BillOfLading", "Container"),
                                     ("Vehicle", "Vessel", "Flight")),
                {"at": "datetime"}, time_bearing=True),
        RelType("IN_CONTAINER", _pairs(("Declaration", "BillOfLading", "Goods"), ("Container",)),
                {"at": "datetime"}, time_bearing=True),
        RelType("UNDER_BL", _pairs(("Declaration", "Manifest"), ("BillOfLading",))),
        RelType("CONSIGNEE_OF", _pairs(_PARTIES, ("BillOfLading", "Manifest")), {},
                "consignee named (as free text) on a bill of lading or manifest line"),
        RelType("HAS_CERTIFICATE", _pairs(("Declaration", "Enterprise"), ("Certificate",))),
        RelType("LEGAL_REP_OF", _pairs(("Person",), _ENT), {"since": "date"}),
        RelType("SHAREHOLDER_OF", _pairs(_PARTIES, _ENT), {"share": "float", "since": "date"}),
        RelType("DROVE", _pairs(("Person",), ("Vehicle",)), {"at": "datetime"}, time_bearing=True),
        # a road crossing: the road manifest (道路舱单) is the crossing record, linked to the
        # declaration it conveyed and to the driver the carrier recorded for that crossing
        # (DROVE alone is one edge per driver-vehicle pair: it cannot say who drove which)
        RelType("ON_MANIFEST", _pairs(("Declaration",), ("Manifest",)), {"at": "datetime"},
                "declared goods that crossed on this (road) manifest", True),
        RelType("DRIVER_OF", _pairs(("Person",), ("Manifest",)), {"at": "datetime"},
                "driver recorded on a road manifest (one crossing)", True),
        RelType("LOCATED_AT", _pairs(_PARTIES + ("Port",), ("Address",))),
        RelType("HAS_PHONE", _pairs(_PARTIES, ("Phone",))),
        RelType("HAS_EMAIL", _pairs(_PARTIES, ("Email",))),
        RelType("INVOLVED_IN", _pairs(_PARTIES + _CONVEYANCES + ("Declaration", "Goods"),
                                      ("Case",)), {"role": "str", "at": "datetime"},
                time_bearing=True),
        RelType("INSPECTED", _pairs(("Inspection",), ("Declaration", "Container", "Vehicle")),
                {"at": "datetime"}, time_bearing=True),
        RelType("ALIAS_OF", _pairs(_PARTIES, _PARTIES),
                {"rule": "str", "score": "float"}, "entity-resolution provenance"),
        RelType("CITES", _pairs(("Article",), ("Article",)), {"text": "str"}),
        RelType("GOVERNS", _pairs(("Article",), ("Concept", "Goods"))),
    ]
}

LABELS: frozenset[str] = frozenset(NODE_TYPES)
REL_TYPE_NAMES: frozenset[str] = frozenset(REL_TYPES)
SHARED_ATTRIBUTE_LABELS = ("Address", "Phone", "Person", "Email")


def check_label(label: str) -> NodeType:
    """Return the node type for ``label`` or raise naming it."""
    try:
        return NODE_TYPES[label]
    except (KeyError, TypeError):
        raise OntologyError(f"label {label!r} is not in the ontology "
                            f"(allowed: {', '.join(sorted(LABELS))})") from None


def check_rel_type(rel_type: str) -> RelType:
    try:
        return REL_TYPES[rel_type]
    except (KeyError, TypeError):
        raise OntologyError(f"relationship type {rel_type!r} is not in the ontology "
                            f"(allowed: {', '.join(sorted(REL_TYPE_NAMES))})") from None


def check_pair(rel_type: str, start_label: str, end_label: str) -> RelType:
    rt = check_rel_type(rel_type)
    check_label(start_label)
    check_label(end_label)
    if (start_label, end_label) not in rt.pairs:
        raise OntologyError(
            f"relationship {start_label}-[:{rel_type}]->{end_label} is not allowed by the ontology")
    return rt


def _check_value(owner: str, name: str, kind: str, value: Any) -> None:
    if value is None:
        return
    if kind in ("int", "float") and isinstance(value, bool):
        raise OntologyError(f"{owner}.{name}: expected {kind}, got bool")
    if not isinstance(value, _TYPES[kind]):
        raise OntologyError(f"{owner}.{name}: expected {kind}, got {type(value).__name__}")
    if kind.startswith("list[") and kind == "list[str]" and not all(isinstance(v, str) for v in value):
        raise OntologyError(f"{owner}.{name}: expected a list of strings")


def check_property_name(name: str) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise OntologyError(f"property name {name!r} is not a plain identifier")
    return name


def validate_node_props(label: str, props: Mapping[str, Any]) -> None:
    """Refuse properties outside the label's schema (or of the wrong type), naming them."""
    nt = check_label(label)
    for name, value in props.items():
        check_property_name(name)
        if name in SYSTEM_NODE_PROPS:
            continue
        kind = nt.props.get(name) or RISK_PROPS.get(name)
        if kind is None:
            raise OntologyError(f"property {label}.{name} is not in the ontology")
        _check_value(label, name, kind, value)


def validate_rel_props(rel_type: str, props: Mapping[str, Any]) -> None:
    rt = check_rel_type(rel_type)
    for name, value in props.items():
        check_property_name(name)
        if name in SYSTEM_REL_PROPS:
            continue
        kind = rt.props.get(name)
        if kind is None:
            raise OntologyError(f"property [:{rel_type}].{name} is not in the ontology")
        _check_value(rel_type, name, kind, value)


def as_dict() -> dict[str, Any]:
    """The ontology as plain JSON-able data (served by the API and the docs)."""
    return {
        "nodes": {l: {"key": t.key_doc, "props": dict(t.props), "extra_labels": list(t.extra_labels),
                      "sensitive": list(t.sensitive), "description": t.description}
                  for l, t in NODE_TYPES.items()},
        "relationships": {r: {"pairs": [list(p) for p in t.pairs], "props": dict(t.props),
                              "time_bearing": t.time_bearing, "description": t.description}
                          for r, t in REL_TYPES.items()},
        "merge_rule": __doc__.split("Property-merge rule")[1].strip() if __doc__ else "",
    }

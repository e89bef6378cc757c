"""Declarative source mappings (YAML): columns -> ontology nodes, properties, keys, relationships.

A mapping describes one kind of source record. Example (see ``ingest/mappings/*.yaml``)::

    source: kcs                     # source id prefix: "<source>:<file name>"
    format: csv                     # csv | jsonl (default: from the file extension)
    columns: [Declaration ID, Date, ...]   # CSV: the header must contain exactly these
    required: [Declaration ID, Date]       # blank -> row quarantined ("required field is missing")
    record_key: "{Declaration ID}"  # identity of a row, for duplicate detection
    seen_at: Date                   # column giving the record's time (first/last_seen, rel 'at')
    checks:                         # column -> validator (ingest.validators.CHECKS) or {in: [...]}
      Date: date
      Net Mass: amount
      Fraud: {in: ["0", "1"]}
    nodes:
      - id: decl                    # alias used by relationships
        label: Declaration
        key: "{Declaration ID}"     # template over columns, or a value spec (below)
        when: Importer ID           # optional: only when this column is non-blank
        props:
          date: Date                # a column name
          inspected: {const: true}  # a constant
          chapter: {column: HS6 Code, transform: hs_chapter}
    relationships:
      - {type: DECLARED, from: importer, to: decl, props: {at: Date}}

Value specs: a column name; ``{const: v}``; ``{column: c, transform: t}``; ``{template: "..{c}.."}``.
Transforms: upper, lower, strip, company_name, company_key, address, phone, hs6, hs_chapter,
hs_heading, hmac (keyed hash, for identity numbers), mask_phone, mask_name, list (split '|').
Property values are converted to the ontology type of the property (int, float, bool, date...).
Columns may be dotted paths into JSONL objects (``importer.name``).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from graph import ontology
from ingest import validators
from ingest.exceptions import MappingError
from ingest.values import TRANSFORMS

_FMT = string.Formatter()


@dataclass
class ValueSpec:
    column: str | None = None
    const: Any = None
    template: str | None = None
    transform: str | None = None
    prefix: str = ""
    allow_blank: bool = False  # templates: blank columns read as "" instead of "no value"

    def __post_init__(self) -> None:
        self._cols: list[str] = []
        self._fmt = ""
        if self.column:
            self._cols = [self.column]
        elif self.template:
            parts = []
            for lit, f, _, _ in _FMT.parse(self.template):
                parts.append(lit.replace("{", "{{").replace("}", "}}"))
                if f:
                    if f not in self._cols:
                        self._cols.append(f)
                    parts.append("{%d}" % self._cols.index(f))
            self._fmt = "".join(parts)

    def columns(self) -> list[str]:
        return self._cols


@dataclass
class NodeSpec:
    id: str
    label: str
    key: ValueSpec
    props: dict[str, ValueSpec]
    when: list[str] = field(default_factory=list)


@dataclass
class RelSpec:
    type: str
    start: str
    end: str
    props: dict[str, ValueSpec]
    when: list[str] = field(default_factory=list)


@dataclass
class Mapping_:
    name: str
    source: str
    format: str | None
    columns: list[str]
    required: list[str]
    record_key: ValueSpec | None
    seen_at: str | None
    checks: dict[str, Any]
    nodes: list[NodeSpec]
    relationships: list[RelSpec]
    encoding: str = "utf-8"
    path: str = ""
    sensitive: list[str] = field(default_factory=list)  # masked in quarantine entries

    def all_columns(self) -> set[str]:
        cols = set(self.columns) | set(self.required) | set(self.checks)
        for n in self.nodes:
            cols |= set(n.key.columns()) | set(n.when)
            for v in n.props.values():
                cols |= set(v.columns())
        for r in self.relationships:
            cols |= set(r.when)
            for v in r.props.values():
                cols |= set(v.columns())
        if self.record_key:
            cols |= set(self.record_key.columns())
        return cols


def _value_spec(raw: Any, where: str) -> ValueSpec:
    if isinstance(raw, str):
        return ValueSpec(template=raw) if "{" in raw else ValueSpec(column=raw)
    if isinstance(raw, Mapping):
        unknown = set(raw) - {"column", "const", "template", "transform", "prefix", "allow_blank"}
        if unknown:
            raise MappingError(f"{where}: unknown keys {sorted(unknown)}")
        t = raw.get("transform")
        if t is not None and t not in TRANSFORMS:
            raise MappingError(f"{where}: unknown transform {t!r} (known: {sorted(TRANSFORMS)})")
        if sum(k in raw for k in ("column", "const", "template")) != 1:
            raise MappingError(f"{where}: give exactly one of column, const, template")
        return ValueSpec(column=raw.get("column"), const=raw.get("const"),
                         template=raw.get("template"), transform=t, prefix=raw.get("prefix", ""),
                         allow_blank=bool(raw.get("allow_blank", False)))
    if isinstance(raw, (int, float, bool)):
        return ValueSpec(const=raw)
    raise MappingError(f"{where}: a value must be a column name, a template or a mapping")


def _as_list(v: Any) -> list[str]:
    if v is None:
        return []
    return [v] if isinstance(v, str) else [str(x) for x in v]


def parse_mapping(data: Mapping[str, Any], name: str = "mapping") -> Mapping_:
    """Validate a mapping dict against the ontology; raise ``MappingError`` naming the problem."""
    if not isinstance(data, Mapping):
        raise MappingError(f"{name}: top level must be a mapping")
    try:
        nodes = []
        ids = set()
        for i, n in enumerate(data.get("nodes") or []):
            where = f"{name}: nodes[{i}]"
            label = n.get("label")
            try:
                nt = ontology.check_label(label)
            except ValueError as e:
                raise MappingError(f"{where}: {e}") from e
            nid = n.get("id") or label
            if nid in ids:
                raise MappingError(f"{where}: duplicate node id {nid!r}")
            ids.add(nid)
            props = {}
            for p, spec in (n.get("props") or {}).items():
                if p not in nt.props:
                    raise MappingError(f"{where}: property {label}.{p} is not in the ontology")
                props[p] = _value_spec(spec, f"{where}.props.{p}")
            if "key" not in n:
                raise MappingError(f"{where}: 'key' is required")
            nodes.append(NodeSpec(nid, label, _value_spec(n["key"], f"{where}.key"), props,
                                  _as_list(n.get("when"))))
        if not nodes:
            raise MappingError(f"{name}: 'nodes' must list at least one node")
        by_id = {n.id: n for n in nodes}
        rels = []
        for i, r in enumerate(data.get("relationships") or []):
            where = f"{name}: relationships[{i}]"
            s, e = r.get("from"), r.get("to")
            if s not in by_id or e not in by_id:
                raise MappingError(f"{where}: 'from'/'to' must name node ids {sorted(by_id)}")
            try:
                rt = ontology.check_pair(r.get("type"), by_id[s].label, by_id[e].label)
            except ValueError as ex:
                raise MappingError(f"{where}: {ex}") from ex
            props = {}
            for p, spec in (r.get("props") or {}).items():
                if p not in rt.props:
                    raise MappingError(f"{where}: property [:{rt.type}].{p} is not in the ontology")
                props[p] = _value_spec(spec, f"{where}.props.{p}")
            rels.append(RelSpec(rt.type, s, e, props, _as_list(r.get("when"))))
        checks = dict(data.get("checks") or {})
        for col, chk in checks.items():
            cname = chk if isinstance(chk, str) else (chk or {}).get("check")
            if cname and cname not in validators.CHECKS:
                raise MappingError(f"{name}: checks.{col}: unknown check {cname!r} "
                                   f"(known: {sorted(validators.CHECKS)})")
            if not cname and not (isinstance(chk, Mapping) and "in" in chk):
                raise MappingError(f"{name}: checks.{col}: give a check name or {{in: [...]}}")
        fmt = data.get("format")
        if fmt not in (None, "csv", "jsonl"):
            raise MappingError(f"{name}: format must be csv or jsonl, got {fmt!r}")
        rk = data.get("record_key")
        return Mapping_(
            name=name, source=str(data.get("source") or name), format=fmt,
            columns=_as_list(data.get("columns")), required=_as_list(data.get("required")),
            record_key=_value_spec(rk, f"{name}.record_key") if rk else None,
            seen_at=data.get("seen_at"), checks=checks, nodes=nodes, relationships=rels,
            encoding=str(data.get("encoding") or "utf-8"),
            sensitive=_as_list(data.get("sensitive")))
    except MappingError:
        raise
    except (AttributeError, TypeError) as e:
        raise MappingError(f"{name}: malformed mapping ({e})") from e


def load_mapping(path: str | Path) -> Mapping_:
    p = Path(path)
    if not p.exists() and not p.suffix:
        p = Path(__file__).parent / "mappings" / f"{path}.yaml"
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise MappingError(f"mapping file not found: {path}") from e
    except yaml.YAMLError as e:
        raise MappingError(f"{path}: not valid YAML ({e})") from e
    m = parse_mapping(data, p.stem)
    m.path = str(p)
    return m


def builtin_mapping(name: str) -> Mapping_:
    return load_mapping(Path(__file__).parent / "mappings" / f"{name}.yaml")

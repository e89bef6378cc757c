"""One source row -> the node and relationship records its mapping describes, or the faults
that quarantine it (required columns, the mapping's checks, an optional row check, type
conversion)."""

from __future__ import annotations

from typing import Any, Callable, Mapping

from graph import ontology
from graph.base import NodeRecord, RelRecord
from ingest import validators
from ingest.exceptions import ValidationError
from ingest.mapping import Mapping_
from ingest.values import convert, eval_spec, get_value, is_blank

RowCheck = Callable[[dict[str, Any]], list[ValidationError]]


class RowTransformer:
    """Turns one source row into node and relationship records, or a list of faults."""

    def __init__(self, mapping: Mapping_, *, secret: bytes | None = None,
                 row_check: RowCheck | None = None, today=None):
        self.m = mapping
        self.secret = secret
        self.row_check = row_check
        self.today = today
        self._checks = []
        for col, chk in mapping.checks.items():
            if isinstance(chk, str):
                self._checks.append((col, validators.CHECKS[chk], None))
            elif "check" in chk:
                self._checks.append((col, validators.CHECKS[chk["check"]], None))
            else:
                self._checks.append((col, None, {str(x) for x in chk["in"]}))
        self._node_types = {n.id: ontology.NODE_TYPES[n.label] for n in mapping.nodes}
        self._rel_types = [ontology.REL_TYPES[r.type] for r in mapping.relationships]

    def record_key(self, row: Mapping[str, Any], line: int) -> str:
        if self.m.record_key is None:
            return f"line:{line}"
        k = eval_spec(self.m.record_key, row, None)
        return str(k) if k is not None else f"line:{line}"

    def __call__(self, row: dict[str, Any]
                 ) -> tuple[list[NodeRecord], list[RelRecord], str | None] | list[ValidationError]:
        errs: list[ValidationError] = []
        for col in self.m.required:
            if is_blank(get_value(row, col)):
                errs.append(ValidationError(col, get_value(row, col), "required field is missing"))
        work = dict(row)
        for col, fn, allowed in self._checks:
            v = get_value(row, col)
            if is_blank(v):
                continue
            try:
                if allowed is not None:
                    if str(v).strip() not in allowed:
                        raise ValidationError(col, v, f"must be one of {sorted(allowed)}")
                    work[col] = str(v).strip()
                elif fn is validators.check_date:
                    work[col] = fn(v, col, today=self.today)
                else:
                    work[col] = fn(v, col)
            except ValidationError as e:
                errs.append(e)
        if not errs and self.row_check is not None:
            errs.extend(self.row_check(work))
        if errs:
            return errs
        seen_at = None
        if self.m.seen_at and not is_blank(get_value(work, self.m.seen_at)):
            try:
                seen_at = convert("datetime", get_value(work, self.m.seen_at), self.m.seen_at)
            except ValidationError as e:
                return [e]
        nodes: list[NodeRecord] = []
        keys: dict[str, tuple[str, str]] = {}
        source = ""
        try:
            for spec in self.m.nodes:
                if any(is_blank(get_value(work, c)) for c in spec.when):
                    continue
                key = eval_spec(spec.key, work, self.secret)
                if is_blank(key):
                    continue
                nt = self._node_types[spec.id]
                props = {}
                for p, vs in spec.props.items():
                    val = convert(nt.props[p], eval_spec(vs, work, self.secret),
                                  vs.column or p)
                    if val is not None:
                        props[p] = val
                keys[spec.id] = (spec.label, str(key))
                nodes.append(NodeRecord(spec.label, str(key), props, source, seen_at))
            rels: list[RelRecord] = []
            for spec, rt in zip(self.m.relationships, self._rel_types):
                if spec.start not in keys or spec.end not in keys:
                    continue
                if any(is_blank(get_value(work, c)) for c in spec.when):
                    continue
                props = {}
                for p, vs in spec.props.items():
                    val = convert(rt.props[p], eval_spec(vs, work, self.secret), vs.column or p)
                    if val is not None:
                        props[p] = val
                if rt.time_bearing and "at" not in props and seen_at:
                    props["at"] = seen_at
                (sl, sk), (el, ek) = keys[spec.start], keys[spec.end]
                rels.append(RelRecord(spec.type, sl, sk, el, ek, props, source, seen_at))
        except ValidationError as e:
            return [e]
        except (TypeError, ValueError, AttributeError) as e:  # e.g. a JSON number where text
            return [ValidationError("_row", None, f"value cannot be converted ({e})")]
        return nodes, rels, seen_at

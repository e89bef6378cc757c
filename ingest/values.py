"""Evaluating a mapping on a row: value specs (column, constant, template, transform), the
transforms (normalisation, keyed hashes of identity numbers and phones, mention digests) and
the conversion of a source value to its ontology type."""

from __future__ import annotations

import hashlib
import hmac as _hmac
from typing import TYPE_CHECKING, Any, Callable, Mapping

from ingest import normalise, validators
from ingest.exceptions import ValidationError

if TYPE_CHECKING:
    from ingest.mapping import ValueSpec


def hmac_id(value: str, secret: bytes) -> str:
    """Keyed hash of a personal identity number: 'H:' + 32 hex chars. Same key -> same hash."""
    return "H:" + _hmac.new(secret, value.strip().upper().encode(), hashlib.sha256).hexdigest()[:32]


def _phone(v: str) -> str:
    return normalise.normalise_phone(v)


def mention_digest(text: str) -> str:
    """Stable 16-hex digest of a free-text mention (normalised first): the key of a mention
    node such as a consignee named on a bill of lading."""
    return hashlib.sha1(normalise.normalise_text(text).lower().encode()).hexdigest()[:16]


TRANSFORMS: dict[str, Callable[[str], Any]] = {
    "upper": lambda v: v.upper(), "lower": lambda v: v.lower(), "strip": lambda v: v.strip(),
    "text": normalise.normalise_text,
    "company_name": normalise.normalise_company_name, "company_key": normalise.company_key,
    "address": normalise.normalise_address, "address_key": normalise.address_key,
    "phone": _phone, "mask_phone": lambda v: normalise.mask_phone(_phone(v)),
    "mask_name": normalise.mask_name,
    "hs6": lambda v: v[:6], "hs_chapter": lambda v: v[:2], "hs_heading": lambda v: v[:4],
    "list": lambda v: [x for x in v.split("|") if x],
    "digest": mention_digest,
    "hit01": lambda v: 1 if str(v).strip().lower() in ("hit", "1", "true", "yes", "查获") else 0,
    "hmac": None,  # keyed hash with the settings' secret (identity numbers)
    "phone_hmac": None,  # E.164 first, then the keyed hash (personal phones)
}


def get_value(row: Mapping[str, Any], col: str) -> Any:
    if col in row:
        return row[col]
    cur: Any = row
    for part in col.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return None
        cur = cur[part]
    return cur


def is_blank(v: Any) -> bool:
    if v is None:
        return True
    return v.__class__ is str and (not v or v.isspace())


def eval_spec(spec: ValueSpec, row: Mapping[str, Any], secret: bytes | None) -> Any:
    if spec.const is not None:
        return spec.const
    if spec.template is not None:
        vals = []
        for c in spec._cols:
            v = get_value(row, c)
            if is_blank(v):
                if not spec.allow_blank:
                    return None
                v = ""
            vals.append(v)
        out = spec._fmt.format(*vals)
    else:
        out = get_value(row, spec.column)
        if is_blank(out):
            return None
    if spec.transform:
        if spec.transform in ("hmac", "phone_hmac"):
            if secret is None:
                raise ValidationError(spec.column or "?", "***", "no HMAC key configured")
            out = hmac_id(_phone(str(out)) if spec.transform == "phone_hmac" else str(out),
                          secret)
        else:
            out = TRANSFORMS[spec.transform](out if not isinstance(out, str) else out.strip())
    return f"{spec.prefix}{out}" if spec.prefix else out


_TRUE = {"1", "true", "yes", "y", "t", "是"}
_FALSE = {"0", "false", "no", "n", "f", "否", ""}


def convert(kind: str, value: Any, field_name: str) -> Any:
    """Convert a source value to the ontology type ``kind``; ValidationError if impossible."""
    if value is None:
        return None
    try:
        if kind == "str":
            return value if isinstance(value, str) else str(value)
        if kind == "float":
            return float(value)
        if kind == "int":
            f = float(value)
            if f != int(f):
                raise ValueError
            return int(f)
        if kind == "bool":
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in _TRUE:
                return True
            if s in _FALSE:
                return False
            raise ValueError
        if kind == "date":
            return validators.check_date(value, field_name)
        if kind == "datetime":
            s = str(value)
            return s if "T" in s else validators.check_date(s, field_name) + "T00:00:00Z"
        if kind.startswith("list["):
            if isinstance(value, (list, tuple)):
                return [str(x) for x in value]
            return [x for x in str(value).split("|") if x]
    except ValidationError:
        raise
    except (TypeError, ValueError):
        raise ValidationError(field_name, value, f"cannot be read as {kind}") from None
    return value

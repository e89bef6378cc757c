"""Field validators. Each ``check_*`` returns the canonical value or raises
``ingest.exceptions.ValidationError(field, value, reason)``; each ``is_*`` returns a bool;
``CHECKS`` maps the names a mapping's ``checks:`` uses to them.

Identifiers (USCC GB 32100, customs codes, ISO 6346 containers, IMO, MMSI, GA 36 plates,
GB 11643 identity numbers) live in ``ingest.identifiers`` and are re-exported here; this
module adds HS (6/8/10 digits, known chapter), ISO 3166-1 alpha-2, ISO 4217, dates, amounts
and required keys.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Iterable, Mapping

from graph.clock import utc_now
from ingest.codes import HS_CHAPTERS, ISO3166_ALPHA2, ISO4217
from ingest.exceptions import ValidationError
from ingest.identifiers import (PROVINCES, USCC_ALPHABET, as_predicate, check_cn_id,  # noqa: F401
                                check_cn_id_claimed, check_container, check_customs_code,
                                check_imo, check_mmsi, check_plate, check_uscc, clean_code,
                                cn_id_birth_date, cn_id_check_char, cn_id_status,
                                container_check_digit, imo_check_digit, is_valid_cn_id,
                                uscc_check_char)
from ingest.normalise import to_halfwidth


# -- HS codes, countries, currencies ---------------------------------------------------------
def check_hs(value: Any, field: str = "hs_code", *, allow_national: bool = False) -> str:
    s = re.sub(r"[\s.]", "", str(value if value is not None else ""))
    if not re.fullmatch(r"\d{6}|\d{8}|\d{10}", s):
        raise ValidationError(field, value, "HS code must be 6, 8 or 10 digits")
    if s[:2] not in HS_CHAPTERS and not (allow_national and s[:2] in ("98", "99")):
        raise ValidationError(field, value, f"HS chapter {s[:2]} does not exist")
    return s


def hs_parts(hs: str) -> dict[str, str]:
    return {"hs6": hs[:6], "chapter": hs[:2], "heading": hs[:4]}


def check_country(value: Any, field: str = "country") -> str:
    s = clean_code(value)
    if s not in ISO3166_ALPHA2:
        raise ValidationError(field, value, "not an ISO 3166-1 alpha-2 country code")
    return s


def check_currency(value: Any, field: str = "currency") -> str:
    s = clean_code(value)
    if s not in ISO4217:
        raise ValidationError(field, value, "not an ISO 4217 currency code")
    return s


# -- dates, amounts, required keys -----------------------------------------------------------
MIN_DATE = date(1990, 1, 1)
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M:%S", "%Y年%m月%d日")


def check_date(value: Any, field: str = "date", *, today: date | None = None,
               min_date: date = MIN_DATE) -> str:
    """Parse to ISO ``YYYY-MM-DD``; refuse unparseable, future and pre-1990 dates."""
    if isinstance(value, datetime):
        d = value.date()
    elif isinstance(value, date):
        d = value
    else:
        d = _parse_date(str(value if value is not None else ""))
        if d is None:
            raise ValidationError(field, value, "date is not parseable (expected YYYY-MM-DD)")
    today = today or utc_now().date()
    if d > today:
        raise ValidationError(field, value, f"date is in the future (after {today.isoformat()})")
    if d < min_date:
        raise ValidationError(field, value, f"date is before {min_date.isoformat()}")
    return d.isoformat()


@lru_cache(maxsize=65536)
def _parse_date(raw: str) -> date | None:
    if len(raw) == 10 and raw[4] == "-" and raw[7] == "-":
        try:
            return date.fromisoformat(raw)
        except ValueError:
            pass
    if True:
        s = to_halfwidth(raw).strip()
        d = None
        if s.endswith("Z") or "+" in s[10:]:
            try:
                d = datetime.fromisoformat(s.replace("Z", "+00:00")).date()
            except ValueError:
                d = None
        for fmt in _DATE_FORMATS if d is None else ():
            try:
                d = datetime.strptime(s, fmt).date()
                break
            except ValueError:
                continue
        return d


def check_amount(value: Any, field: str = "amount") -> float:
    """A finite, non-negative number (amounts, masses, quantities)."""
    if isinstance(value, bool):
        raise ValidationError(field, value, "expected a number, got a boolean")
    try:
        x = float(str(value).replace(",", "").strip()) if not isinstance(value, (int, float)) \
            else float(value)
    except (TypeError, ValueError):
        raise ValidationError(field, value, "not a number") from None
    if not math.isfinite(x):
        raise ValidationError(field, value, "not a finite number")
    if x < 0:
        raise ValidationError(field, value, "must not be negative")
    return x


_DECL_NO = re.compile(r"^[0-9]{18}$")


def check_declaration_no(value: Any, field: str = "decl_id") -> str:
    """A customs declaration number (报关单号): 18 digits (full-width digits and spaces
    tolerated)."""
    s = re.sub(r"\s+", "", to_halfwidth(str(value)))
    if not _DECL_NO.match(s):
        raise ValidationError(field, value, "declaration number (报关单号) must be 18 digits")
    return s


def check_required(record: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Every key present with a non-blank value; raises for the first missing one."""
    for k in keys:
        v = record.get(k)
        if v is None or (isinstance(v, str) and not v.strip()) or (
                isinstance(v, float) and math.isnan(v)):
            raise ValidationError(k, v, "required field is missing")


def _check_phone(value: Any, field: str) -> str:
    from ingest.normalise import normalise_phone

    try:
        return normalise_phone(str(value))
    except ValidationError as e:
        raise ValidationError(field, value, e.reason) from None


is_valid_uscc = as_predicate(check_uscc)
is_valid_customs_code = as_predicate(check_customs_code)
is_valid_container = as_predicate(check_container)
is_valid_imo = as_predicate(check_imo)
is_valid_mmsi = as_predicate(check_mmsi)
is_valid_plate = as_predicate(check_plate)
is_valid_hs = as_predicate(check_hs)
is_valid_country = as_predicate(check_country)
is_valid_currency = as_predicate(check_currency)

CHECKS = {
    "cn_id": check_cn_id, "cn_id_claimed": check_cn_id_claimed, "phone": lambda v, field="phone": _check_phone(v, field),
    "uscc": check_uscc, "customs_code": check_customs_code, "container": check_container,
    "imo": check_imo, "mmsi": check_mmsi, "plate": check_plate, "hs": check_hs,
    "country": check_country, "currency": check_currency, "date": check_date,
    "amount": check_amount, "declaration_no": check_declaration_no,
}

"""Field validators. Each ``check_*`` returns the canonical value or raises
``ingest.exceptions.ValidationError(field, value, reason)``; each ``is_*`` returns a bool.

Standards: GB 32100-2015 (USCC check character: weights 3^i mod 31 over the 31-character
alphabet without I, O, S, V, Z); ISO 6346 (container owner code, category, serial, check
digit: letters valued 10..38 skipping multiples of 11, weights 2^i, sum mod 11 mod 10);
IMO ship number (7 digits, check = sum(d_i * (7-i)) mod 10); MMSI (9 digits, ship station
MID 201-775); GA 36-2018 plates (7 characters, 8 for new-energy); HS (6/8/10 digits, known
chapter); ISO 3166-1 alpha-2; ISO 4217.
"""

from __future__ import annotations

import math
from functools import lru_cache
import re
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from graph.clock import utc_now
from ingest.codes import HS_CHAPTERS, ISO3166_ALPHA2, ISO4217
from ingest.exceptions import ValidationError
from ingest.normalise import to_halfwidth

# -- USCC (GB 32100-2015) ------------------------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VAL = {c: i for i, c in enumerate(USCC_ALPHABET)}
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1 3 9 27 19 26 16 17 20 29 25 ...
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters."""
    total = sum(_USCC_VAL[c] * w for c, w in zip(first17, USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def check_uscc(value: Any, field: str = "uscc") -> str:
    s = _clean_code(value)
    if len(s) != 18:
        raise ValidationError(field, value, f"USCC must have 18 characters, got {len(s)}")
    if not _USCC_RE.match(s):
        raise ValidationError(field, value, "USCC has characters outside GB 32100 "
                                            "(digits and capitals without I, O, S, V, Z)")
    want = uscc_check_char(s[:17])
    if s[17] != want:
        raise ValidationError(field, value, f"USCC check character is {s[17]!r}, "
                                            f"GB 32100 gives {want!r}")
    return s


# -- customs registration code (海关注册编码, 10 characters) ----------------------------------
_CUSTOMS_RE = re.compile(r"^\d{4}[0-9A-Z]\d[0-9A-Z]\d{3}$")


def check_customs_code(value: Any, field: str = "customs_code") -> str:
    """10 characters: 4-digit customs area, 1 economic-zone character, 1 enterprise-type
    digit, 1 nature character, 3-digit sequence (e.g. 4403960ABC is refused; 4403960001 ok)."""
    s = _clean_code(value)
    if len(s) != 10:
        raise ValidationError(field, value, f"customs code must have 10 characters, got {len(s)}")
    if not _CUSTOMS_RE.match(s):
        raise ValidationError(field, value, "customs code must be 4 digits, a zone character, "
                                            "a type digit, a nature character and 3 digits")
    return s


# -- ISO 6346 containers ---------------------------------------------------------------------
def _iso6346_letter_values() -> dict[str, int]:
    vals, v = {}, 10
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
        if v % 11 == 0:
            v += 1
        vals[c] = v
        v += 1
    return vals


_ISO6346_VAL = {**{str(d): d for d in range(10)}, **_iso6346_letter_values()}
_CONTAINER_RE = re.compile(r"^[A-Z]{3}[UJZ]\d{6}\d$")


def container_check_digit(first10: str) -> int:
    total = sum(_ISO6346_VAL[c] * (1 << i) for i, c in enumerate(first10))
    return total % 11 % 10


def check_container(value: Any, field: str = "container") -> str:
    s = _clean_code(value)
    if not _CONTAINER_RE.match(s):
        raise ValidationError(field, value, "ISO 6346 number must be 3-letter owner code, "
                                            "category U/J/Z, 6-digit serial, check digit")
    want = container_check_digit(s[:10])
    if int(s[10]) != want:
        raise ValidationError(field, value, f"ISO 6346 check digit is {s[10]}, expected {want}")
    return s


# -- IMO and MMSI ----------------------------------------------------------------------------
def imo_check_digit(first6: str) -> int:
    return sum(int(d) * (7 - i) for i, d in enumerate(first6)) % 10


def check_imo(value: Any, field: str = "imo") -> str:
    s = _clean_code(value)
    if s.startswith("IMO"):
        s = s[3:]
    if not re.fullmatch(r"\d{7}", s):
        raise ValidationError(field, value, "IMO number must be 7 digits")
    want = imo_check_digit(s[:6])
    if int(s[6]) != want:
        raise ValidationError(field, value, f"IMO check digit is {s[6]}, expected {want}")
    return s


def check_mmsi(value: Any, field: str = "mmsi") -> str:
    s = _clean_code(value)
    if not re.fullmatch(r"\d{9}", s):
        raise ValidationError(field, value, "MMSI must be 9 digits")
    if not 201 <= int(s[:3]) <= 775:
        raise ValidationError(field, value, f"MMSI maritime identification digits {s[:3]} "
                                            "are not a ship station MID (201-775)")
    return s


# -- Chinese plates (GA 36-2018) -------------------------------------------------------------
PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_L = "A-HJ-NP-Z"  # letters without I and O
_PLATE_RE = re.compile(
    rf"^[{PROVINCES}][{_L}]("
    rf"[{_L}0-9]{{4}}[{_L}0-9挂学警港澳领试超]"          # 7-character ordinary plates
    rf"|[DABCEFGHJK][{_L}0-9]\d{{4}}"                   # 8-character small new-energy
    rf"|\d{{5}}[DABCEFGHJK]"                            # 8-character large new-energy
    rf")$")


def check_plate(value: Any, field: str = "plate") -> str:
    s = re.sub(r"[\s·•\-.]", "", to_halfwidth(str(value or ""))).upper()
    if len(s) not in (7, 8):
        raise ValidationError(field, value, f"plate must have 7 characters (8 for new-energy), "
                                            f"got {len(s)}")
    if not _PLATE_RE.match(s):
        raise ValidationError(field, value, "not a GA 36 plate: province abbreviation, letter, "
                                            "5 characters (new-energy: D/F... 6 characters)")
    return s


# -- resident identity numbers (GB 11643-1999) ----------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def cn_id_check_char(first17: str) -> str:
    return _ID_CHECK[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS)) % 11]


def check_cn_id(value: Any, field: str = "id_number") -> str:
    """18-character resident identity number with its ISO 7064 MOD 11-2 check character."""
    s = _clean_code(value)
    if not re.fullmatch(r"\d{17}[\dX]", s):
        raise ValidationError(field, "***", "identity number must be 17 digits and a digit or X")
    if s[17] != cn_id_check_char(s[:17]):
        raise ValidationError(field, "***", "identity number check character is wrong")
    return s


def cn_id_status(value: Any) -> str:
    """'valid', 'invalid' (present but fails GB 11643: shape or MOD 11-2 check character) or
    'missing'. A single mistyped digit or two swapped adjacent digits always fail the check
    (11 is prime and every weight is non-zero mod 11), so 'invalid' means "this id was
    mistyped", never "this is another person's id"."""
    if value is None or not str(value).strip():
        return "missing"
    return "valid" if is_valid_cn_id(value) else "invalid"


def cn_id_birth_date(value: Any) -> date:
    """Birth date encoded in a valid identity number (characters 7-14, YYYYMMDD)."""
    s = check_cn_id(value)
    try:
        return date(int(s[6:10]), int(s[10:12]), int(s[12:14]))
    except ValueError:
        raise ValidationError("id_number", "***", "identity number birth date is not a date") \
            from None


def check_cn_id_claimed(value: Any, field: str = "id_number") -> str:
    """An identity number as recorded by a third party (a driver on a road manifest, a legal
    representative on a customs registration): the canonical id when it passes GB 11643,
    otherwise blank. The record is kept - the person is still named, with a phone - but an
    invalid id is not a key: a mistyped id must not create a second person, so the record is
    left to entity resolution (name, phone, context). Never raises."""
    return check_cn_id(value, field) if cn_id_status(value) == "valid" else ""


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
    s = _clean_code(value)
    if s not in ISO3166_ALPHA2:
        raise ValidationError(field, value, "not an ISO 3166-1 alpha-2 country code")
    return s


def check_currency(value: Any, field: str = "currency") -> str:
    s = _clean_code(value)
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


def check_required(record: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Every key present with a non-blank value; raises for the first missing one."""
    for k in keys:
        v = record.get(k)
        if v is None or (isinstance(v, str) and not v.strip()) or (
                isinstance(v, float) and math.isnan(v)):
            raise ValidationError(k, v, "required field is missing")


def _clean_code(value: Any) -> str:
    return re.sub(r"[\s\-]", "", to_halfwidth(str(value if value is not None else ""))).upper()


def _check_phone(value: Any, field: str) -> str:
    from ingest.normalise import normalise_phone

    try:
        return normalise_phone(str(value))
    except ValidationError as e:
        raise ValidationError(field, value, e.reason) from None


def _as_bool(fn):
    def is_valid(value: Any) -> bool:
        try:
            fn(value)
            return True
        except ValidationError:
            return False
    is_valid.__name__ = fn.__name__.replace("check_", "is_valid_")
    is_valid.__doc__ = f"True when ``{fn.__name__}`` accepts the value."
    return is_valid


is_valid_uscc = _as_bool(check_uscc)
is_valid_customs_code = _as_bool(check_customs_code)
is_valid_container = _as_bool(check_container)
is_valid_imo = _as_bool(check_imo)
is_valid_mmsi = _as_bool(check_mmsi)
is_valid_plate = _as_bool(check_plate)
is_valid_hs = _as_bool(check_hs)
is_valid_country = _as_bool(check_country)
is_valid_currency = _as_bool(check_currency)

is_valid_cn_id = _as_bool(check_cn_id)

CHECKS = {
    "cn_id": check_cn_id, "cn_id_claimed": check_cn_id_claimed, "phone": lambda v, field="phone": _check_phone(v, field),
    "uscc": check_uscc, "customs_code": check_customs_code, "container": check_container,
    "imo": check_imo, "mmsi": check_mmsi, "plate": check_plate, "hs": check_hs,
    "country": check_country, "currency": check_currency, "date": check_date,
    "amount": check_amount,
}

"""Identifier validators: each ``check_*`` returns the canonical value or raises
``ingest.exceptions.ValidationError(field, value, reason)``.

Check digits come from ``python-stdnum`` (``cn.uscc`` GB 32100, ``iso6346``, ``imo``,
``cn.ric`` GB 11643); the shapes, the reasons a quarantined row carries, and the rules stdnum
has no module for are ours: customs registration codes, MMSI ship-station MIDs, GA 36 plates.
Where stdnum's own ``validate`` is stricter or looser than our shape rules we keep ours
(``tests/ingest/test_ingest_identifiers.py`` lists the cases):
  * USCC: stdnum wants digits in the first two positions (registration authority and kind);
    GB 32100 allows letters there (e.g. ``N`` / ``Y`` authorities), so do we.
  * ISO 6346: stdnum also accepts category ``R`` and any word character in the owner code;
    we keep owner = 3 letters, category U/J/Z.
  * GB 11643: stdnum also checks the birth date and that the region code existed in the
    birth year (``cn.ric.validate``); a resident id is a key here, so only its shape and
    check character decide (``cn_id_birth_date`` reads the date when it is wanted).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Callable

from stdnum import imo as _imo
from stdnum import iso6346 as _iso6346
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc

from ingest.exceptions import ValidationError
from ingest.normalise import to_halfwidth


def clean_code(value: Any) -> str:
    """Half-width, upper case, without spaces and hyphens."""
    return re.sub(r"[\s\-]", "", to_halfwidth(str(value if value is not None else ""))).upper()


def as_predicate(fn: Callable[..., Any]) -> Callable[[Any], bool]:
    """``is_valid_x`` for a ``check_x``: True when it accepts the value."""
    def is_valid(value: Any) -> bool:
        try:
            fn(value)
            return True
        except ValidationError:
            return False
    is_valid.__name__ = fn.__name__.replace("check_", "is_valid_")
    is_valid.__doc__ = f"True when ``{fn.__name__}`` accepts the value."
    return is_valid


# -- USCC (GB 32100-2015) ------------------------------------------------------------------
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
_USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters (weights 3^i mod 31)."""
    return _uscc.calc_check_digit(first17)


def check_uscc(value: Any, field: str = "uscc") -> str:
    s = clean_code(value)
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
    s = clean_code(value)
    if len(s) != 10:
        raise ValidationError(field, value, f"customs code must have 10 characters, got {len(s)}")
    if not _CUSTOMS_RE.match(s):
        raise ValidationError(field, value, "customs code must be 4 digits, a zone character, "
                                            "a type digit, a nature character and 3 digits")
    return s


# -- ISO 6346 containers ---------------------------------------------------------------------
_CONTAINER_RE = re.compile(r"^[A-Z]{3}[UJZ]\d{6}\d$")


def container_check_digit(first10: str) -> int:
    """ISO 6346: letters valued 10..38 skipping multiples of 11, weights 2^i, mod 11 mod 10."""
    return int(_iso6346.calc_check_digit(first10))


def check_container(value: Any, field: str = "container") -> str:
    s = clean_code(value)
    if not _CONTAINER_RE.match(s):
        raise ValidationError(field, value, "ISO 6346 number must be 3-letter owner code, "
                                            "category U/J/Z, 6-digit serial, check digit")
    want = container_check_digit(s[:10])
    if int(s[10]) != want:
        raise ValidationError(field, value, f"ISO 6346 check digit is {s[10]}, expected {want}")
    return s


# -- IMO and MMSI ----------------------------------------------------------------------------
def imo_check_digit(first6: str) -> int:
    """IMO ship number: sum(d_i * (7 - i)) mod 10."""
    return int(_imo.calc_check_digit(first6))


def check_imo(value: Any, field: str = "imo") -> str:
    s = clean_code(value)
    if s.startswith("IMO"):
        s = s[3:]
    if not re.fullmatch(r"\d{7}", s):
        raise ValidationError(field, value, "IMO number must be 7 digits")
    want = imo_check_digit(s[:6])
    if int(s[6]) != want:
        raise ValidationError(field, value, f"IMO check digit is {s[6]}, expected {want}")
    return s


def check_mmsi(value: Any, field: str = "mmsi") -> str:
    s = clean_code(value)
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
def cn_id_check_char(first17: str) -> str:
    """The ISO 7064 MOD 11-2 check character of the first 17 digits."""
    return _ric.calc_check_digit(first17 + "0")  # stdnum takes the number with a check slot


def check_cn_id(value: Any, field: str = "id_number") -> str:
    """18-character resident identity number with its ISO 7064 MOD 11-2 check character."""
    s = clean_code(value)
    if not re.fullmatch(r"\d{17}[\dX]", s):
        raise ValidationError(field, "***", "identity number must be 17 digits and a digit or X")
    if s[17] != cn_id_check_char(s[:17]):
        raise ValidationError(field, "***", "identity number check character is wrong")
    return s


is_valid_cn_id = as_predicate(check_cn_id)


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

"""Text normalisation for matching and storage: full/half width, whitespace, punctuation,
company-name suffixes (有限公司 / 有限责任公司 / Co., Ltd. ...), addresses, phones to E.164.

``normalise_*`` functions return a cleaned display form; ``*_key`` functions return an
aggressive matching key (no suffix, no punctuation, no spaces, lower case) for blocking and
similarity in entity resolution.
"""

from __future__ import annotations

import re
import unicodedata

_FULL_TO_HALF = {i: i - 0xFEE0 for i in range(0xFF01, 0xFF5F)}
_FULL_TO_HALF[0x3000] = 0x20  # ideographic space
_CJK_PUNCT = str.maketrans({"。": ".", "、": ",", "【": "[", "】": "]", "「": '"', "」": '"',
                            "『": '"', "』": '"', "“": '"', "”": '"', "‘": "'", "’": "'",
                            "《": "<", "》": ">", "—": "-", "–": "-", "·": " "})


def to_halfwidth(s: str) -> str:
    """Full-width ASCII (ＡＢＣ１２３（）) and the ideographic space to half-width."""
    return s.translate(_FULL_TO_HALF) if s else s


def normalise_whitespace(s: str) -> str:
    """Every run of whitespace (incl. NBSP, ideographic space, zero-width) to one space."""
    s = re.sub(r"[\u200b\u200c\u200d\ufeff]", "", s or "")
    return re.sub(r"\s+", " ", s.replace("\u00a0", " ").replace("\u3000", " ")).strip()


def normalise_text(s: str | None) -> str:
    """Half-width, NFC, CJK punctuation to ASCII, one space between words."""
    if s is None:
        return ""
    s = unicodedata.normalize("NFC", to_halfwidth(str(s))).translate(_CJK_PUNCT)
    return normalise_whitespace(s)


def strip_punctuation(s: str) -> str:
    """Remove punctuation and symbols (Unicode categories P* and S*), keep letters/digits/spaces."""
    return normalise_whitespace("".join(
        " " if unicodedata.category(c)[0] in "PS" else c for c in (s or "")))


# -- company names --------------------------------------------------------------------------
# longest first; each maps to the canonical suffix shown in display names
_CN_SUFFIXES = [
    ("股份有限公司", "股份有限公司"), ("有限责任公司", "有限公司"), ("有限公司", "有限公司"),
    ("集团公司", "集团公司"), ("公司", "公司"),
]
_EN_SUFFIX_RE = re.compile(
    r"[\s,.]*(company\s+limited|co\s*[.,]?\s*,?\s*ltd|co\s*[.,]?\s*limited|limited|ltd|"
    r"l\s*\.?\s*l\s*\.?\s*c|inc(orporated)?|corp(oration)?|gmbh|s\.?a\.?|b\.?v\.?|pte|"
    r"plc|co)\s*\.?\s*$", re.I)
_EN_CANON = {"company limited": "Co., Ltd.", "limited": "Ltd.", "ltd": "Ltd.", "llc": "LLC",
             "inc": "Inc.", "incorporated": "Inc.", "corp": "Corp.", "corporation": "Corp.",
             "gmbh": "GmbH", "sa": "S.A.", "bv": "B.V.", "pte": "Pte.", "plc": "PLC", "co": "Co."}


def split_company_suffix(name: str) -> tuple[str, str]:
    """(stem, canonical suffix). '上海某某贸易有限责任公司' -> ('上海某某贸易', '有限公司');
    'ACME Trading Co.,Ltd' -> ('ACME Trading', 'Co., Ltd.')."""
    s = normalise_text(name)
    for suf, canon in _CN_SUFFIXES:
        if s.endswith(suf):
            return s[: -len(suf)].strip(), canon
    stem, parts = s, []
    for _ in range(3):  # "... Pte. Ltd." / "... Co., Ltd."
        m = _EN_SUFFIX_RE.search(stem)
        if not m or m.start() == 0:
            break
        word = re.sub(r"[\s.,]+", " ", m.group(1).lower()).strip()
        if re.fullmatch(r"co\s*(ltd|limited)", word):
            word = "company limited"
        word = word.replace(" ", "") if word.replace(" ", "") in ("llc", "sa", "bv") else word
        parts.insert(0, _EN_CANON.get(word, word))
        stem = stem[: m.start()].rstrip(" ,.")
    return stem.strip(), " ".join(parts)


def normalise_company_name(name: str | None) -> str:
    """Display form with one canonical suffix: '有限责任公司' -> '有限公司', 'Co.,Ltd' -> 'Co., Ltd.'."""
    stem, suffix = split_company_suffix(name or "")
    if not suffix:
        return stem
    sep = "" if re.search(r"[\u4e00-\u9fff]$", stem) or suffix[0] > "\u2e80" else " "
    return f"{stem}{sep}{suffix}"


def company_key(name: str | None) -> str:
    """Matching key: stem without suffix, punctuation, spaces; lower case."""
    stem, _ = split_company_suffix(name or "")
    stem = re.sub(r"\((中国|china)\)|（中国）", "", stem, flags=re.I)
    return strip_punctuation(stem).replace(" ", "").lower()


def person_name_key(name: str | None) -> str:
    return strip_punctuation(normalise_text(name)).replace(" ", "").lower()


# -- addresses ------------------------------------------------------------------------------
_ADDR_EN = [(r"\broad\b|\brd\b\.?", "road"), (r"\bstreet\b|\bst\b\.?", "street"),
            (r"\bavenue\b|\bave\b\.?", "avenue"), (r"\bbuilding\b|\bbldg\b\.?", "building"),
            (r"\bnumber\b|\bno\b\.?", "no"), (r"\bdistrict\b|\bdist\b\.?", "district"),
            (r"\broom\b|\brm\b\.?", "room"), (r"\bfloor\b|\bfl\b\.?", "floor")]
_ADDR_PREFIX = re.compile(r"^(中华人民共和国|中国|china,?|p\.?r\.? ?china,?)\s*", re.I)


def normalise_address(addr: str | None) -> str:
    """Half-width, spaces, '中国'/'China' prefix dropped, English abbreviations expanded,
    '#'/'号' unified; lower-cased Latin. Chinese text keeps its characters."""
    s = normalise_text(addr).lower()
    s = _ADDR_PREFIX.sub("", s)
    for pat, rep in _ADDR_EN:
        s = re.sub(pat, rep, s)
    s = re.sub(r"(\d+)\s*#", r"\1号", s)
    s = re.sub(r"\s*([,，])\s*", ", ", s)
    return normalise_whitespace(s.strip(" ,."))


def address_key(addr: str | None) -> str:
    s = normalise_address(addr)
    return strip_punctuation(s).replace(" ", "")


_ADMIN = re.compile(r"^.{0,8}?(省|自治区)?.{0,6}?市|^.{1,8}?(新区|区|县|镇)")


def address_core(addr: str | None) -> str:
    """Street and number only: province/city/district prefixes and the floor/room after the
    number dropped ('上海市浦东新区张江路128号5楼' -> '张江路128号'), for fuzzy matching."""
    s = address_key(addr)
    for _ in range(3):
        m = _ADMIN.match(s)
        if not m or m.end() >= len(s):
            break
        s = s[m.end():]
    i = s.find("号")
    return s[: i + 1] if i > 0 else s


# major Chinese city names, stripped from company-name keys for a second comparison
CITY_PREFIXES = ("上海", "北京", "天津", "重庆", "深圳", "广州", "宁波", "青岛", "厦门", "大连",
                 "苏州", "东莞", "杭州", "南京", "武汉", "成都", "西安", "郑州", "长沙", "福州",
                 "佛山", "无锡", "合肥", "昆明", "南宁", "珠海", "中山", "烟台", "连云港", "舟山")


def strip_city(key: str) -> str:
    for c in CITY_PREFIXES:
        if key.startswith(c) and len(key) > len(c) + 1:
            return key[len(c):]
    return key


# -- phones ---------------------------------------------------------------------------------
_CC = {"CN": "86", "HK": "852", "MO": "853", "TW": "886", "KR": "82", "JP": "81", "US": "1",
       "SG": "65", "VN": "84", "DE": "49", "GB": "44"}


def normalise_phone(phone: str | None, default_country: str = "CN") -> str:
    """E.164 (``+8613812345678``). Accepts spaces, dashes, brackets, full-width digits,
    '00' or '+' international prefixes, Chinese trunk '0' and extensions ('转'/'ext')
    (dropped). Raises ``ValidationError`` when no valid number remains."""
    from ingest.exceptions import ValidationError

    raw = phone
    s = to_halfwidth(str(phone or "")).strip()
    s = re.split(r"(转|ext\.?|x)\s*\d+$", s, flags=re.I)[0]
    plus = s.startswith("+")
    digits = re.sub(r"\D", "", s)
    if not digits:
        raise ValidationError("phone", raw, "no digits")
    if plus:
        e164 = digits
    elif digits.startswith("00"):
        e164 = digits[2:]
    else:
        cc = _CC.get(default_country.upper(), "86")
        if cc == "86" and digits.startswith("86") and len(digits) in (13, 12, 11) and \
                not (len(digits) == 11 and digits[0] == "1"):
            e164 = digits
        elif cc == "86" and len(digits) == 11 and digits[0] == "1":
            e164 = cc + digits
        elif digits.startswith("0"):
            e164 = cc + digits[1:]
        else:
            e164 = cc + digits
    if e164.startswith("86"):
        nat = e164[2:]
        if nat.startswith("0"):
            nat = nat[1:]
            e164 = "86" + nat
        ok = (len(nat) == 11 and nat[0] == "1" and nat[1] in "3456789") or (
            nat[0] in "2345789" and 9 <= len(nat) <= 11)
        if not ok:
            raise ValidationError("phone", raw, "not a Chinese mobile (1[3-9]xxxxxxxxx) or "
                                                "area code + local number")
    if not 8 <= len(e164) <= 15:
        raise ValidationError("phone", raw, "E.164 numbers have 8 to 15 digits")
    return "+" + e164


def mask_phone(e164: str) -> str:
    """'+8613812345678' -> '+86138****5678'."""
    if not e164:
        return e164
    keep_head = 6 if e164.startswith("+86") else 4
    if len(e164) <= keep_head + 4:
        return e164[:2] + "*" * (len(e164) - 2)
    return e164[:keep_head] + "*" * (len(e164) - keep_head - 4) + e164[-4:]


def mask_name(name: str) -> str:
    """'张三丰' -> '张**'; 'John Smith' -> 'J*** S****'."""
    if not name:
        return name
    if re.search(r"[\u4e00-\u9fff]", name):
        return name[0] + "*" * (len(name) - 1)
    return " ".join(w[0] + "*" * (len(w) - 1) for w in name.split())

"""Chinese numerals (第一百二十三条) <-> integers."""

from __future__ import annotations

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
CN_NUM_CHARS = "零〇一二两三四五六七八九十百千万"


def cn_to_int(s: str) -> int:
    """``"一百零二"`` -> 102; ASCII/full-width digits are accepted too. ValueError if not a numeral."""
    s = s.strip()
    if not s:
        raise ValueError("empty numeral")
    if s.isdigit():
        return int(s)
    total, section, digit = 0, 0, None
    for ch in s:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch in _UNITS:
            unit = _UNITS[ch]
            if unit == 10000:
                total += (section + (digit or 0)) * unit
                section, digit = 0, None
            else:
                section += (1 if digit is None else digit) * unit
                digit = None
        else:
            raise ValueError(f"not a Chinese numeral: {s!r}")
    return total + section + (digit or 0)


def int_to_cn(n: int) -> str:
    """102 -> ``"一百零二"``; 10 -> ``"十"``; 15 -> ``"十五"`` (the form used in article numbers)."""
    if n < 0:
        raise ValueError("negative")
    if n == 0:
        return "零"
    digits = "零一二三四五六七八九"
    out: list[str] = []
    parts = [(1000, "千"), (100, "百"), (10, "十"), (1, "")]
    started = False
    zero = False
    for value, unit in parts:
        d = n // value % 10
        if d == 0:
            if started:
                zero = True
            continue
        if zero:
            out.append("零")
            zero = False
        if not (value == 10 and d == 1 and not started):
            out.append(digits[d])
        out.append(unit)
        started = True
    if n >= 10000:
        return int_to_cn(n // 10000) + "万" + ("零" if n % 10000 < 1000 and n % 10000 else "") + (
            int_to_cn(n % 10000) if n % 10000 else "")
    return "".join(out)


def article_label(num: int, suffix: int = 0) -> str:
    """(12, 0) -> 第十二条; (120, 1) -> 第一百二十条之一."""
    s = f"第{int_to_cn(num)}条"
    return s + (f"之{int_to_cn(suffix)}" if suffix else "")

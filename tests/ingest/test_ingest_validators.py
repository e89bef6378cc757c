"""Validators: HS codes, countries, currencies, dates, amounts, required keys (identifiers:
test_ingest_identifiers.py)."""

from datetime import date

import pytest

from ingest import validators as v
from ingest.exceptions import ValidationError

pytestmark = pytest.mark.unit


def test_hs_codes():
    assert v.check_hs("851712") == "851712"
    assert v.check_hs("8517.12.00") == "85171200"
    assert v.check_hs("8517120010") == "8517120010"
    assert v.hs_parts("8517120010") == {"hs6": "851712", "chapter": "85", "heading": "8517"}
    for bad, why in [("85171", "6, 8 or 10"), ("8517120", "6, 8 or 10"), ("77010100", "chapter 77"),
                     ("000000", "chapter 00"), ("990000", "chapter 99"), ("85A712", "6, 8 or 10")]:
        with pytest.raises(ValidationError, match=why):
            v.check_hs(bad)
    assert v.check_hs("980000", allow_national=True)


def test_country_and_currency():
    assert v.check_country("cn") == "CN"
    assert v.check_country("ZZ") == "ZZ"  # user-assigned "unknown", used by KCS
    assert not v.is_valid_country("XX")
    assert not v.is_valid_country("CHN")
    assert v.check_currency("usd") == "USD"
    assert v.is_valid_currency("CNY")
    assert not v.is_valid_currency("RMB")
    assert not v.is_valid_currency("US")


def test_dates():
    today = date(2025, 6, 1)
    assert v.check_date("2020-01-31", today=today) == "2020-01-31"
    assert v.check_date("2020/1/31", today=today) == "2020-01-31"
    assert v.check_date("20200131", today=today) == "2020-01-31"
    assert v.check_date("2020年1月31日", today=today) == "2020-01-31"
    with pytest.raises(ValidationError, match="not parseable"):
        v.check_date("2020-13-01", today=today)
    with pytest.raises(ValidationError, match="not parseable"):
        v.check_date("31/01/20", today=today)
    with pytest.raises(ValidationError, match="future"):
        v.check_date("2025-06-02", today=today)
    with pytest.raises(ValidationError, match="before 1990"):
        v.check_date("1989-12-31", today=today)


def test_amounts():
    assert v.check_amount("1,234.5") == 1234.5
    assert v.check_amount(0) == 0.0
    for bad, why in [("-1", "negative"), ("abc", "not a number"), ("nan", "finite"),
                     ("inf", "finite"), (True, "boolean")]:
        with pytest.raises(ValidationError, match=why):
            v.check_amount(bad)


def test_required_keys():
    v.check_required({"a": "1", "b": 0}, ["a", "b"])
    with pytest.raises(ValidationError) as e:
        v.check_required({"a": "1", "b": "  "}, ["a", "b"])
    assert e.value.field == "b" and "missing" in e.value.reason
    with pytest.raises(ValidationError):
        v.check_required({"a": "1"}, ["a", "c"])

"""Validators: valid and invalid examples for each standard."""

from datetime import date

import pytest

from ingest import validators as v
from ingest.exceptions import ValidationError

pytestmark = pytest.mark.unit


def test_uscc_weights_are_the_gb32100_table():
    assert v.USCC_WEIGHTS == (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


@pytest.mark.parametrize("code", ["914403001922038216", "91310115MA1H7XXX08",
                                  " 9144 0300 1922 0382 16 ", "９１４４０３００１９２２０３８２１６"])
def test_uscc_valid(code):
    assert v.check_uscc(code) == v.check_uscc("914403001922038216") or len(v.check_uscc(code)) == 18


@pytest.mark.parametrize("code,reason", [
    ("914403001922038217", "check character"),
    ("91350100M0001TGQXM", "check character"),  # GB 32100 gives '1'
    ("91440300192203821", "18 characters"),
    ("9144030019220382I6", "outside GB 32100"),
    ("", "18 characters"),
])
def test_uscc_invalid(code, reason):
    with pytest.raises(ValidationError, match=reason):
        v.check_uscc(code)


def test_customs_code():
    assert v.check_customs_code("4403960001") == "4403960001"
    assert v.check_customs_code("3122 W6 0012") == "3122W60012"
    for bad in ("440396000", "44039600011", "ABCD960001", "4403X6000A"):
        assert not v.is_valid_customs_code(bad)


@pytest.mark.parametrize("c", ["CSQU3054383", "MSKU1234565", "TGHU0000008", "csqu 305438 3"])
def test_container_valid(c):
    assert v.is_valid_container(c)


@pytest.mark.parametrize("c", ["CSQU3054384", "CSQX3054383", "CSQ3054383", "1SQU3054383", ""])
def test_container_invalid(c):
    assert not v.is_valid_container(c)


def test_imo():
    assert v.check_imo("IMO 9074729") == "9074729"
    assert v.is_valid_imo("9176187")
    assert not v.is_valid_imo("9074728")
    assert not v.is_valid_imo("907472")


def test_mmsi():
    assert v.check_mmsi("413123456") == "413123456"
    assert not v.is_valid_mmsi("41312345")
    assert not v.is_valid_mmsi("003123456")  # coast station, not a ship
    assert not v.is_valid_mmsi("99912345a")


@pytest.mark.parametrize("p", ["粤B12345", "京A8X3K9", "粤BD12345", "沪ADA1234", "粤B12345D",
                               "粤B1234挂", "粤Z1234港", "粤 B·12345"])
def test_plate_valid(p):
    assert v.is_valid_plate(p)


@pytest.mark.parametrize("p", ["粤BI2345", "AB12345", "粤B1234", "粤B123456", "粤BX123456",
                               "粤B1234567", "X粤12345"])
def test_plate_invalid(p):
    assert not v.is_valid_plate(p)


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


# -- resident identity numbers (GB 11643-1999, ISO 7064 MOD 11-2) ----------------------------
ID_OK = "11010519491231002X"  # the standard's own example


@pytest.mark.parametrize("value", [ID_OK, "11010519491231002x", " 110105 19491231 002X ",
                                   "350206198911256759"])
def test_cn_id_valid(value):
    assert v.is_valid_cn_id(value) and v.cn_id_status(value) == "valid"
    assert v.check_cn_id(value) == "".join(value.split()).upper()


@pytest.mark.parametrize("value,reason", [("110105194912310021", "check character"),
                                          ("11010519491231002", "17 digits"),
                                          ("1101051949123100XX", "17 digits")])
def test_cn_id_invalid_never_echoes_the_number(value, reason):
    with pytest.raises(ValidationError, match=reason) as e:
        v.check_cn_id(value)
    assert value not in str(e.value)
    assert v.cn_id_status(value) == "invalid"


def test_every_single_digit_typo_and_adjacent_swap_fails_the_check():
    body = ID_OK[:17]
    for i in range(17):
        for d in "0123456789":
            if d != body[i]:
                typo = body[:i] + d + body[i + 1:] + ID_OK[17]
                assert v.cn_id_status(typo) == "invalid", typo
    for i in range(16):
        if body[i] != body[i + 1]:
            s = list(body)
            s[i], s[i + 1] = s[i + 1], s[i]
            assert v.cn_id_status("".join(s) + ID_OK[17]) == "invalid"


def test_cn_id_claimed_keeps_the_record_but_not_a_bad_id():
    assert v.check_cn_id_claimed(ID_OK) == ID_OK
    assert v.check_cn_id_claimed("110105194912310021") == ""  # mistyped: not a key
    assert v.cn_id_status("") == "missing" and v.cn_id_status(None) == "missing"
    assert v.CHECKS["cn_id_claimed"] is v.check_cn_id_claimed


def test_cn_id_birth_date():
    assert v.cn_id_birth_date(ID_OK) == date(1949, 12, 31)
    bad_date = "110105194913310021"  # month 13
    bad_date = bad_date[:17] + v.cn_id_check_char(bad_date[:17])
    with pytest.raises(ValidationError, match="birth date"):
        v.cn_id_birth_date(bad_date)

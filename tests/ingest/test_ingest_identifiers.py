"""Identifier validators (ingest.identifiers, re-exported by ingest.validators): valid and
invalid examples for each standard, and the check digits python-stdnum computes compared with
the formulas we used before it (the ones the standards state) and with stdnum's own
``validate``, where it disagrees with our shape rules on purpose."""

import random
from datetime import date

import pytest
from stdnum import imo as st_imo
from stdnum import iso6346 as st_iso6346
from stdnum.cn import ric as st_ric
from stdnum.cn import uscc as st_uscc

from ingest import identifiers
from ingest import validators as v
from ingest.exceptions import ValidationError

pytestmark = pytest.mark.unit


def test_uscc_check_char_uses_the_gb32100_weights():
    weights = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
    assert weights == tuple(pow(3, i, 31) for i in range(17))
    assert v.uscc_check_char("91440300192203821") == "6"


@pytest.mark.parametrize("code,canonical", [
    ("914403001922038216", "914403001922038216"), ("91310115MA1H7XXX08", "91310115MA1H7XXX08"),
    (" 9144 0300 1922 0382 16 ", "914403001922038216"),
    ("９１４４０３００１９２２０３８２１６", "914403001922038216")])
def test_uscc_valid(code, canonical):
    assert v.check_uscc(code) == canonical


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


# -- python-stdnum against the formulas it replaced ------------------------------------------
_USCC_VAL = {c: i for i, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
_ISO6346_VAL = {**{str(d): d for d in range(10)},
                **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                           [x for x in range(10, 39) if x % 11][:26]))}


def _old_uscc(first17):  # GB 32100: weights 3^i mod 31
    total = sum(_USCC_VAL[c] * pow(3, i, 31) for i, c in enumerate(first17))
    return "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - total % 31) % 31]


def _old_container(first10):  # ISO 6346: weights 2^i, mod 11 mod 10
    return sum(_ISO6346_VAL[c] * (1 << i) for i, c in enumerate(first10)) % 11 % 10


def _old_imo(first6):
    return sum(int(d) * (7 - i) for i, d in enumerate(first6)) % 10


def _old_cn_id(first17):  # ISO 7064 MOD 11-2
    w = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * x for c, x in zip(first17, w)) % 11]


USCC_VECTORS = ["914403001922038216", "91310115MA1H7XXX08", "914403001922038217",
                "91350100M0001TGQXM"]
CONTAINER_VECTORS = ["CSQU3054383", "MSKU1234565", "TGHU0000008", "CSQU3054384"]
IMO_VECTORS = ["9074729", "9176187", "9074728"]
ID_VECTORS = [ID_OK, "350206198911256759", "110105194912310021"]


def test_check_digits_equal_the_former_formulas_on_the_test_vectors():
    for c in USCC_VECTORS:
        assert identifiers.uscc_check_char(c[:17]) == _old_uscc(c[:17])
    for c in CONTAINER_VECTORS:
        assert identifiers.container_check_digit(c[:10]) == _old_container(c[:10])
    for c in IMO_VECTORS:
        assert identifiers.imo_check_digit(c[:6]) == _old_imo(c[:6])
    for c in ID_VECTORS:
        assert identifiers.cn_id_check_char(c[:17]) == _old_cn_id(c[:17])


def test_check_digits_equal_the_former_formulas_on_random_bodies():
    rnd = random.Random(11)
    alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    for _ in range(2000):
        u = "".join(rnd.choice(alpha) for _ in range(17))
        assert identifiers.uscc_check_char(u) == _old_uscc(u)
        c = "".join(rnd.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(3)) + "U" + \
            f"{rnd.randrange(10**6):06d}"
        assert identifiers.container_check_digit(c) == _old_container(c)
        m = f"{rnd.randrange(10**6):06d}"
        assert identifiers.imo_check_digit(m) == _old_imo(m)
        i = f"{rnd.randrange(10**17):017d}"
        assert identifiers.cn_id_check_char(i) == _old_cn_id(i)


@pytest.mark.parametrize("value", USCC_VECTORS)
def test_stdnum_uscc_agrees_on_the_test_vectors(value):
    assert st_uscc.is_valid(value) == v.is_valid_uscc(value)


@pytest.mark.parametrize("value", ["CSQU3054383", "MSKU1234565", "TGHU0000008",
                                   "CSQU3054384", "CSQ3054383", ""])
def test_stdnum_iso6346_agrees_on_the_test_vectors(value):
    assert st_iso6346.is_valid(value) == v.is_valid_container(value)


@pytest.mark.parametrize("value", ["9074729", "IMO 9074729", "9176187", "9074728", "907472"])
def test_stdnum_imo_agrees_on_the_test_vectors(value):
    assert st_imo.is_valid(value) == v.is_valid_imo(value)


@pytest.mark.parametrize("value", [ID_OK, "350206198911256759", "110105194912310021",
                                   "11010519491231002", "1101051949123100XX"])
def test_stdnum_ric_agrees_on_the_test_vectors(value):
    assert st_ric.is_valid(value) == v.is_valid_cn_id(value)


def test_where_stdnum_validate_differs_we_keep_our_rule():
    # USCC with a letter as registration authority (GB 32100 allows it; stdnum wants digits)
    body = "N1440300192203821"
    code = body + identifiers.uscc_check_char(body)
    assert v.is_valid_uscc(code) and not st_uscc.is_valid(code)
    # ISO 6346: category R and a digit in the owner code pass stdnum, not our shape rule
    for first in ("CSQR305438", "1SQU305438"):
        c = first + str(identifiers.container_check_digit(first))
        assert st_iso6346.is_valid(c) and not v.is_valid_container(c)
    # GB 11643: a check-correct id with an impossible birth date is an id (a key) for us
    body = "11010519491331002"
    bad_date = body + identifiers.cn_id_check_char(body)
    assert v.is_valid_cn_id(bad_date) and not st_ric.is_valid(bad_date)

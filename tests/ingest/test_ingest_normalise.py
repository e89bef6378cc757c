"""Normalisation: width, whitespace, punctuation, company suffixes, addresses, phones."""

import pytest

from ingest import normalise as n
from ingest.exceptions import ValidationError

pytestmark = pytest.mark.unit


def test_halfwidth_and_whitespace():
    assert n.to_halfwidth("ＡＢＣ１２３（）") == "ABC123()"
    assert n.normalise_text("  上海\u3000港\t\n 集团 ") == "上海 港 集团"
    assert n.normalise_text("a\u00a0\u200bb") == "a b"
    assert n.normalise_text(None) == ""


def test_punctuation():
    assert n.strip_punctuation("A.B,C—D（E）") == "A B C D E"
    assert n.strip_punctuation("上海·港、集团。") == "上海 港 集团"


@pytest.mark.parametrize("variant", ["上海远洋贸易有限责任公司", "上海远洋贸易有限公司",
                                     "上海远洋贸易 有限公司", "上海远洋贸易有限公司 "])
def test_cn_company_suffix_variants_share_a_key(variant):
    assert n.company_key(variant) == "上海远洋贸易"


@pytest.mark.parametrize("variant", ["Ocean Trading Co., Ltd.", "OCEAN TRADING CO.,LTD",
                                     "Ocean Trading Co. Ltd", "Ocean Trading Company Limited",
                                     "ＯＣＥＡＮ　ＴＲＡＤＩＮＧ Co., Ltd.", "Ocean  Trading Ltd."])
def test_en_company_suffix_variants_share_a_key(variant):
    assert n.company_key(variant) == "oceantrading"


def test_company_display_form():
    assert n.normalise_company_name("上海远洋贸易有限责任公司") == "上海远洋贸易有限公司"
    assert n.normalise_company_name("Ocean Trading co.,ltd") == "Ocean Trading Co., Ltd."
    assert n.normalise_company_name("Harbour Pte. Ltd.") == "Harbour Pte. Ltd."
    assert n.company_key("Different Trading Co., Ltd.") != n.company_key("Ocean Trading Co., Ltd.")


def test_addresses():
    assert n.normalise_address("中国上海市浦东新区　张江路１２８号") == "上海市浦东新区 张江路128号"
    assert n.normalise_address("No. 5, Harbour Rd., Pudong Dist.") == \
        "no 5, harbour road, pudong district"
    assert n.address_key("上海市浦东新区张江路128#") == n.address_key("中国 上海市浦东新区 张江路128号")


@pytest.mark.parametrize("raw", ["138 1234 5678", "+86 138-1234-5678", "0086 13812345678",
                                 "８６１３８１２３４５６７８", "(+86)13812345678", "13812345678转123"])
def test_phone_variants_to_e164(raw):
    assert n.normalise_phone(raw) == "+8613812345678"


def test_phone_landline_and_foreign():
    assert n.normalise_phone("(021) 6123 4567") == "+862161234567"
    assert n.normalise_phone("021-61234567") == "+862161234567"
    assert n.normalise_phone("+1 415 555 2671") == "+14155552671"
    assert n.normalise_phone("415 555 2671", default_country="US") == "+14155552671"


@pytest.mark.parametrize("bad", ["", "abc", "1234", "+86 123", "12812345678"])
def test_phone_invalid(bad):
    with pytest.raises(ValidationError):
        n.normalise_phone(bad)


def test_masks():
    assert n.mask_phone("+8613812345678") == "+86138****5678"
    assert n.mask_name("张三丰") == "张**"
    assert n.mask_name("John Smith") == "J*** S****"

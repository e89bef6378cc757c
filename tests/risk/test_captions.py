"""Readable captions of entities (risk.captions): names, KCS roles + codes, persons by key."""

from __future__ import annotations

import pytest

from risk.captions import caption, caption_keys

pytestmark = pytest.mark.unit


def test_names_kcs_roles_plates_and_persons():
    assert caption("Enterprise", "91440300MA5B000001", {"name": "安科贸易"}) == ("安科贸易", "安科贸易")
    assert caption("Enterprise", "KCS:IMP:QLRUBN9", {}) == ("进口商 QLRUBN9", "importer QLRUBN9")
    assert caption("Enterprise", "KCS:DEC:AB12", None)[1] == "declarant AB12"
    assert caption("Vehicle", "V-1", {"plate": "粤B12345"}) == ("粤B12345", "粤B12345")
    # a person is never named unless the caller passes an already masked name
    assert caption("Person", "H:0293a31979abcdef", {"name": "张三"}) == (
        "人员 H:0293a31979…", "person H:0293a31979…")
    assert caption("Person", "P1", {"name": "张*"}, personal_names=True) == ("张*", "张*")


def test_keys_inside_sentences_become_captions():
    assert caption_keys("KCS:IMP:JHYZ4B4 自身有 2 条查获/涉案记录") == "进口商 JHYZ4B4 自身有 2 条查获/涉案记录"
    assert caption_keys("KCS:SEL:Q7 sold to KCS:IMP:X1", "en") == "seller Q7 sold to importer X1"
    assert caption_keys("no keys here") == "no keys here"

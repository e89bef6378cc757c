"""How entity explanations name their subjects (risk.entity.explain_text): names with keys,
the caption helper's readable fallback, persons never named by default."""

from __future__ import annotations

import pytest

from risk.entity.explain_text import _reason, name_words

pytestmark = pytest.mark.unit


class _Node:
    def __init__(self, props):
        self.props = props


class _Store:
    """Only ``get``: name_words reads the node's props and nothing else."""

    def __init__(self, nodes):
        self.nodes = nodes

    def get(self, label, key):
        p = self.nodes.get((label, key))
        return None if p is None else _Node(p)


STORE = _Store({("Enterprise", "91441900UM1A0RC7NU"): {"name": "东莞荣信机械有限公司"},
                ("Enterprise", "KCS:IMP:QLRUBN9"): {},
                ("Enterprise", "E-NONAME"): {},
                ("Person", "H:cd09c5625f0a1b2c3d"): {"name": "张三丰"},
                ("Vehicle", "粤Z0001港"): {"plate": "粤Z0001港"}})


def test_a_named_enterprise_is_named_with_its_key():
    assert name_words(STORE, "Enterprise", "91441900UM1A0RC7NU") == (
        "东莞荣信机械有限公司（91441900UM1A0RC7NU）", "东莞荣信机械有限公司 (91441900UM1A0RC7NU)")
    r = _reason("shared_rep", name_words(STORE, "Enterprise", "91441900UM1A0RC7NU"), 2, 1, [])
    assert r["text_zh"] == ("企业 东莞荣信机械有限公司（91441900UM1A0RC7NU） 的法定代表人同时代表 "
                            "2 家其他企业，其中 1 家有查获记录")


def test_nameless_nodes_use_the_caption_fallback_without_a_doubled_kind_word():
    assert name_words(STORE, "Enterprise", "E-NONAME") == ("E-NONAME", "E-NONAME")
    kcs = name_words(STORE, "Enterprise", "KCS:IMP:QLRUBN9")
    assert kcs == ("进口商 QLRUBN9", "importer QLRUBN9")
    r = _reason("own", kcs, 9, 9, [], label="Enterprise", at_least="m")
    assert r["text_zh"] == "进口商 QLRUBN9 自身有 至少 9 条查获/涉案记录"
    assert r["text_en"] == "importer QLRUBN9 has at least 9 seizure / case records of its own"
    assert name_words(STORE, "Vehicle", "粤Z0001港") == ("粤Z0001港", "粤Z0001港")


def test_a_person_is_never_named_by_default_and_named_as_the_caption_of_says():
    zh, en = name_words(STORE, "Person", "H:cd09c5625f0a1b2c3d")
    assert "张" not in zh + en and zh == "H:cd09c5625f…"
    masked = name_words(STORE, "Person", "H:cd09c5625f0a1b2c3d",
                        lambda label, key, props: ("张**", "张**"))
    assert masked == ("张**（H:cd09c5625f…）", "张** (H:cd09c5625f…)")
    r = _reason("drove", masked, 4, 1, [])
    assert r["text_zh"] == "驾驶员 张**（H:cd09c5625f…） 驾驶过 4 辆车，其中 1 辆有查获记录"

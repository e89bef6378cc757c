import pytest

from qa.base import QueryHints
from qa.understanding import (colloquial, english_unmapped, expand_colloquial, glossary,
                              intent_of, is_follow_up, parse_article_number, scope_of,
                              to_chinese_terms, understand)


@pytest.mark.unit
def test_question_understanding_parts():
    assert parse_article_number("海关法第八十六条说什么")[0] == (86, 0)
    assert parse_article_number("第一百二十条之一")[0] == (120, 1)
    assert parse_article_number("What does article 24 say?")[0] == (24, 0)
    assert parse_article_number("没有条文号") == (None, None)
    assert "冻肉" in to_chinese_terms("Do I need a permit to import frozen meat?")
    assert intent_of("进口冻肉要办检疫审批吗？") > 0
    assert intent_of("上海港到洛杉矶的海运费多少钱？") < 0
    assert intent_of("你好") == 0


@pytest.mark.unit
def test_word_maps_come_from_the_data_files():
    assert glossary()["frozen meat"] == "冻肉 肉类"
    assert colloquial()["hs编码"] == "商品编码 税则号列"
    # the longest phrase wins: "frozen meat", not "frozen" + "meat"
    assert to_chinese_terms("frozen meat") == "冻肉 肉类"
    assert expand_colloquial("报关员少报了") == "报关员少报了 报关人员 申报不实"
    assert english_unmapped("penalty for smuggling") == 0.0
    assert english_unmapped("penalty for zebras") == 0.5


@pytest.mark.unit
def test_understanding_of_a_named_article_gives_retrieval_hints(tiny_kb):
    u = understand("乙条例第二条怎么规定？", tiny_kb)
    assert u.language == "zh" and u.laws == ["乙条例"] and u.article_num == (2, 0)
    yi = next(d.id for d in tiny_kb.docs.values() if d.title == "中华人民共和国乙条例")
    assert u.hints() == QueryHints(law_doc_ids=(yi,), article_num=(2, 0), concepts=(),
                                   extra_query="", dense_query=None,
                                   plain_query="乙条例第二条怎么规定？", language="zh")
    en = understand("What is the penalty for smuggling?", tiny_kb)
    assert en.language == "en" and en.query == "处罚 走私"  # "penalty for" is one glossary phrase
    assert en.hints().dense_query == "What is the penalty for smuggling?"


@pytest.mark.unit
def test_follow_up_carries_the_earlier_turn(tiny_kb):
    first = understand("进口货物申报不实会怎样？", tiny_kb)
    assert not is_follow_up("进口货物申报不实会怎样？", [])
    u = understand("那罚款是多少？", tiny_kb, [first])
    assert u.follow_up and "申报不实" in u.context_query
    assert u.hints().extra_query == u.context_query
    assert not understand("那罚款是多少？", tiny_kb).follow_up


@pytest.mark.unit
@pytest.mark.parametrize("question", [
    "从日本进口奶粉要什么手续",  # Japan is the origin; Chinese import rules apply
    "帮朋友从韩国代购化妆品带回来，被海关查到会怎样？",
    "出口到美国的货物要办什么出口手续",
    "What does China require to import milk powder from Japan?",
])
def test_a_country_as_origin_or_destination_is_not_foreign_law(question):
    assert scope_of(question)[0] == 0.0


@pytest.mark.unit
@pytest.mark.parametrize("question", [
    "日本的法律对进口奶粉怎么规定",
    "美国对中国光伏产品加征的关税是多少？",
    "往越南出口大米，越南那边需要什么许可证？",
    "在美国开公司要交什么税",
    "美国FDA注册一般要多久能下来？",
    "欧盟的GDPR对中国的小网店有什么要求？",
    "What are the US customs rules for importing toys?",
    "What is the VAT rate in Germany for imported electronics?",
])
def test_questions_about_another_jurisdictions_law_are_foreign(question):
    assert scope_of(question)[0] == 1.0

import pytest

from knowledge.numerals import article_label, cn_to_int, int_to_cn
from knowledge.parse import parse_text
from kb_sample import SAMPLE


@pytest.mark.unit
def test_numerals_round_trip():
    for n in (1, 10, 11, 20, 100, 101, 110, 119, 452, 1010, 1260):
        assert cn_to_int(int_to_cn(n)) == n
    assert article_label(120, 1) == "第一百二十条之一"
    assert cn_to_int("一百零二") == 102


@pytest.mark.unit
def test_parse_text_builds_articles_paragraphs_items_and_dates():
    doc, arts = parse_text(SAMPLE, relpath="测试/示例法.md", category="行政法")
    assert doc.title == "中华人民共和国示例法"
    assert doc.kind == "法律"
    assert doc.enacted == "2000-01-01" and doc.amended == "2021-04-29"
    assert [a.number for a in arts] == ["第一条", "第二条", "第二条之一", "第三条"]
    second = arts[1]
    assert second.path == ["第一章 总 则"]
    assert second.paragraphs[0].items == ["（一）武器；", "（二）毒品。"]
    assert len(second.paragraphs) == 2
    assert arts[2].suffix == 1 and arts[2].path == ["第二章 附 则", "第一节 其他"]
    # stable ids: same path -> same ids
    _, again = parse_text(SAMPLE, relpath="测试/示例法.md", category="行政法")
    assert [a.id for a in arts] == [a.id for a in again]
    assert arts[2].id.endswith("-0002-1")


@pytest.mark.unit
def test_clause_numbered_text_loads_as_sections():
    text = "# 某修正案\n\n<!-- INFO END -->\n\n一、将第一条修改为：甲。\n\n二、增加一条。\n\n乙。\n"
    doc, arts = parse_text(text, relpath="x.md")
    assert doc.n_articles == 0 and doc.n_sections == 2
    assert [a.number for a in arts] == ["一", "二"]
    assert arts[1].text == "二、增加一条。\n乙。"


@pytest.mark.unit
def test_text_without_title_is_refused_with_the_reason():
    with pytest.raises(ValueError, match="title"):
        parse_text("第一条 无标题。\n", relpath="x.md")

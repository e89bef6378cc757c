import pytest

from knowledge.corpus import load_file
from knowledge.crossref import link_all
from knowledge.parse import parse_text

TWO_LAWS = {
    "a.md": """# 中华人民共和国甲法

<!-- INFO END -->

第一条 总则。

第二条 违反本法第一条规定的，依照《中华人民共和国乙法》第三条、第四条处罚。

前款规定的情形，依照前条处理。
""",
    "b.md": """# 中华人民共和国乙法

<!-- INFO END -->

第三条 罚款。

第四条 没收。

第五条 依照甲法第一条办理。
""",
}


@pytest.mark.unit
def test_cross_references_resolve_within_and_across_texts():
    docs, arts = [], []
    for name, text in TWO_LAWS.items():
        d, a = parse_text(text, relpath=name)
        docs.append(d)
        arts.extend(a)
    link_all(docs, arts)
    by = {(a.law[-2:], a.number): a for a in arts}
    cites = by[("甲法", "第二条")].cites
    targets = {(c["text"], c["target"], c["kind"]) for c in cites}
    assert ("本法第一条", by[("甲法", "第一条")].id, "internal") in targets
    assert ("《中华人民共和国乙法》第三条", by[("乙法", "第三条")].id, "external") in targets
    # the list continues the named law: 、第四条 belongs to 乙法
    assert ("第四条", by[("乙法", "第四条")].id, "external") in targets
    assert any(c["kind"] == "paragraph" and c["text"] == "前款" for c in cites)
    assert any(c["text"] == "前条" and c["target"] == by[("甲法", "第一条")].id for c in cites)
    # a bare short law name (甲法第一条) resolves by title
    assert by[("乙法", "第五条")].cites[0]["target"] == by[("甲法", "第一条")].id


@pytest.mark.integration
def test_real_cross_references_in_customs_penalty_rules(corpus_dir):
    d, arts = load_file(corpus_dir / "行政法规/海关行政处罚实施条例(2004-09-19).md", corpus_dir)
    link_all([d], arts)
    art16 = next(a for a in arts if a.number == "第十六条")
    targets = {c["target"] for c in art16.cites}
    art15 = next(a for a in arts if a.number == "第十五条")
    assert art15.id in targets

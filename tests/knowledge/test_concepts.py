import pytest

from knowledge.concepts import concept_key, extract

@pytest.mark.unit
def test_entity_ruler_finds_domain_concepts(tmp_path):
    (concepts, tokens), = list(extract(["进口冻肉应当向海关如实申报，提交报关单和检疫许可证。"],
                                       cache_dir=tmp_path / "jieba"))
    names = {(c["name"], c["kind"]) for c in concepts}
    assert {("冻肉", "GOODS"), ("海关", "AGENCY"), ("报关单", "DOC"),
            ("检疫许可证", "LICENCE")} <= names
    assert "报关单" in tokens  # jieba keeps the domain term whole


@pytest.mark.unit
def test_concept_keys_are_kind_and_name():
    assert concept_key("申报", "PROC") == "PROC:申报"


@pytest.mark.unit
def test_matcher_keeps_the_longest_then_earliest_match_and_hs_codes():
    from knowledge.concepts import ConceptMatcher

    m = ConceptMatcher({"GOODS": ["冻肉"], "DOC": ["冻肉检疫证"], "AGENCY": ["海关"]})
    # jieba may split the longer term; the matcher works on the same token sequence
    toks = ["冻肉", "检疫证", "交", "海关", "0203", "02031100", "海关"]
    m.seqs[("冻肉", "检疫证")] = ("冻肉检疫证", "DOC")
    m.first.add("冻肉")
    m.max_len = max(m.max_len, 2)
    got = m.find(toks)
    assert got == [{"name": "冻肉检疫证", "kind": "DOC"}, {"name": "海关", "kind": "AGENCY"},
                   {"name": "0203", "kind": "HS"}, {"name": "02031100", "kind": "HS"}]

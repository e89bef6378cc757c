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

import pytest

from knowledge.models import Article
from qa.rerank import FeatureReranker, QueryFeatures, define_cues, define_terms


def _art(i, text, *, num=1, doc="d1", law="中华人民共和国海关法", kind="法律"):
    return Article(id=i, doc_id=doc, law=law, number=f"第{num}条", num=num, text=text,
                   doc_kind=kind)


@pytest.mark.unit
def test_definition_cues_come_from_the_data_file():
    assert "是什么" in define_cues() and "what is" in define_cues()
    assert define_terms("提单是什么？", ["提单"]) == ["提单"]
    assert define_terms("提单怎么填？", ["提单"]) == []


@pytest.mark.unit
def test_reranker_features_favour_the_named_article_and_definitions():
    r = FeatureReranker()
    q = QueryFeatures(bigrams={"提单"}, law_doc_ids={"d1"}, article_num=(2, 0),
                      define_terms=["提单"])
    named = _art("a2", "其他内容。", num=2)
    defines = _art("a3", "本法所称提单，是指用以证明海上货物运输合同的单证。", num=3)
    other_law = _art("b2", "提单应当载明。", num=2, doc="d2", law="乙法", kind="部门规章")
    f = r.features(q, named, {}, 1.0)
    assert f["number"] == 1.0 and f["law"] == 1.0 and f["core"] == 1.0
    g = r.features(q, defines, {}, 1.0)
    assert g["definition"] == 1.0 and g["coverage"] == 1.0 and g["number"] == 0.0
    h = r.features(q, other_law, {}, 1.0)
    assert h["law"] == -1.0 and h["number"] == 0.0 and h["core"] == 0.5
    ranked = r.rerank(q, [(other_law, {}), (defines, {}), (named, {})])
    # the defining article covers the question (3.0 + 1.0), the named one has the number (3.0)
    assert [a.id for a, _, _ in ranked] == ["a3", "a2", "b2"]


@pytest.mark.unit
def test_reranker_score_is_the_weighted_feature_sum():
    r = FeatureReranker(weights={"coverage": 2.0})
    q = QueryFeatures(bigrams={"进口", "冻肉"})
    (a, score, f), = r.rerank(q, [(_art("x", "进口冻肉"), {"bm25_bigrams": 3.0})])
    assert f["coverage"] == 1.0 and f["bigram"] == 1.0 and score == 2.0

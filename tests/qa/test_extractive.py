import pytest

from qa.base import Answer, Passage, Understanding
from qa.extractive import (REFUSAL, ExtractiveGenerator, best_sentences, confidence,
                           stream_answer)


def _p(text, **features):
    return Passage("x-1", "中华人民共和国海关法", "第二十四条", text, "2021-04-29", "有效", "x",
                   1.0, 1, features=features)


@pytest.mark.unit
def test_refusal_below_threshold_has_no_citations():
    u = Understanding(question="x", query="x")
    ans = ExtractiveGenerator(threshold=0.99).generate(u, [])
    assert not ans.answered and ans.citations == [] and ans.text == REFUSAL["zh"]


@pytest.mark.unit
def test_confidence_rises_with_evidence():
    u = Understanding(question="进口货物如实申报", query="进口货物如实申报",
                      content_words=["进口", "货物", "如实", "申报"], intent=1.0)
    weak = confidence(u, [_p("船舶吨税。", f_coverage=0.0, rerank=1.0)])
    strong = confidence(u, [_p("进口货物应当如实申报。", f_coverage=1.0, f_domain=1.0,
                               rerank=10.0)])
    assert 0.0 < weak < 0.45 <= strong < 1.0
    assert confidence(u, []) == 0.0


@pytest.mark.unit
def test_quote_is_the_sentence_that_answers():
    filler = "船舶进出港口应当向海事管理机构报告，并接受检查，" * 4
    text = f"{filler}。进口货物的收货人应当如实申报并提交报关单。{filler}。"
    assert len(text) > 160
    assert best_sentences(_p(text), {"进口", "货物", "申报"}) == ["进口货物的收货人应当如实申报并提交报关单。"]


@pytest.mark.unit
def test_stream_splits_lines_into_tokens_and_sentences():
    ans = Answer(question="q", text="第一行\n第二行文字", answered=True, confidence=1.0)
    events = list(stream_answer(ans, chunk=2))
    assert [e["data"] for e in events if e["event"] == "sentence"] == ["第一行", "第二行文字"]
    assert "".join(e["data"] for e in events if e["event"] == "token") == "第一行\n第二行文字\n"

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
def test_confidence_rises_with_evidence_and_falls_out_of_scope():
    from qa.extractive import shipped_threshold

    thr = shipped_threshold()
    u = Understanding(question="进口货物要如实申报吗", query="进口货物如实申报",
                      content_words=["进口", "货物", "如实", "申报"], intent=1.0)
    # the semantic similarity of the best passages is the evidence (same wording, other cosine)
    weak = confidence(u, [_p("进口货物应当如实申报。", dense=0.2)])
    strong = confidence(u, [_p("进口货物应当如实申报。", dense=0.8)])
    assert 0.0 < weak < strong < 1.0 and strong >= thr
    # the same evidence for a question about another country's law, or live data
    foreign = Understanding(**{**u.to_json(), "foreign": 1.0})
    live = Understanding(**{**u.to_json(), "live": 1.0})
    for other in (foreign, live):
        assert confidence(other, [_p("进口货物应当如实申报。", dense=0.8)]) < strong
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


@pytest.mark.unit
def test_quotes_the_sentence_that_bears_on_the_question_not_the_first():
    from knowledge.text import bigrams

    text = ("进出口货物，除另有规定的外，可以由进出口货物收发货人自行办理报关纳税手续。"
            "进出口货物收发货人应当如实申报。\n"
            "报关企业接受委托办理报关手续的，应当对委托人所提供情况的真实性进行合理审查。")
    p = _p(text)
    got = best_sentences(p, set(bigrams("报关企业 委托 审查 真实性")))
    assert got == ["报关企业接受委托办理报关手续的，应当对委托人所提供情况的真实性进行合理审查。"]
    # an embedding similarity per sentence can decide where the words do not
    sim = [0.9, 0.1, 0.2]
    assert best_sentences(p, set(), sim=sim)[0].startswith("进出口货物，除另有规定")
    assert best_sentences(_p("只有一句。"), set()) == ["只有一句。"]

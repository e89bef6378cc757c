import json

import pytest

from qa.base import Passage, Understanding
from qa.evaluate import calibrate, evaluate, load_questions
from qa.exceptions import CitationError, EvaluationError
from qa.extractive import ExtractiveGenerator
from qa.llm import check_citations
from qa.service import ConsultService
from qa.understanding import intent_of, parse_article_number, to_chinese_terms


@pytest.fixture(scope="module")
def service(small_kb):
    return ConsultService(small_kb)


@pytest.mark.unit
def test_question_understanding_parts():
    assert parse_article_number("海关法第八十六条说什么")[0] == (86, 0)
    assert parse_article_number("What does article 24 say?")[0] == (24, 0)
    assert "冻肉" in to_chinese_terms("Do I need a permit to import frozen meat?")
    assert intent_of("进口冻肉要办检疫审批吗？") > 0
    assert intent_of("上海港到洛杉矶的海运费多少钱？") < 0


@pytest.mark.integration
def test_answer_cites_retrieved_articles_with_version_dates(service):
    ans = service.answer("报关单申报不实会被怎么处罚？")
    assert ans.answered
    retrieved = {p.article_id for p in ans.passages}
    assert ans.citations and all(c.article_id in retrieved for c in ans.citations)
    first = ans.citations[0]
    assert first.citation.startswith("《") and "》第" in first.citation
    assert first.version_date and first.version_date in ans.text
    assert first.quote and first.quote in service.kb.by_id[first.article_id].text.replace("\n", "")


@pytest.mark.integration
def test_named_article_is_found_first(service):
    ans = service.answer("海关法第八十六条是怎么规定的？")
    assert ans.passages[0].citation == "《中华人民共和国海关法》第八十六条"
    assert ans.answered


@pytest.mark.integration
def test_out_of_scope_questions_are_refused(service):
    for q in ["迪拜港口的停车费是怎么收的？", "今天美元兑人民币汇率是多少？",
              "What is the current freight rate from Shanghai to Rotterdam?"]:
        ans = service.answer(q)
        assert not ans.answered, q
        assert not ans.citations


@pytest.mark.integration
def test_follow_up_retrieves_penalty_articles(service):
    sid = "t-follow-up"
    service.answer("进出口货物申报不实是什么情形？", session_id=sid)
    ans = service.answer("那罚款是多少？", session_id=sid)
    assert ans.understanding.follow_up
    top = [p.citation for p in ans.passages[:5]]
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" in top
    # the same question without the conversation is not about declarations
    alone = service.answer("那罚款是多少？")
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" not in \
        [p.citation for p in alone.passages[:1]] or not alone.answered


@pytest.mark.integration
def test_english_question_gets_english_frame_around_chinese_quote(service):
    ans = service.answer("What is the penalty for a false customs declaration?")
    assert ans.language == "en" and ans.answered
    assert ans.text.startswith("Based on the provisions found")
    assert "《" in ans.text and "“" in ans.text


@pytest.mark.integration
def test_chat_stream_yields_tokens_then_sources_last(service):
    events = list(service.chat_stream("进口冻肉要办检疫审批吗？", session_id="t-stream"))
    kinds = [e["event"] for e in events]
    assert kinds[0] == "meta" and kinds[-1] == "sources"
    assert "token" in kinds and "sentence" in kinds
    text = "".join(e["data"] for e in events if e["event"] == "token")
    assert "《" in text
    src = events[-1]["data"]
    assert src["citations"] and src["sources"]
    ids = {s["article_id"] for s in src["sources"]}
    assert all(c["article_id"] in ids for c in src["citations"])


@pytest.mark.unit
def test_llm_citation_check_rejects_unretrieved_citations():
    p = Passage("x-1", "中华人民共和国海关法", "第二十四条", "应当如实申报。", "2021-04-29", "有效",
                "x", 1.0, 1)
    assert check_citations("应当如实申报[1]。", [p]) == [p]
    with pytest.raises(CitationError):
        check_citations("见[2]。", [p])
    with pytest.raises(CitationError):
        check_citations("依照《中华人民共和国海关法》第九十九条[1]。", [p])


@pytest.mark.unit
def test_refusal_below_threshold_has_no_citations():
    u = Understanding(question="x", query="x")
    ans = ExtractiveGenerator(threshold=0.99).generate(u, [])
    assert not ans.answered and ans.citations == []


@pytest.mark.unit
def test_questions_file_errors_name_the_line(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"question": "a", "gold": [{"law": "x", "article": "第一条"}]}\n{"gold": []}\n',
                 encoding="utf-8")
    with pytest.raises(EvaluationError, match=":2:"):
        load_questions(f)


@pytest.mark.integration
def test_evaluate_reports_issue_keys(small_kb, tmp_path):
    rows = [
        {"question": "申报不实罚多少", "gold": [{"law": "中华人民共和国海关行政处罚实施条例",
                                           "article": "第十五条"}]},
        {"question": "进口动物产品要办检疫审批吗",
         "gold": [{"law": "中华人民共和国进出境动植物检疫法", "article": "第十条"}]},
        {"question": "今天美元汇率多少", "gold": [], "answerable": False},
    ]
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    res = evaluate(small_kb, load_questions(f), per_question=True)
    for key in ("n", "recall@1", "recall@5", "recall@10", "mrr@10", "citation_precision",
                "refusal_rate"):
        assert key in res
    assert res["n"] == 3 and res["recall@10"] == 1.0 and res["refusal_rate"] == 1.0
    assert res["citations_in_retrieved"] == 1.0
    assert 0.0 <= calibrate(res["questions"])["threshold"] <= 1.0


@pytest.mark.integration
def test_service_article_and_documents_for_the_api(small_kb):
    from qa import service as svc

    svc.reset_service(ConsultService(small_kb))
    try:
        docs = svc.list_documents()
        assert any(d["kind"] == "guide" for d in docs)
        customs = next(d for d in docs if d["title"] == "中华人民共和国海关行政处罚实施条例")
        detail = svc.get_document(customs["id"])
        art15 = next(a for a in detail["articles"] if a["number"] == "第十五条")
        art = svc.get_article(art15["id"])
        assert art["citation"] == "《中华人民共和国海关行政处罚实施条例》第十五条"
        assert art["document"]["version_date"] == "2004-09-19"
        assert any(x.endswith("-0016") for x in art["cited_by"])  # 第十六条 refers to 第十五条
    finally:
        svc.reset_service()

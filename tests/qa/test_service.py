import pytest

from qa import service as service_module
from qa.config import QASettings
from qa.service import ConsultService


@pytest.fixture()
def tiny_service(tiny_kb):
    return ConsultService(tiny_kb, QASettings())


@pytest.mark.unit
def test_the_service_is_built_by_its_caller_not_held_by_the_module():
    for name in ("get_service", "reset_service", "ask", "chat_stream", "list_documents",
                 "get_document", "get_article", "build"):
        assert not hasattr(service_module, name), name


@pytest.mark.unit
def test_answer_cites_the_retrieved_article_with_its_quote(tiny_service, tiny_kb):
    ans = tiny_service.answer("进口动物产品要办检疫审批吗？")
    assert ans.answered and ans.generator == "extractive" and ans.language == "zh"
    assert [c.citation for c in ans.citations] == ["《中华人民共和国甲法》第三条"]
    cite = ans.citations[0]
    assert cite.article_id == ans.passages[0].article_id
    assert cite.quote in tiny_kb.by_id[cite.article_id].text
    assert set(ans.timings_ms) == {"understand", "retrieve", "answer", "total"}
    assert len(ans.passages) <= tiny_service.settings.top_k


@pytest.mark.unit
def test_named_article_and_english_questions(tiny_service):
    named = tiny_service.answer("乙条例第二条怎么规定？")
    assert named.answered and named.passages[0].citation == "《中华人民共和国乙条例》第二条"
    en = tiny_service.answer("What is the penalty for a false customs declaration?")
    assert en.language == "en" and en.answered
    assert en.text.startswith("Based on the provisions found")


@pytest.mark.unit
def test_out_of_scope_question_is_refused_without_citations(tiny_service):
    ans = tiny_service.answer("今天美元兑人民币汇率是多少？")
    assert not ans.answered and ans.citations == [] and ans.confidence < 0.45
    assert ans.text.startswith("未找到能够回答该问题的规定")


@pytest.mark.unit
def test_sessions_remember_recent_turns_and_stay_bounded(tiny_kb, monkeypatch):
    svc = ConsultService(tiny_kb, QASettings(history_turns=2))
    for q in ("进口货物要申报吗？", "申报不实会怎样？", "那罚款是多少？"):
        svc.answer(q, session_id="s1")
    assert [u.question for u in svc.sessions["s1"]] == ["申报不实会怎样？", "那罚款是多少？"]
    assert svc.sessions["s1"][-1].follow_up
    monkeypatch.setattr(service_module, "MAX_SESSIONS", 2)
    for sid in ("s2", "s3"):
        svc.answer("进口货物要申报吗？", session_id=sid)
    assert list(svc.sessions) == ["s2", "s3"]  # the oldest session dropped
    stateless = svc.answer("那罚款是多少？", history=["申报不实会怎样？"])
    assert stateless.understanding.follow_up


@pytest.mark.unit
def test_chat_stream_yields_meta_tokens_then_sources(tiny_service):
    events = list(tiny_service.chat_stream("进口动物产品要办检疫审批吗？", session_id="t"))
    kinds = [e["event"] for e in events]
    assert kinds[0] == "meta" and kinds[-1] == "sources"
    assert set(kinds[1:-1]) == {"token", "sentence"}
    text = "".join(e["data"] for e in events if e["event"] == "token")
    assert "《中华人民共和国甲法》第三条" in text
    src = events[-1]["data"]
    ids = {s["article_id"] for s in src["sources"]}
    assert src["citations"] and all(c["article_id"] in ids for c in src["citations"])
    assert events[0]["data"]["answered"] is True


@pytest.fixture(scope="module")
def service(small_kb):
    return ConsultService(small_kb, QASettings())


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
    top = [p.citation for p in ans.passages[:10]]  # R@10, the measure the pipeline is tuned on
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" in top
    # the same question without the conversation is not about declarations
    alone = service.answer("那罚款是多少？")
    assert not alone.understanding.follow_up and alone.understanding.context_query == ""
    assert alone.passages[0].citation != "《中华人民共和国海关行政处罚实施条例》第十五条"


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


@pytest.mark.integration
def test_documents_and_articles_the_api_shows(small_kb):
    kb = small_kb
    assert any(d.kind == "guide" for d in kb.docs.values())
    customs = next(d for d in kb.docs.values() if d.title == "中华人民共和国海关行政处罚实施条例")
    assert kb.document(customs.id).version_date == "2004-09-19"
    art15 = next(a for a in kb.doc_articles(customs.id) if a.number == "第十五条")
    assert kb.article(art15.id).citation == "《中华人民共和国海关行政处罚实施条例》第十五条"
    assert any(x.endswith("-0016") for x in kb.cited_by(art15.id))  # 第十六条 refers to 第十五条


@pytest.mark.unit
def test_warm_up_checks_the_index_before_the_first_question(tiny_kb):
    from knowledge.exceptions import IndexNotBuiltError
    from knowledge.kb import KnowledgeBase

    assert ConsultService(tiny_kb, QASettings()).warm_up().kb is tiny_kb
    with pytest.raises(IndexNotBuiltError):
        ConsultService(KnowledgeBase(tiny_kb.settings), QASettings()).warm_up()

"""Regulation documents and the consultant over a small real index (the customs law from the
repository's corpus, lexical retrieval only): documents, articles, cited answers, the
streamed answer's event order, the per-user rate limit; without an index, 503 problems."""

from __future__ import annotations

import json
import shutil

import pytest

from api_seed import PASSWORD, ROOT, make_app

pytestmark = pytest.mark.integration
LAW = ROOT / "data" / "corpus" / "laws-cn" / "行政法" / "海关法(2021-04-29).md"
QUESTION = "进出口货物应当如何向海关申报？"


@pytest.fixture(scope="module")
def kb_dir(tmp_path_factory):
    """A data dir holding a built index of one law."""
    from knowledge import KnowledgeSettings, build_kb

    d = tmp_path_factory.mktemp("kb")
    (d / "corpus" / "行政法").mkdir(parents=True)
    shutil.copy(LAW, d / "corpus" / "行政法" / LAW.name)
    build_kb(corpus_dir=d / "corpus", dense=False, settings=KnowledgeSettings(data_dir=d))
    return d


def _client(app):
    from fastapi.testclient import TestClient

    return TestClient(app)


def _token(c, username: str) -> dict[str, str]:
    r = c.post("/auth/token", data={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


@pytest.fixture(scope="module")
def kb_client(kb_dir, api_store):
    app = make_app(kb_dir, api_store)
    with _client(app) as c:
        yield c
    app.state.ps.close()


def test_without_an_index_knowledge_and_qa_answer_503_problems(client, auth):
    h = auth("trader_a")
    for r in (client.get("/knowledge/articles/nope-0001", headers=h),
              client.get("/knowledge/documents", headers=h),
              client.post("/qa/ask", json={"question": QUESTION}, headers=h),
              client.post("/qa/chat", json={"question": QUESTION}, headers=h)):
        assert r.status_code == 503, (r.request.url, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["code"] == "knowledge.index_not_built"


def test_documents_and_articles(kb_client):
    h = _token(kb_client, "trader_a")
    page = kb_client.get("/knowledge/documents", headers=h).json()
    assert page["total"] == 1 and len(page["items"]) == 1
    doc = page["items"][0]
    assert "海关法" in doc["title"]
    assert kb_client.get("/knowledge/documents", params={"q": "刑法"}, headers=h).json() == {
        "items": [], "total": 0, "limit": 50, "offset": 0, "next_offset": None}
    ask = kb_client.post("/qa/ask", json={"question": QUESTION}, headers=h).json()
    art_id = ask["footnotes"][0]["article_id"]
    art = kb_client.get(f"/knowledge/articles/{art_id}", headers=h)
    assert art.status_code == 200, art.text
    assert art.json()["id"] == art_id and "海关法" in art.json()["citation"]
    missing = kb_client.get("/knowledge/articles/nope-0001", headers=h)
    assert missing.status_code == 404 and missing.json()["code"] == "knowledge.not_found"


def test_ask_answers_with_numbered_footnotes(kb_client):
    h = _token(kb_client, "trader_a")
    r = kb_client.post("/qa/ask", json={"question": QUESTION}, headers=h)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["answered"] is True
    notes = out["footnotes"]
    assert [n["n"] for n in notes] == list(range(1, len(notes) + 1)) and notes
    assert [n["article_id"] for n in notes] == [c["article_id"] for c in out["citations"]]
    assert all("海关法" in n["title"] for n in notes)


def _sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_chat_streams_meta_then_tokens_then_done_with_citations(kb_client):
    h = _token(kb_client, "trader_a")
    r = kb_client.post("/qa/chat", json={"question": QUESTION}, headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = _sse(r.text)
    kinds = [k for k, _ in events]
    assert kinds[0] == "meta" and kinds[-1] == "done"
    assert set(kinds[1:-1]) == {"token"} and len(kinds) >= 3
    done = events[-1][1]
    assert done["answered"] is True and done["refused"] is False
    assert [c["n"] for c in done["citations"]] == list(range(1, len(done["citations"]) + 1))
    text = "".join(d["text"] for k, d in events if k == "token")
    assert text.strip()


def test_qa_is_rate_limited_per_user(kb_dir, api_store):
    app = make_app(kb_dir, api_store, qa_per_minute=2)
    with _client(app) as c:
        h = _token(c, "trader_a")
        codes = [c.post("/qa/ask", json={"question": QUESTION}, headers=h).status_code
                 for _ in range(3)]
        assert codes == [200, 200, 429]
        r = c.post("/qa/chat", json={"question": QUESTION}, headers=h)
        assert r.status_code == 429 and r.json()["code"] == "rate_limited"
        assert int(r.headers["Retry-After"]) >= 1
        other = c.post("/qa/ask", json={"question": QUESTION}, headers=_token(c, "trader_b"))
        assert other.status_code == 200
    app.state.ps.close()


def test_chat_coverage_shows_the_dense_channel_to_askers_only(kb_client):
    """/qa/coverage: the chat's view of the dense coverage (counts only); a lexical-only
    index says ``off``; a running background job's progress shows as it advances."""
    from knowledge.dense_build import DenseProgress

    h = _token(kb_client, "trader_a")
    r = kb_client.get("/qa/coverage", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "off" and r.json()["coverage"] == 0.0
    assert kb_client.get("/qa/coverage").status_code == 401
    kb = kb_client.app.state.ps.knowledge()
    pr = DenseProgress(bar=False)
    pr.start(total=400, already=100)
    kb.dense_progress = pr
    try:
        got = kb_client.get("/qa/coverage", headers=h).json()
        assert (got["state"], got["embedded"], got["total"], got["coverage"]) == (
            "running", 100, 400, 0.25)
        pr.advance(100)
        assert kb_client.get("/qa/coverage", headers=h).json()["coverage"] == 0.5
        pr.finish()
        got = kb_client.get("/qa/coverage", headers=h).json()
        assert got["state"] == "done" and got["coverage"] == 1.0
        assert set(got) == {"state", "embedded", "total", "coverage", "rate_per_s", "eta_s"}
    finally:
        kb.dense_progress = None

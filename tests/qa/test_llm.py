import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from qa.base import Passage
from qa.config import QASettings
from qa.exceptions import CitationError, GeneratorError
from qa.llm import OpenAICompatibleGenerator, check_citations
from qa.service import ConsultService


class _Fake(BaseHTTPRequestHandler):
    reply = ""

    def do_POST(self):  # noqa: N802 - http.server API
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert body["messages"][-1]["role"] == "user"
        out = json.dumps({"choices": [{"message": {"role": "assistant",
                                                   "content": type(self).reply}}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


@pytest.fixture()
def fake_llm():
    server = HTTPServer(("127.0.0.1", 0), _Fake)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield server
    server.shutdown()
    server.server_close()


def _service(kb, server):
    s = QASettings(llm_enabled=True, llm_base_url=f"http://127.0.0.1:{server.server_port}/v1",
                   llm_model="test")
    return ConsultService(kb, s)


@pytest.mark.integration
def test_llm_answer_with_valid_citations_is_used(small_kb, fake_llm):
    _Fake.reply = "申报不实的，按影响分别处罚[1]。"
    ans = _service(small_kb, fake_llm).answer("报关单申报不实会被怎么处罚？")
    assert ans.generator == "llm" and ans.answered
    assert ans.citations[0].article_id == ans.passages[0].article_id


@pytest.mark.integration
def test_llm_answer_citing_unretrieved_article_falls_back_to_extractive(small_kb, fake_llm):
    _Fake.reply = "依照《中华人民共和国刑法》第一百五十三条处罚[9]。"
    ans = _service(small_kb, fake_llm).answer("报关单申报不实会被怎么处罚？")
    assert ans.generator == "extractive"
    retrieved = {p.article_id for p in ans.passages}
    assert all(c.article_id in retrieved for c in ans.citations)


@pytest.mark.unit
def test_llm_citation_check_rejects_unretrieved_citations():
    p = Passage("x-1", "中华人民共和国海关法", "第二十四条", "应当如实申报。", "2021-04-29", "有效",
                "x", 1.0, 1)
    assert check_citations("应当如实申报[1]。", [p]) == [p]
    assert check_citations("依照《中华人民共和国海关法》第二十四条[1]。", [p]) == [p]
    with pytest.raises(CitationError):
        check_citations("见[2]。", [p])
    with pytest.raises(CitationError):
        check_citations("依照《中华人民共和国海关法》第九十九条[1]。", [p])


@pytest.mark.unit
def test_llm_generator_needs_an_endpoint_and_a_model():
    with pytest.raises(GeneratorError, match="PS_QA_LLM_BASE_URL"):
        OpenAICompatibleGenerator(base_url="", model="m")

import json

import pytest


def _last_json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


@pytest.mark.integration
@pytest.mark.slow
def test_build_ask_and_eval_commands(small_corpus, guide_file, tmp_path, monkeypatch, capsys):
    from api.cli import main
    from qa import service

    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PS_KNOWLEDGE_EXTRA_FILES", json.dumps([str(guide_file)]))
    service.reset_service()
    assert main(["knowledge", "build", "--corpus", str(small_corpus), "--no-dense",
                 "--json"]) == 0
    built = _last_json(capsys)
    assert built["documents"] == 7 and built["bad_files"] == [] and built["dense"] is False

    assert main(["ask", "进口动物产品需要办理检疫审批吗？", "--json"]) == 0
    ans = _last_json(capsys)
    assert ans["answered"] and ans["citations"]
    assert ans["citations"][0]["citation"].startswith("《")

    q = tmp_path / "q.jsonl"
    q.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [
        {"question": "申报不实罚多少", "gold": [{"law": "中华人民共和国海关行政处罚实施条例",
                                           "article": "第十五条"}]},
        {"question": "迪拜港口停车费怎么收", "gold": [], "answerable": False}]),
        encoding="utf-8")
    assert main(["qa-eval", "--corpus", str(small_corpus), "--questions", str(q),
                 "--json"]) == 0
    res = _last_json(capsys)
    assert {"n", "recall@1", "recall@5", "recall@10", "mrr@10", "citation_precision",
            "refusal_rate"} <= set(res)
    assert res["n"] == 2 and res["recall@10"] == 1.0
    service.reset_service()

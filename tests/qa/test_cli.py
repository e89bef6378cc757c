import json

import pytest


def _last_json(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


@pytest.mark.integration
@pytest.mark.slow
def test_build_ask_and_eval_commands(small_corpus, guide_file, tmp_path, monkeypatch, capsys):
    from api.cli import main

    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PS_KNOWLEDGE_EXTRA_FILES", json.dumps([str(guide_file)]))
    assert main(["knowledge", "build", "--corpus", str(small_corpus), "--no-dense",
                 "--json"]) == 0
    built = _last_json(capsys)
    assert built["documents"] == 7 and built["bad_files"] == [] and built["dense"] is False

    assert main(["ask", "进口动物产品需要办理检疫审批吗？", "--json"]) == 0
    ans = _last_json(capsys)
    assert ans["answered"] and ans["citations"]
    assert ans["citations"][0]["citation"].startswith("《")

    assert main(["knowledge", "search", "申报不实 罚款", "--json"]) == 0
    found = _last_json(capsys)
    assert found["mode"] == "tuned" and len(found["hits"]) == 10
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" in [h["citation"] for h in found["hits"]]
    assert main(["knowledge", "search", "申报不实", "--mode", "bm25_bigrams", "--json"]) == 0
    assert _last_json(capsys)["mode"] == "bm25_bigrams"

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


def _parser():
    import argparse

    from knowledge import cli as knowledge_cli
    from qa import cli as qa_cli

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true")
    parser = argparse.ArgumentParser(prog="portsentinel")
    sub = parser.add_subparsers(dest="command")
    knowledge_cli.register(sub, common)
    qa_cli.register(sub, common)  # adds `knowledge search` to the knowledge command
    return parser


@pytest.mark.unit
def test_knowledge_search_and_ask_handlers_over_a_tiny_index(tmp_path, monkeypatch):
    from ps_kb_fixtures import write_tiny_corpus

    corpus = write_tiny_corpus(tmp_path / "corpus")
    monkeypatch.setenv("PS_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("PS_KNOWLEDGE_MODEL_PATH", "none")
    p = _parser()
    args = p.parse_args(["knowledge", "build", "--corpus", str(corpus), "--no-guide",
                         "--no-dense"])
    assert args.handler(args)["documents"] == 3
    args = p.parse_args(["knowledge", "search", "进口动物产品检疫审批", "-k", "2"])
    res = args.handler(args)
    assert res["mode"] == "tuned" and res["hits"][0]["citation"] == "《中华人民共和国甲法》第三条"
    args = p.parse_args(["knowledge", "search", "检疫", "--mode", "bm25_words"])
    assert args.handler(args)["hits"][0]["citation"] == "《中华人民共和国甲法》第三条"
    args = p.parse_args(["ask", "进口动物产品要办检疫审批吗？"])
    ans = args.handler(args)
    assert ans["answered"] and ans["citations"][0]["citation"] == "《中华人民共和国甲法》第三条"
    args = p.parse_args(["knowledge", "show", ans["citations"][0]["article_id"]])
    assert args.handler(args)["citation"] == "《中华人民共和国甲法》第三条"
    with pytest.raises(SystemExit):
        p.parse_args(["knowledge", "search", "x", "--mode", "magic"])

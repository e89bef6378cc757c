import json

import pytest

from qa.evaluate import calibrate, evaluate, load_questions
from qa.exceptions import EvaluationError


@pytest.mark.unit
def test_questions_file_errors_name_the_line(tmp_path):
    f = tmp_path / "q.jsonl"
    f.write_text('{"question": "a", "gold": [{"law": "x", "article": "第一条"}]}\n{"gold": []}\n',
                 encoding="utf-8")
    with pytest.raises(EvaluationError, match=":2:"):
        load_questions(f)
    f.write_text('{"question": "a", "answerable": true}\n', encoding="utf-8")
    with pytest.raises(EvaluationError, match="without 'gold'"):
        load_questions(f)


def _write(tmp_path, rows):
    f = tmp_path / "q.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return load_questions(f)


@pytest.mark.unit
def test_evaluate_scores_ranks_answers_and_refusals(tiny_kb, tmp_path):
    qs = _write(tmp_path, [
        {"question": "进口动物产品要办检疫审批吗", "gold": [{"law": "中华人民共和国甲法",
                                                  "article": "第三条"}]},
        {"question": "船舶进出港口要向谁报告", "gold": [{"law": "中华人民共和国乙条例",
                                                "article": "第二条"}]},
        {"question": "今天美元汇率多少", "gold": [], "answerable": False},
    ])
    res = evaluate(tiny_kb, qs, per_question=True)
    assert res["n"] == 3 and res["n_answerable"] == 2 and res["n_unanswerable"] == 1
    # the second gold is wrong on purpose (乙条例 第一条 speaks of ports): a miss
    rows = {r["question"]: r for r in res["questions"]}
    assert rows["进口动物产品要办检疫审批吗"]["rank"] == 1
    assert rows["船舶进出港口要向谁报告"]["rank"] is None
    assert rows["船舶进出港口要向谁报告"]["top"][0] == "《中华人民共和国乙条例》第一条"
    assert res["recall@1"] == res["recall@10"] == res["mrr@10"] == 0.5
    assert res["refusal_rate"] == 1.0 and res["citations_in_retrieved"] == 1.0
    bm25 = evaluate(tiny_kb, qs, mode="bm25_bigrams", answer=False)
    assert bm25["mode"] == "bm25_bigrams" and "refusal_rate" not in bm25
    cal = calibrate(res["questions"], 0.5)
    assert cal["answer_rate"] >= 0.5 and cal["refusal_rate"] == 1.0


@pytest.mark.unit
def test_gold_by_file_misses_another_version_of_the_same_title(tiny_kb, tmp_path):
    from qa.evaluate import _is_gold, without_docs

    a = next(x for x in tiny_kb.articles if x.law.endswith("甲法") and x.number == "第三条")
    path = tiny_kb.docs[a.doc_id].path
    assert _is_gold(a, [{"file": path, "title": a.law, "article": "第三条"}], tiny_kb)
    assert not _is_gold(a, [{"file": "行政法/甲法(1999).md", "title": a.law,
                             "article": "第三条"}], tiny_kb)
    assert not _is_gold(a, [{"file": path, "title": a.law, "article": "第四条"}], tiny_kb)
    qs = _write(tmp_path, [{"question": "进口动物产品要办检疫审批吗",
                            "gold": [{"file": path, "title": a.law, "article": "第三条"}]}])
    assert evaluate(tiny_kb, qs, mode="bm25_bigrams", answer=False)["recall@1"] == 1.0
    # hiding texts by path prefix (the case set hides 案例/): nothing retrieved from them
    before = set(tiny_kb.removed)
    with without_docs(tiny_kb, path.split("/")[0] + "/") as n:
        assert n == 4
        res = evaluate(tiny_kb, qs, mode="bm25_bigrams", answer=False)
        assert res["recall@10"] == 0.0
    assert tiny_kb.removed == before


@pytest.mark.unit
def test_eval_sets_split_by_the_fixed_rule_and_disjoint():
    from pathlib import Path

    from qa.evaluate import eval_sets, split_of

    repo = Path(__file__).resolve().parents[2]
    sets = eval_sets(repo / "bench" / "qa_eval", repo / "tests" / "data" / "qa_dev.jsonl")
    assert len(sets["dev-tune"]) == 123 and len(sets["dev-test"]) == 112
    assert all(split_of(q["question"]) == "tune" for q in sets["dev-tune"])
    assert {q["question"] for q in sets["dev-tune"]}.isdisjoint(
        q["question"] for q in sets["dev-test"])
    assert {q["id"] for q in sets["tune"]}.isdisjoint(q["id"] for q in sets["test"])
    assert split_of("sit-001") == next(q["split"] for q in sets["tune"] + sets["test"]
                                       if q["id"] == "sit-001")


@pytest.mark.unit
def test_calibrate_with_sets_keeps_the_answer_rate_in_every_set():
    # pooled, t=0.5 answers 9 of 10 answerable; but set "b" then answers only 1 of 2
    rows = ([{"answerable": True, "confidence": 0.9, "set": "a"}] * 8
            + [{"answerable": True, "confidence": 0.9, "set": "b"},
               {"answerable": True, "confidence": 0.4, "set": "b"},
               {"answerable": False, "confidence": 0.45, "set": "a"}])
    pooled = calibrate([{k: v for k, v in r.items() if k != "set"} for r in rows], 0.9)
    assert pooled["threshold"] == 0.9 and pooled["refusal_rate"] == 1.0
    per_set = calibrate(rows, 0.9)
    assert per_set["threshold"] <= 0.4 and per_set["refusal_rate"] == 0.0

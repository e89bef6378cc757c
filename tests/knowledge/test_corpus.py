import re

import pytest

from knowledge.corpus import load_corpus, load_file
from knowledge.exceptions import CorpusError
from knowledge.guide import parse_guide
from kb_sample import SAMPLE


@pytest.mark.unit
def test_missing_corpus_folder_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "absent")


@pytest.mark.unit
def test_later_text_marks_the_one_it_repeals(tmp_path):
    (tmp_path / "old.md").write_text("# 中华人民共和国旧条例\n\n<!-- INFO END -->\n\n第一条 旧。\n",
                                     encoding="utf-8")
    (tmp_path / "new(2024-01-01).md").write_text(
        "# 中华人民共和国新法\n\n<!-- INFO END -->\n\n第一条 新。\n\n"
        "第二条 本法自公布之日起施行。《中华人民共和国旧条例》同时废止。\n", encoding="utf-8")
    docs, arts, _ = load_corpus(tmp_path)
    by = {d.title: d for d in docs}
    assert by["中华人民共和国旧条例"].status == "已废止"
    assert by["中华人民共和国旧条例"].repealed_by == "中华人民共和国新法 第二条"
    assert by["中华人民共和国新法"].status == "有效"
    assert {a.status for a in arts if a.doc_id == by["中华人民共和国旧条例"].id} == {"已废止"}


@pytest.mark.unit
def test_bad_file_is_reported_not_fatal(tmp_path):
    (tmp_path / "ok.md").write_text(SAMPLE, encoding="utf-8")
    (tmp_path / "empty.md").write_text("", encoding="utf-8")
    (tmp_path / "binary.md").write_bytes(b"\xff\xfe\x00bad")
    docs, arts, report = load_corpus(tmp_path)
    assert len(docs) == 1 and report.articles == 4
    assert {b["path"].split("/")[-1] for b in report.bad_files} == {"empty.md", "binary.md"}


@pytest.mark.integration
def test_port_texts_article_counts_match_headings(corpus_dir):
    heading = re.compile(r"^第[零〇一二两三四五六七八九十百千]+条(之[一二三四五六七八九十]+)?[ \u3000]")
    rels = (corpus_dir.parent / "port-laws.txt").read_text(encoding="utf-8").split()
    assert len(rels) == 43
    for rel in rels:
        path = corpus_dir / rel
        expected = sum(1 for ln in path.read_text(encoding="utf-8").splitlines()
                       if heading.match(ln.strip()))
        doc, arts = load_file(path, corpus_dir)
        assert doc.n_articles == expected, rel


@pytest.mark.integration
def test_whole_corpus_loads_with_metadata(corpus_dir, guide_file):
    docs, arts, report = load_corpus(corpus_dir, [guide_file])
    assert report.bad_files == []
    assert len(docs) == 1565  # 1,564 texts + the guide
    assert len({a.id for a in arts}) == len(arts)
    by_title = {d.title: d for d in docs}
    tariff = by_title["中华人民共和国进出口关税条例"]
    assert tariff.status == "已废止" and "关税法" in tariff.repealed_by
    customs = by_title["中华人民共和国海关法"]
    assert customs.enacted == "1987-01-22" and customs.version_date == "2021-04-29"
    assert customs.kind == "法律"
    kinds = {d.kind for d in docs}
    assert {"法律", "行政法规", "司法解释", "案例", "部门规章", "guide"} <= kinds


@pytest.mark.integration
def test_guide_clauses_are_sections(guide_file):
    doc, arts = parse_guide(guide_file.read_text(encoding="utf-8"), relpath=guide_file.name)
    by_num = {a.number: a for a in arts}
    assert "10.3.1" in by_num and "在线咨询" in by_num["10.3.1"].text
    assert by_num["13.2.5"].text.startswith("智能客服中心")
    assert doc.kind == "guide"

import json
import shutil

import pytest

from knowledge.build import add_files, build_kb
from knowledge.exceptions import ArticleNotFoundError, IndexNotBuiltError
from knowledge.kb import KnowledgeBase, law_aliases
from ps_kb_fixtures import TINY, write_tiny_corpus


def _art(kb, law_suffix, number):
    return next(a for a in kb.articles if a.law.endswith(law_suffix) and a.number == number)


@pytest.mark.unit
def test_tiny_build_parses_links_and_scores_domain(tiny_kb):
    kb = tiny_kb
    assert len(kb.docs) == 3 and len(kb.articles) == 9
    assert kb.dense is None and kb.embedder is None and not kb.dense_ready()
    target = _art(kb, "甲法", "第二条")
    citing = _art(kb, "乙条例", "第三条")
    assert kb.cited_by(target.id) == [citing.id]
    assert {c["name"] for c in _art(kb, "甲法", "第一条").concepts} >= {"报关单", "海关"}
    by_title = {d.title: d for d in kb.docs.values()}
    assert by_title["中华人民共和国甲法"].domain == 0.75  # 3 of its 4 articles name port terms
    assert by_title["丙办法"].domain == 0.5


@pytest.mark.unit
def test_lookups_name_laws_and_articles(tiny_kb):
    kb = tiny_kb
    laws = kb.match_laws("乙条例第二条和《中华人民共和国甲法》第三条怎么规定？")
    assert [name for name, _ in laws] == ["中华人民共和国甲法", "乙条例"]
    jia, yi = laws[0][1], laws[1][1]
    assert kb.find_article(jia, 3).number == "第三条"
    assert kb.find_article(yi, 99) is None
    assert [a.number for a in kb.doc_articles(jia[0])] == ["第一条", "第二条", "第三条", "第四条"]
    assert kb.match_laws("甲法") == []  # a two-character short name is no alias
    a = kb.article(kb.articles[4].id)
    assert kb.row(a.id) == 4 and 4 in list(kb.doc_rows(a.doc_id))
    with pytest.raises(ArticleNotFoundError):
        kb.article("nope")
    with pytest.raises(ArticleNotFoundError):
        kb.document("nope")
    assert law_aliases("中华人民共和国海关法（2021修正）") == {
        "中华人民共和国海关法（2021修正）", "海关法"}


@pytest.mark.unit
def test_saved_base_loads_back_the_same(tiny_kb):
    again = KnowledgeBase.load(tiny_kb.settings, tiny_kb.folder)
    assert [a.to_json() for a in again.articles] == [a.to_json() for a in tiny_kb.articles]
    assert {k: d.to_json(full=True) for k, d in again.docs.items()} == \
        {k: d.to_json(full=True) for k, d in tiny_kb.docs.items()}
    q = ["申报", "罚款"]
    assert again.bm25_words.search(q, k=3) == tiny_kb.bm25_words.search(q, k=3)
    assert again.bm25_bigrams.search("检疫审批", k=3) == tiny_kb.bm25_bigrams.search("检疫审批", k=3)
    assert "申报" in again.vocabulary()
    meta = json.loads((tiny_kb.folder / "meta.json").read_text())
    assert meta["format"] == 1 and meta["documents"] == 3 and meta["removed"] == []


@pytest.mark.unit
def test_missing_or_old_index_is_not_built(tiny_kb, tmp_path):
    with pytest.raises(IndexNotBuiltError, match="knowledge build"):
        KnowledgeBase.load(tiny_kb.settings, tmp_path / "absent")
    shutil.copytree(tiny_kb.folder, tmp_path / "old")
    meta = json.loads((tmp_path / "old" / "meta.json").read_text())
    (tmp_path / "old" / "meta.json").write_text(json.dumps({**meta, "format": 0}))
    with pytest.raises(IndexNotBuiltError, match="old format"):
        KnowledgeBase.load(tiny_kb.settings, tmp_path / "old")
    with pytest.raises(IndexNotBuiltError):
        KnowledgeBase(tiny_kb.settings).check_built()


@pytest.mark.unit
def test_add_files_adds_new_texts_and_replaces_changed_ones(tiny_kb, tmp_path):
    shutil.copytree(tiny_kb.folder, tmp_path / "copy")
    kb = KnowledgeBase.load(tiny_kb.settings, tmp_path / "copy")
    root = write_tiny_corpus(tmp_path / "corpus")
    new = root / "其他" / "丁规定.md"
    new.write_text("# 丁规定\n\n<!-- INFO END -->\n\n第一条 过境货物应当接受海关监管。\n",
                   encoding="utf-8")
    res = add_files(kb, [new], root=root)
    assert res == {"added_documents": 1, "added_articles": 1, "bad_files": []}
    assert kb.bm25_bigrams.search("过境货物", k=1)[0][0] == kb.articles[-1].id
    assert add_files(kb, [new], root=root)["added_documents"] == 0  # unchanged: nothing
    changed = root / "其他" / "丙办法.md"
    old_ids = [a.id for a in kb.articles if a.law == "丙办法"]
    changed.write_text(TINY["其他/丙办法.md"] + "\n第三条 新增条文。\n", encoding="utf-8")
    res = add_files(kb, [changed], root=root)
    assert res["added_articles"] == 3
    assert [a.number for a in kb.articles if a.law == "丙办法"] == ["第一条", "第二条", "第三条"]
    assert set(old_ids) <= {a.id for a in kb.articles}  # same ids again: not tombstoned
    assert kb.removed == set()
    reloaded = KnowledgeBase.load(kb.settings, kb.folder)
    assert len(reloaded.articles) == len(kb.articles) == 11


@pytest.mark.unit
def test_build_refuses_an_empty_corpus(tmp_path, tiny_kb):
    (tmp_path / "c").mkdir()
    from knowledge.exceptions import KnowledgeError

    with pytest.raises(KnowledgeError, match="no texts"):
        build_kb(corpus_dir=tmp_path / "c", settings=tiny_kb.settings, dense=False,
                 out_dir=tmp_path / "out")


@pytest.mark.integration
@pytest.mark.slow
def test_small_real_index_has_dense_vectors_and_reloads(small_kb):
    kb = small_kb
    assert kb.dense is not None and len(kb.dense) == len(kb.articles)
    again = KnowledgeBase.load(kb.settings)
    assert len(again.articles) == len(kb.articles)
    assert again.dense is not None and len(again.dense) == len(kb.dense)
    assert [d for d in again.docs.values() if d.kind == "guide"] != []


@pytest.mark.integration
@pytest.mark.slow
def test_add_files_updates_index_incrementally(small_kb, corpus_dir, tmp_path):
    shutil.copytree(small_kb.folder, tmp_path / "copy")
    kb = KnowledgeBase.load(small_kb.settings, tmp_path / "copy")
    n_before = len(kb.articles)
    path = corpus_dir / "行政法规/海关事务担保条例(2018-03-19).md"
    res = add_files(kb, [path], root=corpus_dir)
    assert res["added_documents"] == 1 and res["added_articles"] > 20
    assert len(kb.articles) == n_before + res["added_articles"]
    top = kb.bm25_bigrams.search("海关事务担保 担保财产 权利", k=1)[0][0]
    assert "海关事务担保条例" in kb.by_id[top].law
    assert len(kb.dense) == len(kb.articles)
    # re-adding the same unchanged file changes nothing
    assert add_files(kb, [path], root=corpus_dir)["added_documents"] == 0

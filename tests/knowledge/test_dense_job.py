"""The dense index over the real ONNX model: incremental re-embedding, background filling
with coverage, the embedding order and the progress object."""

import shutil

import pytest

from knowledge.build import add_files, build_kb
from knowledge.config import KnowledgeSettings
from knowledge.dense_build import DenseProgress, embedding_order, superseded_docs
from knowledge.kb import KnowledgeBase
from knowledge.models import Article, Document
from ps_kb_fixtures import TINY, write_tiny_corpus


def _settings(tmp_path, root, **kw):
    return KnowledgeSettings(data_dir=tmp_path / "data", corpus_dir=root, extra_files=[],
                             priority_file=tmp_path / "port.txt", zh_max_length=64, **kw)


@pytest.mark.integration
def test_editing_one_article_re_embeds_only_that_article(tmp_path):
    root = write_tiny_corpus(tmp_path / "c")
    (tmp_path / "port.txt").write_text("行政法规/乙条例.md\n", encoding="utf-8")
    s = _settings(tmp_path, root)
    msgs: list[str] = []
    kb, rep = build_kb(corpus_dir=root, settings=s, progress=msgs.append)
    assert rep["dense"] and len(kb.dense) == 9 and kb.dense_coverage()["state"] == "done"
    assert any("0 of 9 articles from the embedding cache, 9 to embed" in m for m in msgs)
    jia = root / "行政法/甲法.md"
    jia.write_text(TINY["行政法/甲法.md"].replace("处以罚款", "处以警告或者罚款"),
                   encoding="utf-8")
    msgs.clear()
    kb2, _ = build_kb(corpus_dir=root, settings=s, progress=msgs.append)
    assert any("8 of 9 articles from the embedding cache, 1 to embed" in m for m in msgs)
    edited = next(a for a in kb2.articles if "警告" in a.text)
    hit = kb2.dense.search(kb2.embedder.embed(["申报不实给予警告"])[0], 1)[0][0]
    assert hit == edited.id
    # add_files on the loaded base: the changed text replaces the old one, cache reused
    jia.write_text(TINY["行政法/甲法.md"], encoding="utf-8")
    kb3 = KnowledgeBase.load(s)
    res = add_files(kb3, [jia], root=root)
    assert res["added_documents"] == 1 and res["added_articles"] == 4
    assert len(kb3.articles) == 9 and len(kb3.dense) == 9  # no stale vector left
    art = next(a for a in kb3.articles if a.law.endswith("甲法") and a.number == "第二条")
    row = kb3.dense.ids.index(art.id)
    now = kb3.embedder.embed([f"{art.law} {art.number} {art.text}"])[0]
    assert float(kb3.dense._index.reconstruct(row) @ now) > 0.98 and "警告" not in art.text


@pytest.mark.integration
def test_background_build_serves_port_texts_first_and_reports_coverage(tmp_path):
    root = write_tiny_corpus(tmp_path / "c")
    (tmp_path / "port.txt").write_text("行政法规/乙条例.md\n", encoding="utf-8")
    s = _settings(tmp_path, root)
    kb, rep = build_kb(corpus_dir=root, settings=s, background=True)
    first = rep["dense_coverage"]
    assert first["total"] == 9 and first["embedded"] >= 3  # 乙条例's 3 articles at least
    assert kb.dense_job is not None
    kb.dense_job.join(120)
    cov = kb.dense_coverage()
    assert cov == {**cov, "state": "done", "embedded": 9, "total": 9, "coverage": 1.0}
    again = KnowledgeBase.load(s)  # the job saved the completed index
    assert len(again.dense) == 9 and again.dense_coverage()["state"] == "done"


@pytest.mark.integration
def test_an_interrupted_background_build_resumes(tmp_path):
    root = write_tiny_corpus(tmp_path / "c")
    (tmp_path / "port.txt").write_text("行政法规/乙条例.md\n", encoding="utf-8")
    s = _settings(tmp_path, root)
    kb, _ = build_kb(corpus_dir=root, settings=s)
    keep = [a.id for a in kb.articles if a.law.endswith("乙条例")]
    shutil.rmtree(tmp_path / "data" / "knowledge-cache")  # force real embedding again
    from knowledge.faiss_index import FaissIndex

    part = FaissIndex(kb.dense.dim)
    part.add(keep, kb.embedder.embed([f"{kb.by_id[i].law} {kb.by_id[i].number} "
                                      f"{kb.by_id[i].text}" for i in keep]))
    kb.dense = part
    kb.save_dense()
    loaded = KnowledgeBase.load(s)
    assert loaded.dense_coverage() == {**loaded.dense_coverage(), "state": "partial",
                                       "embedded": 3, "total": 9}
    job = loaded.resume_dense()
    job.join(120)
    assert loaded.dense_coverage()["state"] == "done" and len(loaded.dense) == 9


def _doc(i, title, path, version, kind="法律"):
    return Document(id=i, title=title, path=path, kind=kind, version_date=version)


def _a(i, doc):
    return Article(id=i, doc_id=doc, law="x", number="第一条", num=1, text="t")


@pytest.mark.unit
def test_embedding_order_port_texts_then_in_force_then_superseded_and_cases():
    docs = {d.id: d for d in [
        _doc("old", "中华人民共和国海关法", "行政法/海关法(2017).md", "2017-11-04"),
        _doc("new", "中华人民共和国海关法", "行政法/海关法(2021).md", "2021-04-29"),
        _doc("civil", "中华人民共和国民法典", "民法典/合同编.md", "2020-05-28"),
        _doc("case", "某案", "案例/劳动人事/某案.md", None, kind="案例"),
        _doc("port", "中华人民共和国港口法", "经济法/港口法.md", "2018-12-29")]}
    arts = [_a("a-old", "old"), _a("a-case", "case"), _a("a-civil", "civil"),
            _a("a-new", "new"), _a("a-port", "port")]
    assert superseded_docs(docs.values()) == {"old"}
    order = embedding_order(docs, arts, ["经济法/港口法.md"])
    assert [a.id for a in order] == ["a-port", "a-civil", "a-new", "a-old", "a-case"]


@pytest.mark.unit
def test_progress_reports_coverage_rate_and_eta():
    p = DenseProgress(bar=False)
    assert p.to_json()["state"] == "pending"
    p.start(100, already=20)
    p.started -= 10.0  # ten seconds ago
    p.advance(30)
    j = p.to_json()
    assert (j["state"], j["embedded"], j["total"], j["coverage"]) == ("running", 50, 100, 0.5)
    assert j["rate_per_s"] == pytest.approx(3.0, rel=0.05)
    assert j["eta_s"] == pytest.approx(50 / 3.0, rel=0.05)
    p.finish(error="ModelLoadError: gone")
    assert p.to_json()["state"] == "failed" and "gone" in p.to_json()["error"]

import numpy as np
import pytest

from knowledge.bm25_index import BM25Index
from knowledge.faiss_index import FaissIndex
from knowledge.fusion import rrf
from knowledge.kb import KnowledgeBase, add_files


@pytest.mark.unit
def test_rrf_prefers_items_ranked_high_by_several_lists():
    fused = rrf({"a": ["x", "y", "z"], "b": ["y", "x"], "c": ["y"]})
    assert [i for i, _ in fused][:2] == ["y", "x"]


@pytest.mark.unit
def test_bm25_bigram_index_round_trip(tmp_path):
    idx = BM25Index("bigrams")
    idx.add(["a", "b", "c"], ["进口冻肉检疫审批", "出口两用物项许可", "船舶吨税"])
    assert idx.search("冻肉要检疫吗", k=1)[0][0] == "a"
    idx.save(tmp_path / "bm")
    again = BM25Index.load(tmp_path / "bm")
    assert again.search("两用物项出口", k=1)[0][0] == "b"


@pytest.mark.unit
def test_faiss_index_switches_to_hnsw_and_persists(tmp_path):
    rng = np.random.default_rng(0)
    v = rng.normal(size=(60, 16)).astype("float32")
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    idx = FaissIndex(16, flat_max=40)
    idx.add([f"i{i}" for i in range(30)], v[:30])
    assert idx.kind == "flat"
    idx.add([f"i{i}" for i in range(30, 60)], v[30:])  # incremental add past the threshold
    assert idx.kind == "hnsw" and len(idx) == 60
    assert idx.search(v[45], k=1)[0][0] == "i45"
    idx.save(tmp_path / "f")
    assert FaissIndex.load(tmp_path / "f").search(v[5], k=1)[0][0] == "i5"


@pytest.mark.integration
@pytest.mark.slow
def test_small_real_index_retrieves_and_reloads(small_kb):
    kb = small_kb
    assert kb.dense is not None and len(kb.dense) == len(kb.articles)
    laws = kb.match_laws("海关法第八十六条怎么规定")
    hits = kb.search("海关法第八十六条怎么规定", k=3,
                     law_doc_ids=[d for _, ids in laws for d in ids], article_num=(86, 0))
    assert kb.by_id[hits[0].article_id].citation == "《中华人民共和国海关法》第八十六条"
    hits = kb.search("申报不实 罚款", k=10)
    cites = [kb.by_id[h.article_id].citation for h in hits]
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" in cites
    dense = kb.search("smart port single window", k=5, mode="dense")
    assert len(dense) == 5
    again = KnowledgeBase.load(kb.settings)
    assert len(again.articles) == len(kb.articles)
    assert again.search("申报不实 罚款", k=1)[0].article_id == hits[0].article_id
    guide = [d for d in again.docs.values() if d.kind == "guide"]
    assert len(guide) == 1


@pytest.mark.integration
@pytest.mark.slow
def test_add_files_updates_index_incrementally(small_kb, corpus_dir, tmp_path):
    import shutil

    shutil.copytree(small_kb.folder, tmp_path / "copy")
    kb = KnowledgeBase.load(small_kb.settings, tmp_path / "copy")
    n_before = len(kb.articles)
    path = corpus_dir / "行政法规/海关事务担保条例(2018-03-19).md"
    res = add_files(kb, [path], root=corpus_dir)
    assert res["added_documents"] == 1 and res["added_articles"] > 20
    assert len(kb.articles) == n_before + res["added_articles"]
    hit = kb.search("海关事务担保 担保财产 权利", k=3)[0]
    assert "海关事务担保条例" in kb.by_id[hit.article_id].law
    assert len(kb.dense) == len(kb.articles)
    # re-adding the same unchanged file changes nothing
    assert add_files(kb, [path], root=corpus_dir)["added_documents"] == 0

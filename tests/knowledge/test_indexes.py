import numpy as np
import pytest

from knowledge.base import Embedder, Index
from knowledge.bm25_index import BM25Index
from knowledge.faiss_index import FaissIndex
from knowledge.st_embedder import SentenceTransformerEmbedder


@pytest.mark.unit
def test_backends_implement_the_interfaces(tmp_path):
    assert isinstance(BM25Index("words"), Index)
    assert isinstance(FaissIndex(8), Index)
    assert Embedder in SentenceTransformerEmbedder.__mro__
    # __init__ only stores config: a missing model folder fails at warm_up, not before
    emb = SentenceTransformerEmbedder(tmp_path / "absent")
    from knowledge.exceptions import ModelLoadError

    with pytest.raises(ModelLoadError, match="not found"):
        emb.warm_up()


@pytest.mark.unit
def test_bm25_bigram_index_round_trip(tmp_path):
    idx = BM25Index("bigrams")
    idx.add(["a", "b", "c"], ["进口冻肉检疫审批", "出口两用物项许可", "船舶吨税"])
    assert idx.search("冻肉要检疫吗", k=1)[0][0] == "a"
    idx.save(tmp_path / "bm")
    again = BM25Index.load(tmp_path / "bm")
    assert again.search("两用物项出口", k=1)[0][0] == "b"


@pytest.mark.unit
def test_bm25_mask_limits_the_candidates():
    idx = BM25Index("bigrams")
    idx.add(["a", "b"], ["进口冻肉检疫", "进口冻肉检疫审批"])
    assert {i for i, _ in idx.search("进口冻肉", k=2)} == {"a", "b"}
    assert [i for i, _ in idx.search("进口冻肉", k=2, mask=np.array([True, False]))] == ["a"]
    assert [i for i, _ in idx.search("进口冻肉", k=2, mask=np.array([False, True]))] == ["b"]


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

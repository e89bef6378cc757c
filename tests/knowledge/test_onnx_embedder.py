"""The bge-small-zh ONNX embedder, run for real from PS_ZH_MODEL_DIR (``make zh-model``)."""

import numpy as np
import pytest

from knowledge.config import KnowledgeSettings
from knowledge.exceptions import ModelLoadError
from knowledge.onnx_embedder import OnnxEmbedder


@pytest.fixture(scope="module")
def emb():
    s = KnowledgeSettings()
    e = OnnxEmbedder(s.zh_model_dir, max_length=64, batch_size=4, threads=1)
    e.warm_up()
    return e


@pytest.mark.integration
def test_vectors_are_normalised_and_in_input_order(emb):
    texts = ["船舶进出港口，应当向海事管理机构报告。", "工资",
             "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。",
             "进口货物的收货人应当向海关如实申报。", "狗"]
    v = emb.embed(texts)
    assert v.shape == (5, 512) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    # batches sorted by length with dynamic padding give each text its own vector (int8
    # dynamic quantisation scales per batch, so a batch changes vectors a little)
    one_by_one = np.vstack([emb.embed([t]) for t in texts])
    cos = v @ one_by_one.T
    assert (np.diag(cos) > 0.98).all() and (cos.argmax(axis=1) == np.arange(5)).all()
    done = []
    emb.embed(texts, progress=done.append)
    assert done == [4, 5]


@pytest.mark.integration
def test_colloquial_question_is_near_the_statutory_article(emb):
    q, wage, port, pet = emb.embed([
        "公司拖欠工资怎么办",
        "用人单位应当按照劳动合同约定和国家规定，向劳动者及时足额支付劳动报酬。",
        "船舶进出港口，应当向海事管理机构报告船舶的航次计划。",
        "饲养的动物造成他人损害的，动物饲养人或者管理人应当承担侵权责任。"])
    assert q @ wage > q @ port and q @ wage > q @ pet
    dog = emb.embed(["被邻居家的狗咬伤了谁赔"])[0]
    assert dog @ pet > dog @ wage and dog @ pet > dog @ port


@pytest.mark.integration
def test_truncates_at_max_length_and_embeds_empty_text(emb):
    long = "海关" * 400
    v = emb.embed([long, ""])
    assert np.isfinite(v).all() and v.shape == (2, 512)
    assert emb.key.endswith("|64") and "bge-small-zh-v1.5-q" in emb.key


@pytest.mark.unit
def test_missing_model_names_the_path_and_make_target(tmp_path):
    e = OnnxEmbedder(tmp_path / "nowhere")
    with pytest.raises(ModelLoadError) as err:
        e.warm_up()
    msg = str(err.value)
    assert str(tmp_path / "nowhere" / "bge-small-zh-v1.5-q.onnx") in msg
    assert "make zh-model" in msg and "PS_ZH_MODEL_DIR" in msg


@pytest.mark.unit
def test_model_dir_comes_from_ps_zh_model_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("PS_ZH_MODEL_DIR", str(tmp_path))
    assert KnowledgeSettings().zh_model_dir == tmp_path


@pytest.mark.integration
def test_a_cache_of_another_max_length_is_not_reused(tmp_path):
    import numpy as np

    from knowledge.dense_build import cache_key, make_embedder
    from knowledge.embedding_cache import EmbeddingCache

    s = KnowledgeSettings()
    assert (s.zh_max_length, s.zh_batch_size) == (128, 8)
    new = make_embedder(s)
    old = make_embedder(s, {"embedder": {"kind": "onnx", "path": str(s.zh_model_dir),
                                         "max_length": 64}})
    assert (new.max_length, old.max_length) == (128, 64)  # a built base keeps its own length
    assert cache_key(new) != cache_key(old)
    stale = EmbeddingCache(tmp_path, cache_key(old))
    stale.get_or_embed(["海关"], lambda ts: np.ones((len(ts), 512), dtype=np.float32))
    fresh = EmbeddingCache(tmp_path, cache_key(new))
    assert fresh.folder != stale.folder and fresh.keys == {}


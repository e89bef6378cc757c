import copy

import numpy as np
import pytest

from knowledge.base import Embedder
from knowledge.faiss_index import FaissIndex
from knowledge.kb import KnowledgeBase
from qa.base import Hit, QueryHints, Retriever
from qa.exceptions import QAError
from qa.retrieval import retriever_for, to_passages
from qa.retrievers import BM25Retriever, FaissEmbeddingRetriever, HybridRetriever


class BigramHashEmbedder(Embedder):
    """A deterministic stand-in model: hashed character bigrams, L2-normalised."""

    name = "bigram-hash"
    cjk_capable = True
    dim = 64

    def __init__(self):
        self.calls = 0

    def warm_up(self) -> None:
        pass

    def embed(self, texts):
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for r, t in enumerate(texts):
            for a, b in zip(t, t[1:]):
                out[r, (ord(a) * 31 + ord(b)) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


@pytest.fixture()
def dense_kb(tiny_kb):
    """The tiny base with a dense index from the stand-in model (a shallow copy)."""
    kb = copy.copy(tiny_kb)
    kb.embedder = BigramHashEmbedder()
    kb.dense = FaissIndex(kb.embedder.dim)
    kb.dense.add([a.id for a in kb.articles], kb.embedder.embed([a.text for a in kb.articles]))
    kb.removed = set()
    return kb


def _cite(kb, hits):
    return [kb.by_id[h.article_id].citation for h in hits]


@pytest.mark.unit
def test_every_mode_has_a_retriever_implementing_the_interface(tiny_kb):
    names = {}
    for mode in ("bm25_words", "bm25_bigrams", "bm25", "dense", "fused", "reranked"):
        r = retriever_for(tiny_kb, mode)
        assert isinstance(r, Retriever)
        names[mode] = (type(r), r.name)
    assert names == {"bm25_words": (BM25Retriever, "bm25_words"),
                     "bm25_bigrams": (BM25Retriever, "bm25_bigrams"),
                     "dense": (FaissEmbeddingRetriever, "dense"),
                     "bm25": (HybridRetriever, "bm25"), "fused": (HybridRetriever, "fused"),
                     "reranked": (HybridRetriever, "reranked")}
    with pytest.raises(QAError, match="unknown retrieval mode"):
        retriever_for(tiny_kb, "magic")
    with pytest.raises(QAError):
        BM25Retriever(tiny_kb, "letters")


@pytest.mark.unit
def test_retrievers_refuse_an_unbuilt_base(tiny_kb):
    from knowledge.exceptions import IndexNotBuiltError

    empty = KnowledgeBase(tiny_kb.settings)
    for mode in ("bm25_bigrams", "dense", "reranked"):
        with pytest.raises(IndexNotBuiltError):
            retriever_for(empty, mode).retrieve("申报", 3)
        with pytest.raises(IndexNotBuiltError):
            retriever_for(empty, mode).warm_up()


@pytest.mark.unit
def test_bm25_retrievers_rank_the_matching_article_first(tiny_kb):
    for tok in ("words", "bigrams"):
        hits = BM25Retriever(tiny_kb, tok).retrieve("请问进口动物产品要办检疫审批吗？", 3)
        assert _cite(tiny_kb, hits)[0] == "《中华人民共和国甲法》第三条", tok
        assert all(isinstance(h, Hit) and set(h.stages) == {f"bm25_{tok}"} for h in hits)
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


@pytest.mark.unit
def test_bm25_restricts_to_documents_and_skips_tombstones(tiny_kb):
    r = BM25Retriever(tiny_kb, "bigrams")
    yi = next(d.id for d in tiny_kb.docs.values() if d.title == "中华人民共和国乙条例")
    inside = r.retrieve("罚款", 5, doc_ids=[yi])
    assert inside and {tiny_kb.by_id[h.article_id].doc_id for h in inside} == {yi}
    everywhere = r.retrieve("罚款", 5)
    assert len(everywhere) > len(inside)
    kb = copy.copy(tiny_kb)
    kb.removed = {everywhere[0].article_id}
    assert everywhere[0].article_id not in {h.article_id for h in
                                            BM25Retriever(kb, "bigrams").retrieve("罚款", 5)}


@pytest.mark.unit
def test_extra_query_from_earlier_turns_is_searched_too(tiny_kb):
    r = BM25Retriever(tiny_kb, "bigrams")
    alone = r.retrieve("是多少", 3)
    assert alone == []
    hits = r.retrieve("是多少", 3, hints=QueryHints(extra_query="罚款数额"))
    assert _cite(tiny_kb, hits)[0] == "《中华人民共和国乙条例》第三条"


@pytest.mark.unit
def test_dense_retriever_uses_the_embedder_and_skips_replaced_texts(dense_kb, tiny_kb):
    r = FaissEmbeddingRetriever(dense_kb)
    hits = r.retrieve("集装箱货物的提单", 2)
    assert _cite(dense_kb, hits)[0] == "《中华人民共和国乙条例》第二条"
    assert set(hits[0].stages) == {"dense"} and 0.0 < hits[0].score <= 1.0
    # the dense text may differ from the lexical query (English questions embed as asked)
    calls = dense_kb.embedder.calls
    via_hint = r.retrieve("x", 1, hints=QueryHints(dense_query="集装箱货物的提单"))
    assert [h.article_id for h in via_hint] == [hits[0].article_id]
    assert dense_kb.embedder.calls == calls + 1
    dense_kb.removed = {hits[0].article_id}
    assert hits[0].article_id not in {h.article_id for h in r.retrieve("集装箱货物的提单", 2)}
    # no dense index, or a model without Chinese for a Chinese query: no dense answer
    assert FaissEmbeddingRetriever(tiny_kb).retrieve("集装箱货物的提单", 2) == []
    dense_kb.embedder.cjk_capable = False
    assert r.retrieve("集装箱货物的提单", 2) == []


@pytest.mark.unit
def test_hybrid_puts_the_named_article_first_with_its_features(tiny_kb):
    from qa.understanding import understand

    u = understand("乙条例第二条怎么规定？", tiny_kb)
    hits = HybridRetriever(tiny_kb).retrieve(u.query, 5, hints=u.hints())
    assert _cite(tiny_kb, hits)[0] == "《中华人民共和国乙条例》第二条"
    top = hits[0].stages
    assert top["f_number"] == 1.0 and top["f_law"] == 1.0 and top["rerank"] == hits[0].score
    assert {"rrf", "bm25_bigrams", "domain"} <= set(top)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    # without the hints the number is unknown: no number feature anywhere
    plain = HybridRetriever(tiny_kb).retrieve(u.query, 5)
    assert all(h.stages["f_number"] == 0.0 for h in plain)


@pytest.mark.unit
def test_fusion_without_reranking_returns_rrf_scores(tiny_kb, dense_kb):
    bm25 = HybridRetriever(tiny_kb, dense=False, rerank=False).retrieve("进口货物 申报", 5)
    assert bm25 and all(set(h.stages) == {"rrf"} for h in bm25)
    words = [h.article_id for h in BM25Retriever(tiny_kb, "words").retrieve("进口货物 申报", 50)]
    bigrams = [h.article_id for h in BM25Retriever(tiny_kb, "bigrams").retrieve("进口货物 申报",
                                                                              50)]
    from qa.fusion import rrf

    expected = rrf({"bm25_words": words, "bm25_bigrams": bigrams})[:5]
    assert [(h.article_id, h.score) for h in bm25] == expected
    fused = HybridRetriever(dense_kb, dense=True, rerank=False).retrieve("进口货物 申报", 9)
    assert {h.article_id for h in fused} > {h.article_id for h in bm25}  # dense adds some
    reranked = HybridRetriever(dense_kb).retrieve("进口货物 申报", 9)
    assert any("dense" in h.stages for h in reranked)


@pytest.mark.unit
def test_hits_become_citable_passages(tiny_kb):
    hits = BM25Retriever(tiny_kb, "bigrams").retrieve("检疫许可证", 2)
    ps = to_passages(tiny_kb, hits)
    assert [p.rank for p in ps] == [1, 2][:len(ps)]
    assert ps[0].citation == "《中华人民共和国甲法》第三条"
    assert ps[0].text == tiny_kb.by_id[ps[0].article_id].text
    assert ps[0].features == hits[0].stages and ps[0].score == hits[0].score


@pytest.mark.integration
@pytest.mark.slow
def test_small_real_index_retrieves_in_every_mode(small_kb):
    kb = small_kb
    laws = kb.match_laws("海关法第八十六条怎么规定")
    hints = QueryHints(law_doc_ids=[d for _, ids in laws for d in ids], article_num=(86, 0))
    hits = retriever_for(kb, "reranked").retrieve("海关法第八十六条怎么规定", 3, hints=hints)
    assert _cite(kb, hits)[0] == "《中华人民共和国海关法》第八十六条"
    hits = retriever_for(kb, "reranked").retrieve("申报不实 罚款", 10)
    assert "《中华人民共和国海关行政处罚实施条例》第十五条" in _cite(kb, hits)
    dense = retriever_for(kb, "dense").retrieve("smart port single window", 5)
    assert len(dense) == 5
    # bge-small-zh reads Chinese: a question about smart ports finds the smart-port guide
    zh = retriever_for(kb, "dense").retrieve("智慧口岸建设", 5)
    assert len(zh) == 5 and kb.by_id[zh[0].article_id].doc_kind == "guide"
    again = KnowledgeBase.load(kb.settings)
    assert retriever_for(again, "reranked").retrieve("申报不实 罚款", 1)[0].article_id == \
        hits[0].article_id

"""English questions: bge-small-zh (ONNX) vs the bundled English MiniLM for the dense channel.

    PS_DATA_DIR=/work/qa-var nice -n 5 python bench/qa_english.py

The English questions of bench/qa_eval/situations.jsonl (10 answerable: 7 tune, 3 test) and
of the old dev set (reference), dense retrieval only, each model over the SAME sub-corpus:
the port-related texts (data/corpus/port-laws.txt) plus every text holding a gold article of
these questions (MiniLM cannot embed the whole corpus in this session's CPU budget: ~25
texts/s). Each model embeds (a) the English question as asked and (b) its Chinese glossary
terms (qa.understanding.to_chinese_terms). Writes bench/results/qa_english.json. Few
questions: a difference of one question is 10 points; read it as a direction, not a figure.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main() -> int:
    import numpy as np

    from knowledge import KnowledgeBase
    from knowledge.dense_build import cache_key, dense_text, read_priority
    from knowledge.embedding_cache import EmbeddingCache, text_sha
    from knowledge.onnx_embedder import OnnxEmbedder
    from knowledge.st_embedder import SentenceTransformerEmbedder
    from knowledge.text import is_english
    from qa.evaluate import _is_gold, load_questions
    from qa.understanding import to_chinese_terms

    kb = KnowledgeBase.load()
    s = kb.settings
    sit = [q for q in load_questions(REPO / "bench" / "qa_eval" / "situations.jsonl")
           if q.get("lang") == "en" and q["answerable"]]
    dev = [q for q in load_questions(REPO / "tests" / "data" / "qa_dev.jsonl")
           if is_english(q["question"]) and q["answerable"]]
    sets = {"situations tune": [q for q in sit if q["split"] == "tune"],
            "situations test": [q for q in sit if q["split"] == "test"],
            "dev (reference)": dev}
    prio = set(read_priority(s.priority_file))
    gold_docs = {a.doc_id for a in kb.articles
                 for q in sit + dev if _is_gold(a, q["gold"], kb)}
    arts = [a for a in kb.articles if a.doc_id in gold_docs or kb.docs[a.doc_id].path in prio]
    texts = [dense_text(a) for a in arts]
    models = {"bge-small-zh-v1.5 (onnx)": OnnxEmbedder(s.zh_model_dir,
                                                       max_length=s.zh_max_length,
                                                       threads=s.threads),
              "all-MiniLM-L6-v2": SentenceTransformerEmbedder(s.model_path, max_seq_length=128,
                                                              threads=s.threads)}
    out = {"sub_corpus_articles": len(arts), "sub_corpus_texts": len(gold_docs | {
        d.id for d in kb.docs.values() if d.path in prio}), "models": {}}
    for name, emb in models.items():
        emb.warm_up()
        cache = EmbeddingCache(Path(s.data_dir) / "knowledge-cache" / "emb", cache_key(emb))
        t = time.perf_counter()
        # read the cache, never write it (the corpus job may be filling it meanwhile)
        have = [text_sha(x) in cache.keys for x in texts]
        vecs = np.zeros((len(texts), emb.dim), dtype=np.float32)
        if any(have):
            vecs[np.array(have)] = cache.vecs[[cache.keys[text_sha(x)]
                                               for x, h in zip(texts, have) if h]]
        todo = [j for j, h in enumerate(have) if not h]
        if todo:
            vecs[todo] = emb.embed([texts[j] for j in todo])
        res = {"embed_s": round(time.perf_counter() - t, 1), "embedded_now": len(todo)}
        for set_name, qs in sets.items():
            for variant in ("question", "glossary terms"):
                qtexts = [q["question"] if variant == "question" else
                          (to_chinese_terms(q["question"]) or q["question"]) for q in qs]
                if not qtexts:
                    continue
                qv = emb.embed(qtexts)
                sims = qv @ vecs.T
                rec = mrr = 0.0
                for q, row in zip(qs, sims):
                    top = np.argsort(-row)[:10]
                    rank = next((j for j, i in enumerate(top, start=1)
                                 if _is_gold(arts[i], q["gold"], kb)), None)
                    rec += rank is not None
                    mrr += 1 / rank if rank else 0
                res[f"{set_name} / {variant}"] = {"n": len(qs),
                                                  "recall@10": round(rec / len(qs), 4),
                                                  "mrr@10": round(mrr / len(qs), 4)}
        out["models"][name] = res
        print(name, json.dumps(res, ensure_ascii=False), file=sys.stderr, flush=True)
    path = REPO / "bench" / "results" / "qa_english.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

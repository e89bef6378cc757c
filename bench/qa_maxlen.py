"""Max length (64 / 128 / 256 tokens) and article vs paragraph (款) vectors (article score =
max or mean of its paragraphs) for the dense
channel, measured on the TUNING half of bench/qa_eval/situations.jsonl.

    PS_DATA_DIR=/work/qa-var nice -n 5 python bench/qa_maxlen.py

Re-embedding the whole corpus once per variant does not fit this machine's CPU budget (one
pass is ~50 min on the shared 2 cores), so each variant is scored on a candidate pool per
question: the gold articles, the top 15 of BM25 words and of BM25 bigrams over the whole
corpus, and up to 15 other articles of the gold texts (same-law hard negatives). (The pool
does not use the dense index, so it can be built while the corpus is being embedded.) Within that pool each
variant ranks by cosine; the ranking is scored with Recall@10 / MRR@10. Paragraph variant:
one vector per 款 (`title number paragraph`), an article scores the max or the mean of its
paragraphs. The
embedding rate of each variant is measured on the same texts. Writes
bench/results/qa_maxlen.json.
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
    from knowledge.dense_build import dense_text
    from knowledge.onnx_embedder import OnnxEmbedder
    from qa.evaluate import _is_gold, load_questions
    from qa.retrievers.bm25 import BM25Retriever

    import random

    kb = KnowledgeBase.load()
    s = kb.settings
    rnd = random.Random(7)
    qs = [q for q in load_questions(REPO / "bench" / "qa_eval" / "situations.jsonl")
          if q["split"] == "tune" and q["answerable"]]
    words, bigrams = BM25Retriever(kb, "words"), BM25Retriever(kb, "bigrams")
    pools = []
    for q in qs:
        ids = [i for i, _ in words.rank(q["question"], 15)]
        ids += [i for i, _ in bigrams.rank(q["question"], 15)]
        gold = [a.id for a in kb.articles if _is_gold(a, q["gold"], kb)]
        same = [a.id for d in {kb.by_id[g].doc_id for g in gold} for a in kb.doc_articles(d)
                if a.id not in gold]
        ids += rnd.sample(same, min(15, len(same)))
        pools.append((q, list(dict.fromkeys(ids + gold)), set(gold)))
    pool_ids = sorted({i for _, ids, _ in pools for i in ids})
    arts = [kb.by_id[i] for i in pool_ids]
    row = {i: n for n, i in enumerate(pool_ids)}
    out = {"questions": len(qs), "pool_articles": len(arts), "variants": {},
           "load_avg_at_start": list(os.getloadavg())}

    def score(qvecs, art_scores):
        rec = mrr = 0.0
        for (q, ids, gold), qs_ in zip(pools, art_scores(qvecs)):
            order = sorted(ids, key=lambda i: -qs_[i])[:10]
            rank = next((j for j, i in enumerate(order, start=1) if i in gold), None)
            rec += rank is not None
            mrr += 1 / rank if rank else 0
        return {"recall@10": round(rec / len(pools), 4), "mrr@10": round(mrr / len(pools), 4)}

    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("--lengths", default="64,128,256")
    ap.add_argument("--no-paragraphs", action="store_true")
    ap.add_argument("--para-lengths", default="64,128")
    ap.add_argument("--batch-sizes", default="32",
                    help="texts per forward pass; the int8 model quantises activations per "
                         "batch, so vectors (and scores) differ slightly by batch size")
    ap.add_argument("--out", default="qa_maxlen")
    args = ap.parse_args()
    out["command"] = "PS_DATA_DIR=<built base> nice -n 5 .venv/bin/python bench/qa_maxlen.py " \
        + " ".join(sys.argv[1:])
    bss = [int(x) for x in args.batch_sizes.split(",")]
    for ml, bs in [(m, b) for m in (int(x) for x in args.lengths.split(",")) for b in bss]:
        emb = OnnxEmbedder(s.zh_model_dir, max_length=ml, threads=s.threads, batch_size=bs)
        t = time.perf_counter()
        vecs = emb.embed([dense_text(a) for a in arts])
        rate = len(arts) / (time.perf_counter() - t)
        qv = emb.embed([q["question"] for q in qs])
        sims = qv @ vecs.T
        res = score(qv, lambda _: [{i: sims[k][row[i]] for i in ids}
                                   for k, (_, ids, _) in enumerate(pools)])
        name = f"article, max {ml}" + (f", batch {bs}" if len(bss) > 1 or bs != 32 else "")
        out["variants"][name] = {**res, "texts_per_s": round(rate, 1)}
        print(ml, bs, res, round(rate, 1), file=sys.stderr, flush=True)
    if args.no_paragraphs:
        return _write(out, args.out)
    # paragraph (款) vectors: one per paragraph (`title number paragraph`); an article scores
    # the max or the mean of its paragraphs' cosines
    ptexts, powner = [], []
    for a in arts:
        paras = [p.text + "".join(p.items) for p in a.paragraphs] or [a.text]
        for p in paras:
            ptexts.append(f"{a.law} {a.number} {p}")
            powner.append(row[a.id])
    owner = np.asarray(powner)
    counts = np.bincount(owner, minlength=len(arts)).astype(np.float32)
    for ml in [int(x) for x in args.para_lengths.split(",")]:
        emb = OnnxEmbedder(s.zh_model_dir, max_length=ml, threads=s.threads,
                           batch_size=bss[0])
        t = time.perf_counter()
        pv = emb.embed(ptexts)
        rate = len(ptexts) / (time.perf_counter() - t)
        qv = emb.embed([q["question"] for q in qs])
        psims = qv @ pv.T
        best = np.full((len(qs), len(arts)), -1.0, dtype=np.float32)
        tot = np.zeros((len(qs), len(arts)), dtype=np.float32)
        for k in range(len(qs)):
            np.maximum.at(best[k], owner, psims[k])
            np.add.at(tot[k], owner, psims[k])
        mean = tot / np.maximum(counts, 1)
        for agg, mat in (("max", best), ("mean", mean)):
            res = score(qv, lambda _, m=mat: [{i: m[k][row[i]] for i in ids}
                                              for k, (_, ids, _) in enumerate(pools)])
            out["variants"][f"paragraph (款), max {ml}, article = {agg}"] = {
                **res, "vectors": len(ptexts),
                "vectors_per_article": round(len(ptexts) / len(arts), 2),
                "texts_per_s": round(rate, 1)}
            print("paragraph", ml, agg, res, round(rate, 1), file=sys.stderr, flush=True)
    return _write(out, args.out)


def _write(out: dict, name: str = "qa_maxlen") -> int:
    out["load_avg_at_end"] = list(os.getloadavg())
    path = REPO / "bench" / "results" / f"{name}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

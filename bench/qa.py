"""Benchmark of the regulation consultant: build the index over the whole laws-cn corpus
(+ the smart-port guide), then compare retrieval modes on the dev set in the same run.

    python bench/qa.py [--corpus DIR] [--questions tests/data/qa_dev.jsonl] [--no-dense]

Writes bench/results/qa.json and bench/results/qa.png. Modes: BM25 over jieba words, over
character bigrams, both fused (``bm25``), dense only, all fused (``fused``), and fused +
feature reranker (``reranked``, what the service uses). Latency is per question: question
understanding + retrieval (+ the extractive answer for ``reranked``), after one warm-up pass.
Embeddings are cached by text under PS_DATA_DIR/knowledge-cache: the build time reports how
many texts had to be embedded in this run and the measured embedding rate.
"""

from __future__ import annotations

import os
import sys

# bench/ holds scripts named like stdlib modules (warnings.py): keep it off the import path
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

MODES = ["bm25_words", "bm25_bigrams", "bm25", "dense", "fused", "reranked"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="corpus folder (default PS_KNOWLEDGE_CORPUS_DIR)")
    ap.add_argument("--questions", default=str(REPO / "tests" / "data" / "qa_dev.jsonl"))
    ap.add_argument("--holdout", default=str(REPO / "bench" / "results" / "qa_holdout.jsonl"),
                    help="questions written after tuning, never tuned on ('' to skip)")
    ap.add_argument("--no-dense", action="store_true")
    ap.add_argument("--skip-build", action="store_true", help="reuse the built index")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "qa.json"))
    args = ap.parse_args(argv)

    import torch

    torch.set_num_threads(1)
    from knowledge import KnowledgeBase, build_kb
    from knowledge.config import settings
    from qa.evaluate import calibrate, evaluate, load_questions

    s = settings()
    corpus = Path(args.corpus) if args.corpus else s.corpus_dir
    questions = load_questions(args.questions)
    log = lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True)  # noqa: E731
    result: dict = {"machine": {"python": platform.python_version(),
                                "processor": platform.processor() or platform.machine(),
                                "cpus": os.cpu_count()},
                    "corpus": str(corpus), "questions": args.questions,
                    "model_path": s.model_path, "max_seq_length": s.max_seq_length,
                    "dense_min_domain": s.dense_min_domain}
    if args.skip_build and Path(args.out).exists():  # keep the last measured build
        prev = json.loads(Path(args.out).read_text())
        if "build" in prev:
            result["build"] = {**prev["build"], "from_previous_run": True}
    if not args.skip_build:
        t = time.perf_counter()
        _, report = build_kb(corpus_dir=corpus, extra_files=s.extra_files, settings=s,
                             dense=False if args.no_dense else None, progress=log)
        report["wall_s"] = round(time.perf_counter() - t, 2)
        result["build"] = report
    t = time.perf_counter()
    kb = KnowledgeBase.load(s)
    kb.warm_up()
    result["load_s"] = round(time.perf_counter() - t, 2)
    result["index"] = {"documents": len(kb.docs), "articles": len(kb.articles),
                       "dense_vectors": len(kb.dense) if kb.dense is not None else 0,
                       "dense_kind": getattr(kb.dense, "kind", None)}
    if kb.embedder is not None:  # embedding rate on this machine, for the full-corpus cost
        sample = [f"{a.law} {a.number} {a.text}"[:200] for a in kb.articles[:256]]
        t = time.perf_counter()
        kb.embedder.embed(sample)
        rate = len(sample) / (time.perf_counter() - t)
        result["embed_texts_per_s"] = round(rate, 1)
        result["embed_full_corpus_est_s"] = round(len(kb.articles) / rate, 0)
    modes = [m for m in MODES if kb.dense is not None or m not in ("dense",)]
    result["modes"] = {}
    for mode in modes:
        evaluate(kb, questions[:20], mode=mode, answer=mode == "reranked")  # warm-up
        r = evaluate(kb, questions, mode=mode, answer=mode == "reranked",
                     per_question=mode == "reranked")
        rows = r.pop("questions", None)
        if rows is not None:
            r["calibration_at_90pct_answered"] = calibrate(rows, 0.9)
        result["modes"][mode] = r
        log(f"{mode}: R@1 {r['recall@1']} R@10 {r['recall@10']} MRR@10 {r['mrr@10']} "
            f"p95 {r['latency_ms_p95']} ms")
    if args.holdout and Path(args.holdout).exists():
        held = load_questions(args.holdout)
        result["holdout"] = {m: evaluate(kb, held, mode=m, answer=m == "reranked")
                             for m in ("bm25_bigrams", "bm25", "fused", "reranked")
                             if m in result["modes"]}
        h = result["holdout"]["reranked"]
        log(f"holdout reranked: R@10 {h['recall@10']} MRR@10 {h['mrr@10']} "
            f"answered {h['answer_rate']} refused {h['refusal_rate']}")
    rr, base = result["modes"]["reranked"], result["modes"]["bm25_bigrams"]
    result["done_when"] = {
        "all_texts_load": result["index"]["documents"] >= 1565,
        "reranked_beats_bm25_r10": rr["recall@10"] > base["recall@10"],
        "reranked_beats_bm25_mrr10": rr["mrr@10"] > base["mrr@10"],
        "refusal_rate_ge_0.8": (rr.get("refusal_rate") or 0) >= 0.8,
        "answer_rate_ge_0.9": (rr.get("answer_rate") or 0) >= 0.9,
        "citations_in_retrieved": rr.get("citations_in_retrieved") == 1.0,
        "p95_le_200ms": rr["latency_ms_p95"] <= 200,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    plot(result, out.with_suffix(".png"))
    print(json.dumps({k: result[k] for k in ("index", "done_when")}, ensure_ascii=False))
    return 0


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    modes = list(result["modes"])
    metrics = ["recall@1", "recall@5", "recall@10", "mrr@10"]
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(12, 4.5), gridspec_kw={"width_ratios": [3, 1.3]})
    w = 0.8 / len(metrics)
    for i, m in enumerate(metrics):
        vals = [result["modes"][md][m] for md in modes]
        ax.bar([x + i * w for x in range(len(modes))], vals, w, label=m)
    ax.set_xticks([x + 0.4 - w / 2 for x in range(len(modes))], modes, rotation=15)
    ax.set_ylim(0, 1)
    ax.set_title(f"retrieval on {result['modes'][modes[0]]['n_answerable']} dev questions, "
                 f"{result['index']['articles']} articles")
    ax.legend(loc="upper left", fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    p50 = [result["modes"][md]["latency_ms_p50"] for md in modes]
    p95 = [result["modes"][md]["latency_ms_p95"] for md in modes]
    ax2.barh(modes, p95, color="#d08", label="p95")
    ax2.barh(modes, p50, color="#48c", label="p50")
    ax2.axvline(200, color="k", ls="--", lw=1)
    ax2.set_xlabel("ms per question")
    ax2.set_title("latency (understand + retrieve [+ answer])")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    raise SystemExit(main())

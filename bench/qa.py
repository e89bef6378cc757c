"""Benchmark of the regulation consultant: every retrieval mode on every evaluation set in
ONE run over the whole laws-cn corpus (+ the smart-port guide), with build and query costs.

    PS_DATA_DIR=/work/qa-var nice -n 5 python bench/qa.py [--skip-build]

Sets: the tuning and test halves of bench/qa_eval/situations.jsonl (questions written from
real situations before any gold lookup), bench/qa_eval/cases.jsonl (guiding cases; the
案例/ texts are hidden from every retriever while it runs, or each case's own text would be
its top hit), the two halves of the old dev set tests/data/qa_dev.jsonl (written with the
articles in view; split by ``qa.evaluate.split_of(question)``, fixed before tuning) and
bench/results/qa_holdout.jsonl (written after an earlier round's tuning; report only).
Choices are made on ``tune`` + ``dev-tune`` only (bench/qa_tune.py).
Modes: ``plain_bigrams`` (a plain character-bigram BM25, k1 1.2 b 0.75, title + text, the
held-back reference), ``bm25_words``, ``bm25_bigrams``, ``bm25`` (both, RRF), ``dense``
(bge-small-zh), ``fused`` (all three, RRF), ``ref_minmax`` (the held-back reference's
untuned fusion: bge-small-zh + BM25 bigrams, min-max 0.5 / 0.5, no map, no bonus),
``reranked`` (RRF + the old feature reranker)
and ``tuned`` (the final pipeline, the default).
Also: whole-corpus build time (parse, concepts, BM25, dense from the embedding cache, and the
cold embedding rate), FAISS flat vs HNSW (recall of the flat top 10, search latency), query
latency p50/p95 per mode with the query embedding included (understanding + retrieval,
+ the extractive answer for ``tuned``/``reranked``). Writes bench/results/qa.json and
bench/results/qa.png.
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
import re  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
EVAL = REPO / "bench" / "qa_eval"
MODES = ["plain_bigrams", "bm25_words", "bm25_bigrams", "bm25", "dense", "fused", "ref_minmax",
         "reranked",
         "tuned"]
ANSWER_MODES = ("tuned", "reranked")


class PlainBigrams:
    """The held-back reference: character bigrams of title + text, plain BM25 (bm25s)."""

    name = "plain_bigrams"

    def __init__(self, kb):
        import bm25s

        self.kb = kb
        self.ids = [a.id for a in kb.articles]
        self.bm = bm25s.BM25(k1=1.2, b=0.75)
        self.bm.index([self.grams(f"{a.law}{a.text}") for a in kb.articles], show_progress=False)
        self.vocab = self.bm.vocab_dict

    @staticmethod
    def grams(s: str) -> list[str]:
        out = []
        for run in re.findall(r"[\u4e00-\u9fff]+|[A-Za-z0-9]+", s):
            out.extend([run[i:i + 2] for i in range(len(run) - 1)] or [run])
        return out

    def warm_up(self) -> None:
        pass

    def retrieve(self, query, top_k=10, *, hints=None):
        import numpy as np

        from qa.base import Hit

        toks = [self.vocab[t] for t in self.grams(query) if t in self.vocab]
        if not toks:
            return []
        s = self.bm.get_scores(toks)
        order = np.argsort(-s)
        out = []
        for i in order:
            if s[i] <= 0 or len(out) >= top_k:
                break
            if self.ids[i] not in self.kb.removed:
                out.append(Hit(self.ids[i], float(s[i]), {"plain": float(s[i])}))
        return out


def load_sets(dev: bool) -> dict[str, list[dict]]:
    """``qa.evaluate.eval_sets``: situations tune/test, the dev set's tune/test halves, the
    cases and the later hold-out (``--no-dev``: situations and cases only)."""
    from qa.evaluate import eval_sets

    if not dev:
        return eval_sets(EVAL)
    return eval_sets(EVAL, REPO / "tests" / "data" / "qa_dev.jsonl",
                     REPO / "bench" / "results" / "qa_holdout.jsonl")


def faiss_choice(kb, queries: list[str]) -> dict:
    """Flat (exact) vs HNSW over the whole dense index: recall of the exact top 10 and
    search latency per query (query vectors embedded once beforehand)."""
    import faiss
    import numpy as np

    served = kb.dense._index
    vecs = served.reconstruct_n(0, served.ntotal)
    flat = faiss.IndexFlatIP(vecs.shape[1])
    flat.add(vecs)
    q = kb.embedder.embed(queries)
    out = {"vectors": int(flat.ntotal), "dim": int(vecs.shape[1]),
           "served_kind": kb.dense.kind, "served_ef_search": kb.dense.ef_search}

    def timed(index):
        lat, res = [], []
        for row in q:
            t = time.perf_counter()
            _, idx = index.search(row.reshape(1, -1), 10)
            lat.append((time.perf_counter() - t) * 1e3)
            res.append(idx[0])
        return res, lat

    exact, lat = timed(flat)
    out["flat"] = {"recall_vs_exact": 1.0, "p50_ms": round(float(np.percentile(lat, 50)), 3),
                   "p95_ms": round(float(np.percentile(lat, 95)), 3)}
    t = time.perf_counter()
    h = faiss.IndexHNSWFlat(vecs.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
    h.hnsw.efConstruction = 80
    h.add(vecs)
    out["hnsw_build_s"] = round(time.perf_counter() - t, 1)
    for ef in (32, 64, 128):
        h.hnsw.efSearch = ef
        got, lat = timed(h)
        rec = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, exact)])
        out[f"hnsw_ef{ef}"] = {"recall_vs_exact": round(float(rec), 4),
                               "p50_ms": round(float(np.percentile(lat, 50)), 3),
                               "p95_ms": round(float(np.percentile(lat, 95)), 3)}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--skip-build", action="store_true", help="reuse the built index")
    ap.add_argument("--no-dev", action="store_true", help="leave the old dev set out")
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "qa.json"))
    args = ap.parse_args(argv)
    from knowledge import KnowledgeBase, build_kb
    from knowledge.config import settings
    from knowledge.dense_build import dense_text
    from knowledge.dense_job import ensure_dense
    from qa import evaluate as E
    from qa.retrieval import retriever_for

    s = settings()
    log = lambda m: print(f"[bench] {m}", file=sys.stderr, flush=True)  # noqa: E731
    result: dict = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                                "load_avg_at_start": os.getloadavg(),
                                "autogroup": _autogroup(), "nice": os.nice(0)},
                    "corpus": str(s.corpus_dir), "data_dir": str(s.data_dir)}
    if not args.skip_build:
        t = time.perf_counter()
        _, report = build_kb(corpus_dir=s.corpus_dir, extra_files=s.extra_files, settings=s,
                             progress=log)
        report["wall_s"] = round(time.perf_counter() - t, 2)
        result["build"] = report
    t = time.perf_counter()
    kb = KnowledgeBase.load(s)
    result["dense_coverage"] = ensure_dense(kb, log)
    kb.warm_up()
    result["load_s"] = round(time.perf_counter() - t, 2)
    cold = REPO / "bench" / "results" / "qa_build.json"
    if args.skip_build and cold.is_file():  # the cold whole-corpus build, bench/qa_build.py
        c = json.loads(cold.read_text())
        result["cold_build"] = {k: c.get(k) for k in (
            "command", "phases_s", "usable_s", "background", "complete", "whole_build_s",
            "whole_build_estimated", "load_1min_sampled", "embedder")}
        result["cold_build"]["background"] = {k: v for k, v in c["background"].items()
                                              if k != "samples"}
        result["cold_build"]["from"] = "bench/results/qa_build.json"
    result.setdefault("build", {"times_recorded_by_build_kb": kb.meta.get("times"),
                                "index_dir": str(kb.folder),
                                "note": "--skip-build: the times build_kb recorded when it made "
                                        "this index (BM25 side; dense from the cache)"})
    result["index"] = {"documents": len(kb.docs), "articles": len(kb.articles),
                       "dense_vectors": len(kb.dense) if kb.dense is not None else 0,
                       "dense_kind": getattr(kb.dense, "kind", None),
                       "embedder": kb.meta.get("embedder")}
    # cold embedding rate (no cache) on 512 articles spread over the corpus
    sample = [dense_text(a) for a in kb.articles[::max(len(kb.articles) // 512, 1)][:512]]
    t = time.perf_counter()
    kb.embedder.embed(sample)
    rate = len(sample) / (time.perf_counter() - t)
    result["embed_cold"] = {"texts_per_s": round(rate, 1), "sample": len(sample),
                            "whole_corpus_est_s": round(len(kb.articles) / rate)}
    sets = load_sets(not args.no_dev)
    result["faiss"] = faiss_choice(kb, [q["question"] for q in sets["tune"]])
    log(f"faiss: {result['faiss']}")
    result["sets"] = {}
    plain = PlainBigrams(kb)
    for set_name, qs in sets.items():
        res = {}
        ctx = E.without_docs(kb) if set_name == "cases" else _null()
        with ctx as hidden:
            for mode in MODES:
                ans = mode in ANSWER_MODES
                r = _eval(E, kb, qs, mode, plain, ans)
                res[mode] = r
                log(f"{set_name} {mode}: R@10 {r['recall@10']} MRR@10 {r['mrr@10']} "
                    f"p95 {r['latency_ms_p95']} ms"
                    + (f" answered {r.get('answer_rate')} refused {r.get('refusal_rate')} "
                       f"first-cite-gold {r.get('first_citation_gold')}" if ans else ""))
        if set_name == "cases":
            res["hidden_case_articles"] = hidden
        result["sets"][set_name] = res
    result["ratios"] = {
        name: {f"tuned/{b}": {m: round(res["tuned"][m] / res[b][m], 3) if res[b][m] else None
                              for m in ("recall@10", "mrr@10")}
               for b in ("bm25", "bm25_bigrams", "plain_bigrams", "ref_minmax")}
        for name, res in result["sets"].items()}
    lat = [res["tuned"]["latency_ms_p95"] for res in result["sets"].values()]
    result["done_when"] = {
        f"{n}: tuned >= 1.15x bm25 (R@10 and MRR@10)":
            all(v is not None and v >= 1.15 for v in result["ratios"][n]["tuned/bm25"].values())
        for n in ("test", "cases", "dev-test") if n in result["ratios"]}
    result["done_when"].update({
        f"{n}: tuned >= plain_bigrams": all(v is not None and v >= 1.0 for v in
                                             result["ratios"][n]["tuned/plain_bigrams"].values())
        for n in result["sets"]})
    result["done_when"]["p95 <= 200 ms (tuned, every set)"] = max(lat) <= 200
    if "cold_build" in result and result["cold_build"].get("whole_build_s"):
        result["done_when"]["whole-corpus build <= 15 min (cold, bench/qa_build.py)"] = (
            result["cold_build"]["whole_build_s"] <= 900)
    result["machine"]["load_avg_at_end"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    plot(result, out.with_suffix(".png"))
    print(json.dumps({"ratios": result["ratios"], "done_when": result["done_when"]},
                     ensure_ascii=False, indent=1))
    return 0


def _autogroup() -> str | None:
    """The Linux autogroup of this process (nice ranks processes only inside a group)."""
    try:
        return Path("/proc/self/autogroup").read_text().strip()
    except OSError:
        return None


class _null:
    def __enter__(self):
        return 0

    def __exit__(self, *a):
        return False


def _eval(E, kb, qs, mode, plain, answer):
    """qa.evaluate.evaluate; the plain reference is passed in as the retriever."""
    if mode == "ref_minmax":
        from qa.retrievers.tuned import FusionConfig, TunedRetriever

        ref = TunedRetriever(kb, FusionConfig(fusion="minmax", weights={"bigrams": 0.5,
                                                                        "dense": 0.5},
                                              bonus={}, colloquial_bm25=False))
        ref.name = "ref_minmax"
        E.evaluate(kb, qs[:5], mode=mode, answer=False, retriever=ref)  # warm-up
        return E.evaluate(kb, qs, mode=mode, answer=False, retriever=ref)
    if mode != "plain_bigrams":
        E.evaluate(kb, qs[:5], mode=mode, answer=answer)  # warm-up
        return E.evaluate(kb, qs, mode=mode, answer=answer)
    return E.evaluate(kb, qs, mode="plain_bigrams", answer=False, retriever=plain)


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sets = list(result["sets"])
    fig, axes = plt.subplots(2, len(sets), figsize=(4.2 * len(sets), 7), squeeze=False)
    for j, name in enumerate(sets):
        res = result["sets"][name]
        modes = [m for m in MODES if m in res]
        for i, metric in enumerate(("recall@10", "mrr@10")):
            ax = axes[i][j]
            vals = [res[m][metric] for m in modes]
            colors = ["#999" if m == "plain_bigrams" else "#d62" if m == "tuned" else "#48c"
                      for m in modes]
            ax.bar(range(len(modes)), vals, color=colors)
            ax.set_xticks(range(len(modes)), modes, rotation=60, fontsize=7)
            ax.set_ylim(0, 1)
            ax.set_title(f"{name} (n={res[modes[0]]['n_answerable']}): {metric}", fontsize=9)
            ax.grid(axis="y", alpha=0.3)
            for x, v in enumerate(vals):
                ax.text(x, v + 0.01, f"{v:.2f}", ha="center", fontsize=6)
    fig.suptitle(f"consulting retrieval, {result['index']['articles']} articles "
                 f"({result['index']['dense_vectors']} dense vectors)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)


if __name__ == "__main__":
    raise SystemExit(main())

"""Which extra evidence would help the refusal model? Candidate features, chosen on TUNE only.

    PS_DATA_DIR=<whole-corpus base> python bench/qa_refusal_features.py

For every question of the tune halves (situations ``tune`` + dev-set ``dev-tune``) the
shipped final pipeline retrieves, and the shipped confidence features are computed with some
query-performance predictors beside them (raw dense top-1 / 10th / mean-of-100 cosine, score
drop-offs of each channel, raw BM25 top scores, channel agreement, question length). Each
candidate is added to the shipped feature list alone; the logistic model (balanced classes,
as bench/qa_tune.py) is scored by 5 x 5-fold cross-validation on the tune halves: refusal rate
of unanswerables at the threshold that answers >= 90% of answerable questions in each set,
out of fold. A candidate would be kept only if it gains at least one tune unanswerable
question's worth (1/n). Test halves and the hold-out are reported beside, never used.
Writes bench/results/qa_refusal_features.json.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import json  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
BASE = ["coverage", "dense", "fused", "word_coverage", "law", "unknown", "unmapped",
        "intent", "foreign", "live"]
CANDIDATES = ["d1", "d10", "dmean", "dgap", "w1", "b1", "wgap", "bgap", "fgap", "qlen",
              "agree"]
SETS = ["tune", "dev-tune", "test", "dev-test", "holdout"]


def predictors(retr, kb, u) -> tuple[dict, dict]:
    """(shipped confidence features, candidate predictors) of one understood question."""
    import numpy as np

    from qa.extractive import confidence_features
    from qa.retrieval import to_passages

    h = u.hints()
    lists = retr.stage_lists(*retr.queries(u.query, h, retr.config), h, 100)
    hits = retr.retrieve(u.query, 10, hints=h)
    d, w, b = ([s for _, s in lists.get(k, [])] for k in ("dense", "words", "bigrams"))
    top = lambda xs, i=0: xs[i] if len(xs) > i else 0.0  # noqa: E731
    gap = lambda xs: (xs[0] - float(np.mean(xs[:10]))) / max(xs[0], 1e-9) if xs else 0.0  # noqa
    lex = {i for k in ("words", "bigrams") for i, _ in lists.get(k, [])[:10]}
    x = {"d1": top(d), "d10": top(d, 9), "dmean": float(np.mean(d)) if d else 0.0,
         "dgap": top(d) - float(np.mean(d[:10])) if d else 0.0, "w1": top(w), "b1": top(b),
         "wgap": gap(w), "bgap": gap(b),
         "fgap": hits[0].score - hits[-1].score if hits else 0.0,
         "qlen": float(len(u.plain_query or u.query)),
         "agree": len({i for i, _ in lists.get("dense", [])[:10]} & lex) / 10}
    return confidence_features(u, to_passages(kb, hits)), x


def main() -> int:
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    from knowledge import KnowledgeBase
    from qa.evaluate import calibrate, eval_sets
    from qa.retrievers.tuned import TunedRetriever
    from qa.understanding import understand

    kb = KnowledgeBase.load()
    kb.warm_up()
    sets = eval_sets(REPO / "bench" / "qa_eval", REPO / "tests" / "data" / "qa_dev.jsonl",
                     REPO / "bench" / "results" / "qa_holdout.jsonl")
    retr = TunedRetriever(kb)
    retr.warm_up()
    rows = {n: [] for n in SETS}
    for n in SETS:
        for q in sets[n]:
            f, x = predictors(retr, kb, understand(q["question"], kb))
            rows[n].append({"answerable": q.get("answerable", True), "v": {**f, **x}, "set": n})
    tune = rows["tune"] + rows["dev-tune"]
    n_una = sum(not r["answerable"] for r in tune)

    def X(rs, names):
        return np.array([[float(r["v"].get(k, 0.0)) for k in names] for r in rs])

    def fit(rs, names):
        return LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(
            X(rs, names), [int(r["answerable"]) for r in rs])

    def cal(rs, c):
        return calibrate([{"answerable": r["answerable"], "confidence": ci, "set": r["set"]}
                          for r, ci in zip(rs, c)], 0.9)

    def cv(names):
        strat = [f"{r['set']}{int(r['answerable'])}" for r in tune]
        out = []
        for seed in range(5):
            c = np.zeros(len(tune))
            for a, b in StratifiedKFold(5, shuffle=True, random_state=seed).split(tune, strat):
                c[b] = fit([tune[i] for i in a], names).predict_proba(
                    X([tune[i] for i in b], names))[:, 1]
            out.append(cal(tune, c)["refusal_rate"])
        return float(np.mean(out))

    def report(names):
        m = fit(tune, names)
        thr = cal(tune, m.predict_proba(X(tune, names))[:, 1])["threshold"]
        res = {"cv_refusal_tune": round(cv(names), 4)}
        for n in SETS:
            c = m.predict_proba(X(rows[n], names))[:, 1]
            a = [ci >= thr for ci, r in zip(c, rows[n]) if r["answerable"]]
            u = [ci < thr for ci, r in zip(c, rows[n]) if not r["answerable"]]
            res[n] = {"answer_rate": round(float(np.mean(a)), 4),
                      "refusal_rate": round(float(np.mean(u)), 4) if u else None,
                      "n_unanswerable": len(u)}
        return res

    base = report(BASE)
    result = {"command": "PS_DATA_DIR=<whole-corpus base> python bench/qa_refusal_features.py",
              "n_tune_unanswerable": n_una, "min_gain": round(1 / n_una, 4),
              "shipped_features": base, "added_alone": {}}
    for k in CANDIDATES:
        result["added_alone"][k] = r = report(BASE + [k])
        r["gain_vs_shipped"] = round(r["cv_refusal_tune"] - base["cv_refusal_tune"], 4)
        print(k, r, file=sys.stderr, flush=True)
    result["kept"] = [k for k, r in result["added_alone"].items()
                      if r["gain_vs_shipped"] >= result["min_gain"]]
    out = REPO / "bench" / "results" / "qa_refusal_features.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {out}; kept {result['kept']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

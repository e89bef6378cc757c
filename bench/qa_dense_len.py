"""The dense channel alone on the TUNING half over the whole corpus, one built base per
embedding length (or batch size): which max length to ship.

    .venv/bin/python bench/qa_dense_len.py /tmp/qa-build-<64 tokens> /work/qa-var ...

Each argument is a PS_DATA_DIR holding a whole-corpus base (``knowledge/``, every article
embedded). For each: its embedder (meta.json), Recall@10 / MRR@10 of mode ``dense`` and of
mode ``tuned`` (with the shipped ``qa/data/fusion.json``, for reference) on the answerable
tune questions of bench/qa_eval/situations.jsonl. The test half and the case set are not
read. Writes bench/results/qa_dense_len.json.
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


def main(argv: list[str]) -> int:
    from knowledge import KnowledgeBase
    from knowledge.config import settings
    from qa import evaluate as E

    qs = [q for q in E.load_questions(REPO / "bench" / "qa_eval" / "situations.jsonl")
          if q["split"] == "tune"]
    out = {"command": "python bench/qa_dense_len.py " + " ".join(argv), "split": "tune",
           "questions": len(qs), "load_avg_at_start": list(os.getloadavg()), "bases": []}
    for d in argv:
        kb = KnowledgeBase.load(settings(data_dir=d))
        kb.warm_up()
        row = {"data_dir": d, "embedder": kb.meta.get("embedder"),
               "dense_coverage": kb.dense_coverage()}
        for mode in ("dense", "tuned"):
            r = E.evaluate(kb, qs, mode=mode, answer=False)
            row[mode] = {k: r[k] for k in ("recall@10", "mrr@10")}
        print(json.dumps(row, ensure_ascii=False), file=sys.stderr, flush=True)
        out["bases"].append(row)
    out["load_avg_at_end"] = list(os.getloadavg())
    (REPO / "bench" / "results" / "qa_dense_len.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

"""Concept pass of the knowledge build: the former spaCy EntityRuler vs the jieba token
matcher now in ``knowledge.concepts``, on a sample of the corpus: time per text and agreement
(same concept sets, same tokens).

    PS_DATA_DIR=/work/qa-var nice -n 10 python bench/qa_concepts.py [--n 5000]

Writes bench/results/qa_concepts.json.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def spacy_ruler():
    """The former pipeline (knowledge/concepts.py before this bench): spaCy blank zh with
    the jieba segmenter and an EntityRuler over the concept lexicon + HS regexes."""
    import spacy

    from knowledge.wordlists import concept_lexicon

    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": True})
    pats = [{"label": k, "pattern": t, "id": t} for k, ts in concept_lexicon().items()
            for t in ts]
    pats += [{"label": "HS", "pattern": [{"TEXT": {"REGEX": r"^\d{4}(\.\d{2}){0,3}$"}}]},
             {"label": "HS", "pattern": [{"TEXT": {"REGEX": r"^\d{8,10}$"}}]}]
    ruler.add_patterns(pats)

    def run(texts):
        for doc in nlp.pipe(texts, batch_size=256):
            seen = {}
            for ent in doc.ents:
                seen.setdefault((ent.ent_id_ or ent.text, ent.label_), None)
            yield ([{"name": n, "kind": k} for n, k in seen],
                   [t.text for t in doc if t.text.strip()])
    return run


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=5000)
    args = ap.parse_args()
    from knowledge import KnowledgeBase
    from knowledge.build import index_text
    from knowledge.concepts import extract, get_matcher
    from knowledge.text import init_jieba

    kb = KnowledgeBase.load()
    arts = list(kb.articles)
    random.Random(3).shuffle(arts)
    texts = [index_text(a) for a in arts[:args.n]]
    load0 = list(os.getloadavg())
    init_jieba()
    get_matcher()
    old_run = spacy_ruler()
    list(old_run(texts[:50]))
    t, c = time.perf_counter(), time.process_time()
    old = list(old_run(texts))
    t_old, c_old = time.perf_counter() - t, time.process_time() - c
    t, c = time.perf_counter(), time.process_time()
    new = list(extract(texts))
    t_new, c_new = time.perf_counter() - t, time.process_time() - c
    same_c = sum(1 for (a, _), (b, _) in zip(old, new)
                 if {(c["name"], c["kind"]) for c in a} == {(c["name"], c["kind"]) for c in b})
    same_t = sum(1 for (_, a), (_, b) in zip(old, new) if a == b)
    n_old = sum(len(c) for c, _ in old)
    n_new = sum(len(c) for c, _ in new)
    total = len(kb.articles)
    out = {"texts": len(texts), "corpus_articles": total,
           "spacy_ruler": {"s": round(t_old, 2), "texts_per_s": round(len(texts) / t_old, 1),
                           "whole_corpus_est_s": round(total * t_old / len(texts), 1),
                           "cpu_s": round(c_old, 2), "concepts": n_old},
           "jieba_matcher": {"s": round(t_new, 2), "texts_per_s": round(len(texts) / t_new, 1),
                             "whole_corpus_est_s": round(total * t_new / len(texts), 1),
                             "cpu_s": round(c_new, 2), "concepts": n_new},
           "speedup_wall": round(t_old / t_new, 2), "speedup_cpu": round(c_old / c_new, 2),
           "same_concept_set": round(same_c / len(texts), 4),
           "same_tokens": round(same_t / len(texts), 4),
           "load_avg_at_start": load0, "load_avg_at_end": list(os.getloadavg())}
    path = REPO / "bench" / "results" / "qa_concepts.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

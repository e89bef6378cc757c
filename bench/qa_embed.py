"""Cold embedding of the whole corpus into the embedding cache, with the progress bar.

    PS_DATA_DIR=/work/qa-var nice -n 5 python bench/qa_embed.py [--max-length 128]
        [--threads 2] 2> bench/results/qa_embed_cold.log

Parses the corpus (+ the guide), orders the articles as the build does (port texts first,
texts in force, then superseded versions and cases) and embeds every article the cache
lacks, ``--chunk`` at a time (the cache saved after each chunk). Writes
bench/results/qa_embed.json: articles, embedded now, wall seconds, rate. Later builds
(``build_kb``, ``bench/qa.py``) take the vectors from this cache. Run for the figures in the
report with the code of this file (then at /tmp/embed_all.py) on 2026-12-01, max 128 tokens,
2 threads, while other jobs shared the 2 cores (load average 8-9).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-length", type=int, default=None)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=4096)
    ap.add_argument("--out", default=str(REPO / "bench" / "results" / "qa_embed.json"))
    args = ap.parse_args(argv)
    from knowledge.config import settings
    from knowledge.corpus import load_corpus
    from knowledge.dense_build import (DenseProgress, cache_key, dense_text, embedding_order,
                                       read_priority)
    from knowledge.embedding_cache import EmbeddingCache, text_sha
    from knowledge.onnx_embedder import OnnxEmbedder

    s = settings()
    t0 = time.perf_counter()
    docs, arts, _ = load_corpus(s.corpus_dir, s.extra_files)
    order = embedding_order({d.id: d for d in docs}, arts, read_priority(s.priority_file))
    emb = OnnxEmbedder(s.zh_model_dir, max_length=args.max_length or s.zh_max_length,
                       threads=args.threads, batch_size=s.zh_batch_size)
    emb.warm_up()
    cache = EmbeddingCache(Path(s.data_dir) / "knowledge-cache" / "emb", cache_key(emb))
    texts = [dense_text(a) for a in order]
    missing = len({text_sha(t) for t in texts} - set(cache.keys))
    pr = DenseProgress()
    pr.start(len(order), len(order) - missing)
    t = time.perf_counter()
    done = [0]

    def embed(batch):
        done[0] = 0

        def cb(k):
            pr.advance(k - done[0])
            done[0] = k

        return emb.embed(batch, progress=cb)

    cache.get_or_embed(texts, embed, chunk=args.chunk)
    pr.finish()
    wall = time.perf_counter() - t
    res = {"articles": len(order), "embedded_now": missing, "embed_wall_s": round(wall, 1),
           "texts_per_s": round(missing / wall, 1) if missing else None,
           "parse_s": round(t - t0, 1), "max_length": emb.max_length, "threads": args.threads,
           "load_avg_at_end": os.getloadavg()}
    Path(args.out).write_text(json.dumps(res, indent=1))
    print(json.dumps(res), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

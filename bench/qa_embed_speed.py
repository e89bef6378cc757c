"""Speed of the dense embedding path, variant by variant, on one sample of corpus texts.

    PS_DATA_DIR=/work/qa-var nice -n 5 .venv/bin/python bench/qa_embed_speed.py \
        [--sample 1500] [--variants base128,base64,...]

Reads the parsed corpus of a built base (``articles.jsonl``; no re-parse), takes a fixed random
sample (seed 7) of the texts the build embeds (``dense_text``), and embeds it once per variant
with the product's ``OnnxEmbedder`` (or a variant of its session/batching), interleaved in
rounds so a load change hits every variant alike. Also counts, over the whole corpus, the
token lengths (share over 64 / 128 tokens) and duplicate texts. Records the load average.
Writes bench/results/qa_embed_speed.json.
"""

from __future__ import annotations

import os
import sys

_HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

CHARS_PER_TOKEN = 8
# name -> (max_length, batch_size, threads, spinning, parallel sessions)
VARIANTS = {
    "base128": (128, 32, 2, False, 1),
    "base64": (64, 32, 2, False, 1),
    "64-bs8": (64, 8, 2, False, 1),
    "64-bs16": (64, 16, 2, False, 1),
    "64-bs64": (64, 64, 2, False, 1),
    "64-bs128": (64, 128, 2, False, 1),
    "64-spin": (64, 32, 2, True, 1),
    "64-2x1thread": (64, 32, 1, False, 2),
    "64-1thread": (64, 32, 1, False, 1),
    "64-bs4": (64, 4, 2, False, 1),
    "64-bs8-1thread": (64, 8, 1, False, 1),
    "64-bs8-2x1thread": (64, 8, 1, False, 2),
    "128-bs8": (128, 8, 2, False, 1),
}


def make(model_dir, ml, bs, threads, spin):
    from knowledge.onnx_embedder import OnnxEmbedder

    e = OnnxEmbedder(model_dir, max_length=ml, batch_size=bs, threads=threads)
    e.spinning = spin
    e.warm_up()
    return e


def run(embs, texts):
    """Embed ``texts`` with one embedder, or split in halves over two in two threads."""
    if len(embs) == 1:
        return embs[0].embed(texts)
    half = len(texts) // 2
    parts = [texts[:half], texts[half:]]
    out = [None, None]

    def go(i):
        out[i] = embs[i].embed(parts[i])

    ts = [threading.Thread(target=go, args=(i,)) for i in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    import numpy as np

    return np.vstack(out)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", type=int, default=1500)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--out", default="qa_embed_speed")
    args = ap.parse_args()
    import numpy as np

    from knowledge import persist
    from knowledge.config import settings
    from knowledge.dense_build import dense_text

    s = settings()
    _, docs, arts = persist.read(Path(s.index_dir))
    texts_all = [dense_text(a) for a in arts]
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(Path(s.zh_model_dir) / "bge-small-zh-v1.5-q-tokenizer.json"))
    tok.no_padding()
    tok.no_truncation()
    t = time.perf_counter()
    lens = np.asarray([len(e.ids) for e in tok.encode_batch(texts_all)])
    tok_s = time.perf_counter() - t
    # a candidate speed-up: cut each text to CHARS_PER_TOKEN * max_length characters before
    # tokenising (the tokenizer tokenises a whole article only to truncate it): does it change
    # any text's truncated ids, and what does it save?  (measured: no change, no saving;
    # not adopted)
    precut = {}
    for ml in (64, 128):
        tok.enable_truncation(max_length=ml)
        t = time.perf_counter()
        full = [e.ids for e in tok.encode_batch(texts_all)]
        t_full = time.perf_counter() - t
        t = time.perf_counter()
        cut = [e.ids for e in tok.encode_batch([x[:CHARS_PER_TOKEN * ml] for x in texts_all])]
        t_cut = time.perf_counter() - t
        precut[ml] = {"texts_with_other_ids": sum(a != b for a, b in zip(full, cut)),
                      "tokenize_full_s": round(t_full, 2), "tokenize_cut_s": round(t_cut, 2)}
    tok.no_truncation()
    uniq = len(set(texts_all))
    stats = {"texts": len(texts_all), "unique_texts": uniq, "duplicates": len(texts_all) - uniq,
             "tokens_median": float(np.median(lens)), "tokens_mean": round(float(lens.mean()), 1),
             "share_over_64": round(float((lens > 64).mean()), 4),
             "share_over_128": round(float((lens > 128).mean()), 4),
             "tokenize_all_s": round(tok_s, 2),
             "padded_tokens_at_64": int(np.minimum(lens, 64).sum()),
             "padded_tokens_at_128": int(np.minimum(lens, 128).sum()),
             "precut": precut}
    print(stats, file=sys.stderr, flush=True)
    rnd = random.Random(7)
    sample = rnd.sample(texts_all, args.sample)
    names = args.variants.split(",")
    embs = {}
    for n in names:
        ml, bs, th, spin, par = VARIANTS[n]
        embs[n] = [make(s.zh_model_dir, ml, bs, th, spin) for _ in range(par)]
        run(embs[n], sample[:64])  # warm
    times = {n: [] for n in names}
    cpu = {n: [] for n in names}
    ref = {}
    load0 = list(os.getloadavg())
    for r in range(args.rounds):
        for n in names:
            t, c = time.perf_counter(), time.process_time()
            v = run(embs[n], sample)
            times[n].append(time.perf_counter() - t)
            cpu[n].append(time.process_time() - c)
            ref[n] = v
            print(r, n, f"{len(sample) / times[n][-1]:.1f} texts/s", file=sys.stderr, flush=True)
    out = {"command": "PS_DATA_DIR=<built base> nice -n 5 .venv/bin/python "
                      "bench/qa_embed_speed.py " + " ".join(sys.argv[1:]),
           "sample": args.sample, "rounds": args.rounds, "corpus": stats, "variants": {},
           "load_avg_at_start": load0}
    for n in names:
        ml = VARIANTS[n][0]
        same = "base64" if ml == 64 else "base128"
        agree = None
        if same in ref and n != same:
            agree = round(float((ref[n] * ref[same]).sum(1).min()), 5)
        best = min(times[n])
        out["variants"][n] = {
            "max_length": ml, "batch_size": VARIANTS[n][1], "threads": VARIANTS[n][2],
            "spinning": VARIANTS[n][3], "sessions": VARIANTS[n][4],
            "seconds": [round(x, 2) for x in times[n]],
            "texts_per_s_best": round(args.sample / best, 1),
            "texts_per_s_mean": round(args.sample * len(times[n]) / sum(times[n]), 1),
            "cpu_ms_per_text": round(1e3 * min(cpu[n]) / args.sample, 2),
            "min_cosine_vs_" + same: agree}
    out["load_avg_at_end"] = list(os.getloadavg())
    (REPO / "bench" / "results" / f"{args.out}.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=1))
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

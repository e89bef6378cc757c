"""Choosing the final pipeline's configuration on a tuning set (used by bench/qa_tune.py).

``collect`` runs retrieval once per question and query variant (the stage lists of
``TunedRetriever``); ``measure`` scores a ``FusionConfig`` over those lists with the very
``fuse`` the retriever runs; ``coordinate_ascent`` changes one field at a time, keeping a
change only when the tuning objective (MRR@10 + Recall@10; over several sets the sum of
their logs, ``score``) rises by at least ``min_gain``.
With ``smooth``, a value of an ordered knob (weights, bonuses, ``rrf_k``, ``candidates``) is
scored by the mean objective of it and its grid neighbours, so the ascent prefers a flat
region of the tuning objective to a lone peak that one or two questions make.
"""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import product
from typing import Any, Callable, Iterable

from qa.evaluate import _is_gold
from qa.retrievers.tuned import FusionConfig, TunedRetriever, cut_depth, fuse
from qa.understanding import understand


def collect(retriever: TunedRetriever, questions: Iterable[dict[str, Any]], n: int = 100
            ) -> list[dict[str, Any]]:
    """Per question: its hints, the stage lists of every query variant (colloquial map on
    or off for BM25 and for the dense query; English: question or glossary terms embedded),
    bonus features and which candidate ids are gold."""
    kb = retriever.kb
    out = []
    for q in questions:
        u = understand(q["question"], kb)
        h = u.hints()
        lists: dict[tuple[str, str], dict] = {}
        lex: dict[str, dict] = {}
        dense: dict[str, list] = {}
        for cb, cd, en in product((True, False), (True, False), ("question", "terms")):
            cfg = FusionConfig(colloquial_bm25=cb, colloquial_dense=cd, en_dense_query=en)
            key = retriever.queries(u.query, h, cfg)
            if key in lists:
                continue
            if key[0] not in lex:
                ls = retriever.stage_lists(key[0], "", h, n)
                ls.pop("dense", None)
                lex[key[0]] = ls
            if key[1] not in dense:
                dense[key[1]] = retriever.dense.rank(key[1], n)
            lists[key] = {**lex[key[0]], "dense": dense[key[1]]}
        ids = {i for ls in lists.values() for res in ls.values() for i, _ in res}
        gold = {i for i in ids if _is_gold(kb.by_id[i], q.get("gold") or [], kb)}
        out.append({"q": q, "u": u, "h": h, "lists": lists,
                    "bonus": retriever.bonuses(ids, h), "doc_of": retriever.doc_of(ids),
                    "gold": gold})
    return out


def ranked(row: dict[str, Any], cfg: FusionConfig, retriever: TunedRetriever, k: int = 10
           ) -> list[str]:
    key = retriever.queries(row["u"].query, row["h"], cfg)
    lists = cut_depth(row["lists"][key], cfg)
    return [i for i, _ in fuse(lists, cfg, row["bonus"], row.get("doc_of"))[:k]]


def measure(rows: list[dict[str, Any]], cfg: FusionConfig, retriever: TunedRetriever
            ) -> dict[str, float]:
    """Recall@10 and MRR@10 over the answerable rows."""
    rec = mrr = 0.0
    n = 0
    for r in rows:
        if not r["q"].get("answerable", True):
            continue
        n += 1
        top = ranked(r, cfg, retriever)
        rank = next((j for j, i in enumerate(top, start=1) if i in r["gold"]), None)
        rec += rank is not None
        mrr += 1.0 / rank if rank else 0.0
    return {"recall@10": round(rec / max(n, 1), 4), "mrr@10": round(mrr / max(n, 1), 4),
            "n": n}


def objective(m: dict[str, float]) -> float:
    return m["mrr@10"] + m["recall@10"]


def score(rows: list[dict[str, Any]] | dict[str, list[dict[str, Any]]], cfg: FusionConfig,
          retriever: TunedRetriever) -> float:
    """The tuning objective of ``cfg``: MRR@10 + Recall@10 over one list of rows; over
    several named sets (``{name: rows}``), the sum of each set's log(MRR@10 + Recall@10), so
    that a relative change counts the same on every set: a config cannot buy a gain on
    colloquial questions with a larger relative loss on questions in statutory words."""
    if isinstance(rows, dict):
        return sum(math.log(max(objective(measure(r, cfg, retriever)), 1e-6))
                   for r in rows.values())
    return objective(measure(rows, cfg, retriever))


SEARCH: dict[str, list] = {
    "fusion": ["minmax", "rrf"],
    "rrf_k": [20, 60],
    "candidates": [30, 50, 100],
    "d.words": [None, 20, 50, 100],
    "d.bigrams": [None, 20, 50, 100],
    "d.dense": [None, 20, 50, 100],
    "w.words": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
    "w.bigrams": [0.0, 0.1, 0.2, 0.3, 0.5, 0.8],
    "w.dense": [0.3, 0.5, 0.7, 1.0, 1.5],
    "w.law": [0.0, 0.2, 0.5, 1.0],
    "w.number": [0.0, 1.0, 3.0],
    "b.law": [0.0, 0.1, 0.3],
    "b.superseded": [0.0, -0.05, -0.1, -0.3],
    "b.core": [0.0, 0.05, 0.1, 0.2],
    "b.doc": [0.0, 0.1, 0.2, 0.5, 1.0],
    "colloquial_bm25": [True, False],
    "colloquial_dense": [False, True],
    "en_dense_query": ["question", "terms"],
}


def with_value(cfg: FusionConfig, name: str, value) -> FusionConfig:
    if name.startswith("w."):
        return replace(cfg, weights={**cfg.weights, name[2:]: value})
    if name.startswith("d."):  # None: the stage uses ``candidates``
        depth = {k: v for k, v in cfg.depth.items() if k != name[2:]}
        return replace(cfg, depth=depth if value is None else {**depth, name[2:]: value})
    if name.startswith("b."):
        return replace(cfg, bonus={**cfg.bonus, name[2:]: value})
    return replace(cfg, **{name: value})


ORDERED = ("rrf_k", "candidates", "w.", "b.")  # knobs whose grid values are ordered


def value_of(cfg: FusionConfig, name: str):
    if name[:2] in ("w.", "b."):
        return (cfg.weights if name[0] == "w" else cfg.bonus).get(name[2:], 0.0)
    if name.startswith("d."):
        return cfg.depth.get(name[2:])
    return getattr(cfg, name)


def smoothed(objs: list[float]) -> list[float]:
    """Each grid value's objective averaged with its neighbours' (ends: one neighbour)."""
    return [sum(objs[max(i - 1, 0):i + 2]) / len(objs[max(i - 1, 0):i + 2])
            for i in range(len(objs))]


def coordinate_ascent(rows: list[dict[str, Any]] | dict[str, list[dict[str, Any]]],
                      retriever: TunedRetriever,
                      start: FusionConfig, rounds: int = 3,
                      log: Callable[[str], None] = lambda m: None, *,
                      min_gain: float = 0.0, smooth: bool = False
                      ) -> tuple[FusionConfig, list[dict]]:
    """One knob at a time over ``SEARCH``: the best value (smoothed over grid neighbours for
    ordered knobs with ``smooth``) replaces the current one only if it beats the current
    value's score by at least ``min_gain``."""
    cfg = start
    trail = [{"step": "start", "objective": round(score(rows, start, retriever), 4),
              "min_gain": min_gain, "smooth": smooth}]
    for rnd in range(rounds):
        improved = False
        for name, values in SEARCH.items():
            cur = value_of(cfg, name)
            grid = list(values) if cur in values else list(values) + [cur]
            if smooth and name.startswith(ORDERED):
                grid = sorted(grid)
            objs = [score(rows, with_value(cfg, name, v), retriever) for v in grid]
            sc = smoothed(objs) if smooth and name.startswith(ORDERED) else objs
            here = sc[grid.index(cur)]
            j = max(range(len(grid)), key=lambda i: (sc[i], -abs(i - grid.index(cur))))
            if grid[j] != cur and sc[j] >= here + min_gain - 1e-9 and sc[j] > here:
                cfg, improved = with_value(cfg, name, grid[j]), True
                trail.append({"round": rnd, "set": name, "value": grid[j],
                              "score": round(sc[j], 4), "was": round(here, 4),
                              "objective": round(objs[j], 4)})
                log(f"round {rnd}: {name}={grid[j]} -> {objs[j]:.4f} (score {sc[j]:.4f} "
                    f"vs {here:.4f})")
        if not improved:
            break
    return cfg, trail

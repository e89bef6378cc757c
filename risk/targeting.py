"""Targeting lists (布控清单) and inspection feedback.

``targeting_list`` ranks the declarations of a date range (and port) under an inspection
budget — a fraction (0 < budget < 1, e.g. 0.05 = 5%) or a count (>= 1) — and returns them
de-duplicated (one row per declaration; containers/vehicles linked to several picked
declarations are listed once, with the declarations they cover), each with reasons.

Exploration share (documented policy): ``exploration_share`` of the budget (default
``PS_RISK_EXPLORATION_SHARE`` = 10%, rounded down, at least 1 pick once the budget is >= 10)
is not spent on the top scores: half goes to the most *uncertain* remaining declarations
(score closest to the model's decision threshold, the median score of the top slice), half
to a uniform random draw (seeded, so a list is reproducible) among the rest. These picks keep
feeding the model labels from outside its comfort zone (cf. active learning for customs
selection, Kim et al.; Mavroeidis et al.). Each item says ``"pick": "model" | "uncertain" |
"random"``.

``record_inspection(store, declaration_key, result, findings, inspector)`` writes an
``Inspection`` node and ``(:Inspection)-[:INSPECTED]->(:Declaration)``; the next
``portsentinel train`` reads it as the declaration's label (hit=1, no_hit=0).
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from graph.clock import now_iso

RESULTS = {"hit": "hit", "no_hit": "no_hit", True: "hit", False: "no_hit", "1": "hit",
           "0": "no_hit", "查获": "hit", "未查获": "no_hit"}


def _budget_count(budget: float | int, n: int) -> int:
    if budget is None or budget <= 0:
        from risk.exceptions import DataError

        raise DataError(f"budget must be > 0 (fraction < 1 or a count), got {budget}")
    if budget < 1:
        return max(1, int(np.ceil(n * float(budget))))
    return min(n, int(budget))


def select(scores: Any, *, k: int, exploration_share: float, seed: int = 7
           ) -> list[tuple[int, str]]:
    """Indices to inspect, with why: ``(i, "model"|"uncertain"|"random")``; no duplicates."""
    s = np.asarray(scores, dtype=float)
    n = len(s)
    k = min(k, n)
    n_exp = int(np.floor(k * exploration_share))
    n_exp = max(n_exp, 1) if k >= 10 and exploration_share > 0 else n_exp
    order = np.argsort(-s, kind="stable")
    top = [(int(i), "model") for i in order[:k - n_exp]]
    rest = order[k - n_exp:]
    if n_exp == 0 or len(rest) == 0:
        return top
    thr = float(np.median(s[order[:k]]))
    n_unc = n_exp // 2 + n_exp % 2
    unc = rest[np.argsort(np.abs(s[rest] - thr), kind="stable")[:n_unc]]
    left = np.setdiff1d(rest, unc)
    rng = np.random.default_rng(seed)
    rnd = rng.choice(left, size=min(n_exp - len(unc), len(left)), replace=False) if len(left) else []
    return top + [(int(i), "uncertain") for i in unc] + [(int(i), "random") for i in rnd]


KINDS = {"declaration": "Declaration", "vehicle": "Vehicle", "container": "Container"}
_LINK = {"Vehicle": "CARRIED_BY", "Container": "IN_CONTAINER"}


def entity_targeting_list(*, store: Any, label: str, date_from: str | None = None,
                          date_to: str | None = None, port: str | None = None,
                          budget: float | int = 0.05, exploration_share: float | None = None,
                          seed: int = 7, with_reasons: bool = True) -> dict[str, Any]:
    """Vehicles or containers to check, ranked by the ``risk_score`` the entity scoring wrote
    (``portsentinel score`` with an entity model promoted), among those carrying a declaration
    in the date range (and at ``port``: the declaration's office code or Port key). Same
    budget and exploration policy as declarations; reasons from
    ``risk.entity.explain.explain_entity`` (with evidence paths) for the first 20."""
    import pandas as pd

    from risk.config import settings
    from risk.exceptions import DataError

    rel = _LINK[label]
    t = store.export(labels=["Declaration", label], rel_types=[rel])
    nodes, links = t.nodes.get(label), t.relationships.get(rel)
    share = settings().exploration_share if exploration_share is None else float(exploration_share)
    empty = {"kind": label.lower(), "items": [], "budget": budget, "candidates": 0,
             "exploration_share": share}
    if nodes is None or not len(nodes) or links is None or not len(links):
        return empty
    if "risk_score" not in nodes or nodes["risk_score"].isna().all():
        raise DataError(f"no {label} carries a risk_score yet: run `portsentinel train "
                        "--entities --promote` and `portsentinel score` first")
    d = t.nodes["Declaration"].set_index("key")
    ln = links[(links["start_label"] == "Declaration") & (links["end_label"] == label)]
    ln = ln.assign(date=pd.to_datetime(ln["start_key"].map(d.get("date")), errors="coerce",
                                       utc=True).dt.tz_localize(None),
                   office=ln["start_key"].map(d.get("office", pd.Series(dtype=object))))
    if date_from:
        ln = ln[ln["date"] >= pd.Timestamp(date_from)]
    if date_to:
        ln = ln[ln["date"] <= pd.Timestamp(date_to)]
    if port:
        ln = ln[(ln["office"].astype(str) == str(port))
                | (ln["office"].astype(str) == str(port).removeprefix("CN:"))]
    decls = ln.groupby("end_key")["start_key"].apply(list)
    n = nodes.set_index("key").loc[lambda x: x.index.isin(decls.index)]
    if n.empty:
        return empty
    scores = pd.to_numeric(n["risk_score"], errors="coerce").fillna(0.0).to_numpy()
    k = _budget_count(budget, len(n))
    picks = select(scores, k=k, exploration_share=share, seed=seed)
    items = []
    for rank, (i, why) in enumerate(picks, 1):
        key = str(n.index[i])
        item = {"rank": rank, "label": label, "key": key,
                "risk_score": round(float(scores[i]), 4),
                "risk_level": n["risk_level"].iloc[i] if "risk_level" in n else None,
                "model_version": n["model_version"].iloc[i] if "model_version" in n else None,
                "pick": why, "declarations": len(decls[key]),
                "declaration_keys": sorted(map(str, decls[key]))[:10]}
        if with_reasons and rank <= 20:
            from risk.entity.explain import explain_entity

            ex = explain_entity(store, label, key)
            item["reasons"] = {"zh": [r["text_zh"] for r in ex["reasons"]][:3],
                               "en": [r["text_en"] for r in ex["reasons"]][:3],
                               "paths": [p for r in ex["reasons"][:3] for p in r["paths"]]}
            if why != "model":
                item["reasons"]["zh"].insert(0, "探索性抽查(不确定)" if why == "uncertain"
                                             else "探索性随机抽查")
                item["reasons"]["en"].insert(0, f"exploration pick ({why})")
        items.append(item)
    return {"kind": label.lower(), "items": items, "budget": budget, "selected": len(items),
            "candidates": int(len(n)), "exploration_share": share,
            "exploration_picks": sum(1 for _, w in picks if w != "model")}


def targeting_list(*, model: Any = None, frame: Any = None, store: Any = None,
                   date_from: str | None = None, date_to: str | None = None,
                   port: str | None = None, budget: float | int = 0.05,
                   exploration_share: float | None = None, seed: int = 7,
                   with_reasons: bool = True, kind: str = "declaration") -> dict[str, Any]:
    """Ranked, de-duplicated list of declarations to inspect (see module docstring).
    Declarations come from ``frame`` (a declaration frame) or are exported from ``store``.
    ``kind="vehicle"`` / ``"container"``: ``entity_targeting_list`` (needs ``store``; the
    entity scores written by the last scoring run rank them; ``model`` is not used)."""
    import pandas as pd

    if kind not in KINDS:
        from risk.exceptions import DataError

        raise DataError(f"targeting kind must be one of {', '.join(KINDS)}, got {kind!r}")
    if kind != "declaration":
        if store is None:
            from risk.exceptions import DataError

            raise DataError(f"a {kind} targeting list reads the graph: pass store=")
        return entity_targeting_list(store=store, label=KINDS[kind], date_from=date_from,
                                     date_to=date_to, port=port, budget=budget,
                                     exploration_share=exploration_share, seed=seed,
                                     with_reasons=with_reasons)

    from risk.config import settings
    from risk.explain import explain_declaration
    from risk.scoring import risk_levels

    if frame is None:
        from risk.frame import export_frame

        frame = export_frame(store=store)
    f = frame.drop_duplicates("key").copy()
    if date_from:
        f = f[f["date"] >= pd.Timestamp(date_from)]
    if date_to:
        f = f[f["date"] <= pd.Timestamp(date_to)]
    if port:
        f = f[(f["office"].astype(str) == str(port))
              | (f["office"].astype(str) == f"KCS:OFFICE:{port}")]
    f = f.reset_index(drop=True)
    share = settings().exploration_share if exploration_share is None else float(exploration_share)
    if f.empty:
        return {"items": [], "conveyances": [], "budget": budget, "candidates": 0,
                "exploration_share": share}
    scores = model.score(f)
    levels = risk_levels(scores)
    k = _budget_count(budget, len(f))
    picks = select(scores, k=k, exploration_share=share, seed=seed)
    items, conveyances = [], {}
    for rank, (i, why) in enumerate(picks, 1):
        row = f.iloc[[i]]
        item = {"rank": rank, "declaration": str(row["key"].iloc[0]),
                "date": str(row["date"].iloc[0].date()), "office": row["office"].iloc[0],
                "risk_score": round(float(scores[i]), 4), "risk_level": levels[i], "pick": why}
        if with_reasons:
            ex = explain_declaration(model=model, row=row, score=float(scores[i]),
                                     store=store if rank <= 20 else None, top=3)
            item["reasons"] = {"zh": [e["text_zh"] for e in ex["evidence"]][:3],
                               "en": [e["text_en"] for e in ex["evidence"]][:3],
                               "features": ex["features"]}
            if why != "model":
                item["reasons"]["zh"].insert(0, "探索性抽查(不确定)" if why == "uncertain" else "探索性随机抽查")
                item["reasons"]["en"].insert(0, f"exploration pick ({why})")
        if store is not None:
            sub = store.neighbourhood("Declaration", item["declaration"], hops=1,
                                      labels=["Container", "Vehicle"], limit=50)
            for n in sub.nodes:
                if n.label in ("Container", "Vehicle"):
                    c = conveyances.setdefault((n.label, n.key), {"label": n.label, "key": n.key,
                                                                  "declarations": []})
                    c["declarations"].append(item["declaration"])
        items.append(item)
    n_exp = sum(1 for _, w in picks if w != "model")
    return {"items": items, "conveyances": list(conveyances.values()), "budget": budget,
            "selected": len(items), "candidates": int(len(f)), "exploration_share": share,
            "exploration_picks": n_exp, "model": getattr(model, "name", "")}


def record_inspection(store: Any, declaration_key: str, result: Any, findings: str = "",
                      inspector: str = "", *, at: str | None = None,
                      inspection_key: str | None = None) -> dict[str, Any]:
    """Record an inspection result (hit / no_hit) for a declaration: an ``Inspection`` node +
    ``INSPECTED`` relationship, and ``Declaration.inspected = true``. Idempotent for the same
    (declaration, inspector, at)."""
    from graph.base import NodeRecord, RelRecord
    from risk.exceptions import DataError

    res = RESULTS.get(result if not isinstance(result, str) else result.strip().lower())
    if res is None:
        raise DataError(f"inspection result must be 'hit' or 'no_hit', got {result!r}")
    if store.get("Declaration", declaration_key) is None:
        raise DataError(f"declaration {declaration_key!r} is not in the graph")
    at = at or now_iso()
    key = inspection_key or "INSP:" + hashlib.sha256(
        f"{declaration_key}|{inspector}|{at}".encode()).hexdigest()[:16]
    store.upsert(
        [NodeRecord("Inspection", key, {"date": at[:10], "result": res, "findings": findings or "",
                                         "inspector": inspector or "", "target_label": "Declaration",
                                         "target_key": declaration_key},
                    source="inspection", seen_at=at),
         NodeRecord("Declaration", declaration_key, {"inspected": True}, source="inspection",
                    seen_at=at)],
        [RelRecord("INSPECTED", "Inspection", key, "Declaration", declaration_key, {"at": at},
                   source="inspection", seen_at=at)])
    return {"inspection": key, "declaration": declaration_key, "result": res, "at": at}

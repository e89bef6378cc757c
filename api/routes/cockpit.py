"""Cockpit (驾驶舱): how the port is doing, in one read — declarations per day, share
targeted, the hit rate of issued lists over time (inspections recorded against list items,
from the graph's Inspection nodes), warnings by level and status with ageing, the risk
distribution, the top risky entities (masked, with captions), the serving model with its
validation metrics and a drift indicator: the score distribution of the latest scoring run
against the serving model's training distribution (``risk.drift.model_drift``: PSI over the
training deciles, KS, a level and a sentence; model-wide, not narrowed by the filters).
Filter by port and date range (declaration dates)."""

from __future__ import annotations

import math
import time
from collections import Counter, defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.captions import captioned
from api.deps import AuditDep, StateDep, StoreDep, require_any
from api.outcomes import inspections, list_outcome
from api.routes.models import promoted_model
from api.state import AppState
from api.users import User
from graph import GraphStore
from risk.warnings.triage import MENTION_PREFIXES

router = APIRouter(prefix="/cockpit", tags=["risk"])
Reader = Annotated[User, Depends(require_any("graph:read", "warnings:read", "targeting:read"))]
ENTITIES = ("Enterprise", "Person", "Vehicle")
AGE_BUCKETS = ((1, "<1d"), (3, "1-3d"), (7, "3-7d"), (math.inf, ">7d"))


def issued_hit_rate(state: AppState, store: GraphStore, port: str | None = None
                    ) -> dict[str, Any]:
    """{inspected, hits, hit_rate, lists, by_day: [{date, inspected, hits, hit_rate}]} over
    every issued list (of ``port``), by the day each list was issued."""
    insp = inspections(store)
    day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    n_lists, offset = 0, 0
    while True:
        rows, total = state.work.list_targeting_lists(port=port, limit=200, offset=offset)
        for r in rows:
            tl = state.work.get_targeting_list(r["id"]) or {"items": []}
            o = list_outcome(tl["items"], r["created_at"], insp)
            d = day[r["created_at"][:10]]
            d[0] += o["inspected"]
            d[1] += o["hits"]
            n_lists += 1
        offset += len(rows)
        if not rows or offset >= total:
            break
    n, h = sum(v[0] for v in day.values()), sum(v[1] for v in day.values())
    return {"lists": n_lists, "inspected": n, "hits": h,
            "hit_rate": round(h / n, 4) if n else None,
            "by_day": [{"date": k, "inspected": v[0], "hits": v[1],
                        "hit_rate": round(v[1] / v[0], 4) if v[0] else None}
                       for k, v in sorted(day.items())]}


def _declarations(store: GraphStore, port, date_from, date_to):
    t = store.export(labels=["Declaration"], rel_types=["AT_PORT"])
    df = t.nodes.get("Declaration")
    if df is None or df.empty or "date" not in df:
        return None
    df = df.assign(day=df["date"].astype(str).str[:10])
    if port and "office" in df:
        df = df[df["office"].astype(str).str.replace("KCS:OFFICE:", "") == str(port)]
    if date_from:
        df = df[df["day"] >= date_from]
    if date_to:
        df = df[df["day"] <= date_to]
    return df


def _warnings(state: AppState, port: str | None) -> dict[str, Any]:
    ws = state.warnings.lifecycle.list(limit=20_000, port=port)
    now = time.time()
    by = Counter((w["level"], w["status"]) for w in ws)
    ageing = Counter()
    from datetime import datetime
    for w in ws:
        if w["status"] == "closed":
            continue
        age = (now - datetime.fromisoformat(w["created_at"]).timestamp()) / 86_400
        ageing[next(name for lim, name in AGE_BUCKETS if age < lim)] += 1
    return {"total": len(ws), "by_level_status": [{"level": l, "status": s, "n": n}
                                                  for (l, s), n in sorted(by.items())],
            "ageing": [{"bucket": name, "n": ageing.get(name, 0)} for _, name in AGE_BUCKETS]}


@router.get("", summary="Port overview: volumes, targeting, hit rate, warnings, risk, model")
def cockpit(user: Reader, state: StateDep, store: StoreDep, audit: AuditDep,
            port: Annotated[str | None, Query(max_length=50)] = None,
            date_from: Annotated[str | None, Query(max_length=10)] = None,
            date_to: Annotated[str | None, Query(max_length=10)] = None) -> dict[str, Any]:
    masker, unmasked = state.masker, user.has_grant("pii")
    df = _declarations(store, port, date_from, date_to)
    per_day, risk_dist = [], {}
    if df is not None and not df.empty:
        listed: Counter = Counter()
        keys = set(df["key"].astype(str))
        rows, _ = state.work.list_targeting_lists(port=port, limit=500, offset=0)
        seen: set[str] = set()
        day_of = dict(zip(df["key"].astype(str), df["day"]))
        for r in rows:
            for it in (state.work.get_targeting_list(r["id"]) or {"items": []})["items"]:
                k = str(it["key"])
                if k in keys and k not in seen:
                    seen.add(k)
                    listed[day_of[k]] += 1
        counts = df.groupby("day").size().sort_index()
        per_day = [{"date": d, "declarations": int(n), "targeted": listed.get(d, 0),
                    "share_targeted": round(listed.get(d, 0) / int(n), 4)}
                   for d, n in counts.tail(120).items()]
        if "risk_level" in df:
            risk_dist["Declaration"] = {str(k): int(v) for k, v in
                                        df["risk_level"].dropna().value_counts().items()}
    top = []
    t = store.export(labels=list(ENTITIES), rel_types=["DECLARED"])
    for label in ENTITIES:
        edf = t.nodes.get(label)
        if edf is None or edf.empty or "risk_score" not in edf:
            continue
        if "risk_level" in edf:
            risk_dist[label] = {str(k): int(v) for k, v in
                                edf["risk_level"].dropna().value_counts().items()}
        canon = edf[~edf["key"].astype(str).str.startswith(MENTION_PREFIXES)]  # not mentions
        for r in canon.dropna(subset=["risk_score"]).nlargest(10, "risk_score").to_dict("records"):
            props = {k: r.get(k) for k in ("name", "risk_score", "risk_level") if k in r}
            top.append(captioned(masker.node(
                {"label": label, "key": str(r["key"]), "props": props}, unmasked)))
    top.sort(key=lambda n: -(n["props"].get("risk_score") or 0))
    model = promoted_model(state)
    from risk.drift import model_drift

    drift = model_drift(data_dir=state.settings.data_dir)
    audit("cockpit.read", "cockpit", port or "*", {"date_from": date_from, "date_to": date_to})
    return {"filters": {"port": port, "date_from": date_from, "date_to": date_to},
            "declarations_per_day": per_day,
            "declarations": int(sum(d["declarations"] for d in per_day)),
            "hit_rate": issued_hit_rate(state, store, port), "warnings": _warnings(state, port),
            "risk_distribution": risk_dist, "top_entities": top[:15],
            "model": model and {k: model.get(k) for k in ("version", "model", "metrics",
                                                          "promoted_at", "created_at")
                                if k in model},
            "drift": drift}

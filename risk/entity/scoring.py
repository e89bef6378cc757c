"""Entity batch scoring with write-back: ``batch_score_entities(store=, ...)`` writes
``risk_score``, ``risk_level`` (高 top 5% / 中 next 15% / 低 of the label's canonical
entities; mention nodes carry their entity's score and level), ``model_version``
(``entity:<version>``) and ``scored_at`` to EVERY Enterprise, Person, Vehicle, Vessel and
Container node, in chunks of ``chunk`` nodes per ``set_properties`` call.

Warnings (baseline rule): only a *rise between two entity-model runs* is news. The previous
level is the one the node carries from an earlier entity-model run (``model_version``
starting with ``entity:``); a node scored for the first time by the entity model — or last
scored by the declaration model, whose levels are not comparable — sets the baseline and raises
nothing, so the first run never floods the queue. Rises (低→中, 低/中→高) go to ``on_scored``
(e.g. ``WarningService.on_scored``; its ``score_crossing`` rule covers Enterprise, Person,
Vehicle, Container, Vessel) with ``previous_level`` set, and only those — a million
unchanged entities cost the warning service nothing.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

import numpy as np

from graph.clock import utc_now
from risk.entity.graph_frame import ENTITY_LABELS, export_entity_graph

log = logging.getLogger(__name__)
VERSION_PREFIX = "entity:"
ORDER = {"低": 1, "中": 2, "高": 3}


def load_entity_model(*, data_dir: Any = None) -> tuple[Any, dict[str, Any]]:
    """(model, info) promoted in the entity registry (``PS_RISK_ENTITY_REGISTRY_NAME``)."""
    from risk import registry
    from risk.config import RiskSettings

    s = RiskSettings() if data_dir is None else RiskSettings(data_dir=data_dir)
    return registry.load_promoted(name=s.entity_registry_name, data_dir=data_dir)


def rises(previous: dict[str, tuple[Any, Any]], upd: dict[str, dict[str, Any]]
          ) -> dict[str, dict[str, Any]]:
    """The updates whose level rose since the previous entity-model run (baseline rule)."""
    out = {}
    for k, p in upd.items():
        lv, ver = previous.get(k, (None, None))
        if not (isinstance(ver, str) and ver.startswith(VERSION_PREFIX)):
            continue
        if ORDER.get(p["risk_level"], 0) > ORDER.get(str(lv), 0):
            out[k] = dict(p, previous_level=lv)
    return out


def first_highs(previous: dict[str, tuple[Any, Any]], upd: dict[str, dict[str, Any]]
                ) -> dict[str, dict[str, Any]]:
    """The 高 updates of nodes without an entity-model baseline (first scored by it)."""
    return {k: p for k, p in upd.items() if p["risk_level"] == "高" and not (
        isinstance(previous.get(k, (None, None))[1], str)
        and previous[k][1].startswith(VERSION_PREFIX))}


def levels_by_population(vals: np.ndarray, population: np.ndarray) -> list[str]:
    """高/中/低 with the cut-offs of ``risk.scoring.risk_levels`` taken on ``population``
    (the canonical entities) and applied to ``vals`` (every node, mentions included)."""
    from risk.config import settings
    from risk.scoring import ABS_HIGH, ABS_MID, risk_levels

    pop = np.asarray(population, dtype=float)
    if len(pop) < 20:
        return risk_levels(vals) if len(vals) >= 20 else [
            "高" if v >= ABS_HIGH else "中" if v >= ABS_MID else "低" for v in vals]
    st = settings()
    hi, mid = np.quantile(pop, st.level_high_pct), np.quantile(pop, st.level_mid_pct)
    return ["高" if v >= hi and v > 0 else "中" if v >= mid and v > 0 else "低" for v in vals]


def batch_score_entities(*, store: Any, model: Any = None, model_version: str | None = None,
                         cutoff: str | None = None, chunk: int = 5000, data_dir: Any = None,
                         on_scored: Callable[[Any, dict[str, dict[str, Any]]], Any] | None = None,
                         eg: Any = None,
                         on_written: Callable[[str, dict[str, dict[str, Any]]], Any] | None = None,
                         on_baseline: Callable[[Any, dict[str, dict[str, Any]]], Any] | None = None,
                         snapshot: Any = None) -> dict[str, Any]:
    """Score every entity node with the entity model (default: the promoted one of the entity
    registry) and write the risk properties back; see the module docstring. ``eg``: an
    already exported ``EntityGraph`` (benches). ``on_written(label, updates)``: after each
    written chunk (the score history, ``risk.history``). ``on_baseline(store, firsts)``: the
    高-level entities scored by the entity model for the first time (no baseline), once
    (the warning service's first-run triage). ``snapshot``: a ``graph.snapshot.Snapshot``
    read instead of a new export while it is current for the entities' levels. Returns
    counts per label, timings and the warnings raised."""
    if model is None:
        model, info = load_entity_model(data_dir=data_dir)
        model_version = model_version or info["serving"]
    version = VERSION_PREFIX + (model_version or "unregistered")
    t0 = time.perf_counter()
    if eg is None:
        eg = export_entity_graph(store=store, cutoff=cutoff, snapshot=snapshot)
    t1 = time.perf_counter()
    res = model.score_graph(eg)
    t2 = time.perf_counter()
    at = utc_now().replace(microsecond=0).isoformat()
    written: dict[str, int] = {}
    levels_n: dict[str, dict[str, int]] = {}
    changes: dict[str, dict[str, Any]] = {}
    firsts: dict[str, dict[str, Any]] = {}
    write_s: dict[str, float] = {}
    for label in ENTITY_LABELS:
        tl = time.perf_counter()
        kv = res["scores"].get(label, {})
        keys = list(kv)
        vals = np.fromiter(kv.values(), float, count=len(keys))
        levels = levels_by_population(vals, res.get("population", {}).get(label, vals))
        levels_n[label] = {lv: int(levels.count(lv)) for lv in ("高", "中", "低")}
        prev = eg.previous.get(label, {})
        for i in range(0, len(keys), chunk):
            upd = {k: {"risk_score": round(float(v), 6), "risk_level": lv,
                       "model_version": version, "scored_at": at}
                   for k, v, lv in zip(keys[i:i + chunk], vals[i:i + chunk],
                                       levels[i:i + chunk])}
            written[label] = written.get(label, 0) + store.set_properties(label, upd)
            if on_written is not None:
                on_written(label, upd)
            if on_baseline is not None:
                firsts.setdefault(label, {}).update(first_highs(prev, upd))
            up = rises(prev, upd)
            if up:
                changes.setdefault(label, {}).update(up)
        write_s[label] = round(time.perf_counter() - tl, 3)
    t3 = time.perf_counter()
    warned: dict[str, int] = {"rises": sum(len(v) for v in changes.values())}
    if on_scored is not None and changes:
        r = on_scored(store, changes)
        warned.update(evaluated=int(r.evaluated), raised=int(r.raised))
    if on_baseline is not None and any(firsts.values()):
        r = on_baseline(store, {k: v for k, v in firsts.items() if v})
        warned["first_run"] = {"high_without_baseline": sum(len(v) for v in firsts.values()),
                               "raised": int(r.raised)}
    return {"model_version": version, "scored_at": at, "written": written,
            "levels": levels_n, "declarations": res["declarations"], "warnings": warned,
            "seconds": {"export": round(t1 - t0, 2), "model": round(t2 - t1, 2),
                        "write": round(t3 - t2, 2), "write_per_label": write_s,
                        "total": round(time.perf_counter() - t0, 2)}}


def score_all(*, store: Any, on_scored: Callable[..., Any] | None = None,
              data_dir: Any = None, history: Any = None,
              on_baseline: Callable[..., Any] | None = None, snapshot: Any = None
              ) -> dict[str, Any]:
    """What ``portsentinel score`` runs (and what the API should call): the promoted declaration
    model scores declarations (and goods, countries, ports); when an entity model is promoted,
    it scores every Enterprise / Person / Vehicle / Vessel / Container (the declaration model
    then skips those labels); without one the declaration model's aggregates stay as before.
    ``on_scored``: e.g. ``WarningService.on_scored``; ``on_baseline``: e.g.
    ``WarningService.on_baseline`` (first-run triage of entities without a baseline).
    Each run is recorded in the score history (``risk.history``; ``history`` = a
    ``ScoreHistory``, default the data dir's; ``False``: not recorded). Returns
    ``batch_score``'s result with ``entities`` = ``batch_score_entities``'s (or null),
    ``written`` covering both and ``history`` = the runs recorded. ``snapshot``: a
    ``graph.snapshot.Snapshot`` both scorers read while it is current (``portsentinel
    demo``: the export its trainings read), else each exports."""
    from risk import registry
    from risk.exceptions import RegistryError
    from risk.history import ScoreHistory
    from risk.scoring import batch_score

    model, info = registry.load_promoted(data_dir=data_dir)
    try:
        emodel, einfo = load_entity_model(data_dir=data_dir)
    except RegistryError:  # no entity model promoted
        emodel, einfo = None, {}
    hist = ScoreHistory.for_data_dir(data_dir) if history is None else history or None
    rec = hist.begin(kind="declaration", model_version=info["serving"]) if hist else None
    out = batch_score(store=store, model=model, model_version=info["serving"],
                      on_scored=on_scored, skip_labels=ENTITY_LABELS if emodel is not None else (),
                      on_written=rec.add if rec else None, snapshot=snapshot)
    out["history"] = [rec.finish()] if rec else []
    out["entities"] = None
    if emodel is not None:
        erec = hist.begin(kind="entity", model_version=VERSION_PREFIX + einfo["serving"]) \
            if hist else None
        out["entities"] = batch_score_entities(store=store, model=emodel,
                                               model_version=einfo["serving"],
                                               on_scored=on_scored, on_baseline=on_baseline,
                                               on_written=erec.add if erec else None,
                                               snapshot=snapshot)
        out["written"].update(out["entities"]["written"])
        if erec:
            out["history"].append(erec.finish())
    if hist is not None and history is None:
        hist.close()
    return out

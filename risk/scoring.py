"""Scoring: batch-score every declaration and linked entity (enterprises, goods, countries,
ports; containers, vehicles, vessels and drivers where the graph has them) and write ``risk_score``,
``risk_level`` (高/中/低), ``model_version``, ``scored_at`` back to the graph; score one
declaration on demand.

Entity risk = the mean of its declarations' scores blended with their max (0.5/0.5), so an
entity with one very risky declaration among many clean ones still stands out. Levels are by
percentile within the scored population of each label: top 5% 高, next 15% 中, rest 低
(``PS_RISK_LEVEL_HIGH_PCT`` / ``PS_RISK_LEVEL_MID_PCT``).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Mapping

import numpy as np

from graph.clock import utc_now
from risk.frame import (COLUMN_OF_REL, DECLARATION_FIELDS, ENTITY_COLUMNS, EXPORT_LABELS,
                        EXPORT_RELS, declaration_frame)

log = logging.getLogger(__name__)


ABS_HIGH, ABS_MID = 0.7, 0.4  # levels for fewer than 20 scores (no population to rank in)


def risk_levels(scores: Any) -> list[str]:
    """高/中/低 per score: by percentile within the population (top 5% / next 15%), or by
    the absolute cut-offs ABS_HIGH / ABS_MID when fewer than 20 scores are given."""
    from risk.config import settings

    s = np.asarray(scores, dtype=float)
    if len(s) == 0:
        return []
    if len(s) < 20:
        return ["高" if v >= ABS_HIGH else "中" if v >= ABS_MID else "低" for v in s]
    st = settings()
    hi, mid = np.quantile(s, st.level_high_pct), np.quantile(s, st.level_mid_pct)
    return ["高" if v >= hi and v > 0 else "中" if v >= mid and v > 0 else "低" for v in s]


def entity_scores(frame: Any, scores: Any) -> dict[tuple[str, str], float]:
    """{(graph label, entity key): score} aggregated from declaration scores."""
    import pandas as pd

    out: dict[tuple[str, str], float] = {}
    d = frame[list(ENTITY_COLUMNS)].assign(_s=np.asarray(scores, dtype=float))
    if "office_key" in frame:  # graph frames: the Port node's key (the office prop is a code)
        d["office"] = frame["office_key"].values
    for col, (label, _, _) in ENTITY_COLUMNS.items():
        g = d.dropna(subset=[col]).groupby(col)["_s"].agg(["mean", "max"])
        for k, r in g.iterrows():
            v = 0.5 * r["mean"] + 0.5 * r["max"]
            key = (label, str(k))
            out[key] = max(out.get(key, 0.0), float(v))
    return out


def conveyance_scores(tables: Any, frame: Any, scores: Any) -> dict[tuple[str, str], float]:
    """Containers, vehicles, vessels (from their declarations) and drivers (from the
    vehicles they drove): 0.5·mean + 0.5·max of the linked declarations' scores."""
    import pandas as pd

    out: dict[tuple[str, str], float] = {}
    ds = pd.Series(np.asarray(scores, dtype=float), index=frame["key"].astype(str))
    for rtype in ("CARRIED_BY", "IN_CONTAINER"):
        r = tables.relationships.get(rtype)
        if r is None or not len(r):
            continue
        r = r.assign(_s=r["start_key"].astype(str).map(ds)).dropna(subset=["_s"])
        labels = r["end_label"] if "end_label" in r else pd.Series(
            ["Container" if rtype == "IN_CONTAINER" else "Vehicle"] * len(r), index=r.index)
        for (lab, key), g in r.assign(_l=labels).groupby(["_l", "end_key"])["_s"]:
            out[(str(lab), str(key))] = 0.5 * float(g.mean()) + 0.5 * float(g.max())
    drove = tables.relationships.get("DROVE")
    if drove is not None and len(drove):
        vs = {k: v for (lab, k), v in out.items() if lab == "Vehicle"}
        d = drove.assign(_s=drove["end_key"].map(vs)).dropna(subset=["_s"])
        for key, g in d.groupby("start_key")["_s"]:
            out[("Person", str(key))] = 0.5 * float(g.mean()) + 0.5 * float(g.max())
    return out


def batch_score(*, store: Any, model: Any = None, model_version: str | None = None,
                cutoff: str | None = None, chunk: int = 5000,
                on_scored: Callable[[Any, dict[str, dict[str, Any]]], Any] | None = None,
                skip_labels: tuple[str, ...] = (),
                on_written: Callable[[str, dict[str, dict[str, Any]]], Any] | None = None,
                snapshot: Any = None) -> dict[str, Any]:
    """Score every declaration in the graph (and its linked entities) and write the risk
    properties back. ``model`` defaults to the registry's promoted version. ``on_scored``
    (e.g. ``WarningService.on_scored``) is called once with ``(store, changes)``, the written
    entity scores as ``{label: {key: props}}``, when any were written; its result's
    ``evaluated``/``raised`` are reported under ``"warnings"`` (the warning rules raise a
    warning where an enterprise, person or conveyance rose to a higher level). ``skip_labels``:
    entity labels another scorer owns (``portsentinel score`` passes
    ``risk.entity.graph_frame.ENTITY_LABELS`` when an entity model is promoted, so the two
    models do not overwrite each other's levels run after run). ``on_written(label,
    updates)`` after each written chunk (the score history, ``risk.history``). ``snapshot``:
    a ``graph.snapshot.Snapshot`` read instead of a new export while it is current."""
    if model is None:
        from risk.registry import load_promoted

        model, info = load_promoted()
        model_version = model_version or info["serving"]
    from graph.snapshot import export

    tables = export(store, EXPORT_LABELS + ["Container", "Vehicle", "Vessel", "Person"],
                    EXPORT_RELS + ["CARRIED_BY", "IN_CONTAINER", "DROVE"], snapshot=snapshot,
                    reader="declaration scoring")
    frame = declaration_frame(tables, cutoff=cutoff)
    t0 = utc_now()
    scores = model.score(frame) if len(frame) else np.array([])
    at = t0.replace(microsecond=0).isoformat()
    version = model_version or getattr(model, "name", "unknown")
    written: dict[str, int] = {}
    changes: dict[str, dict[str, Any]] = {}

    def _write(label: str, keys: list[str], vals: np.ndarray) -> None:
        levels = risk_levels(vals)
        for i in range(0, len(keys), chunk):
            upd = {k: {"risk_score": round(float(v), 6), "risk_level": lv,
                       "model_version": version, "scored_at": at}
                   for k, v, lv in zip(keys[i:i + chunk], vals[i:i + chunk], levels[i:i + chunk])}
            written[label] = written.get(label, 0) + store.set_properties(label, upd)
            if on_written is not None:
                on_written(label, upd)
            if label != "Declaration":
                changes.setdefault(label, {}).update(upd)

    _write("Declaration", frame["key"].astype(str).tolist(), scores)
    ent = entity_scores(frame, scores)
    by_label: dict[str, dict[str, float]] = {}
    for (label, key), v in ent.items():
        by_label.setdefault(label, {})[key] = v
    for (label, key), v in conveyance_scores(tables, frame, scores).items():
        by_label.setdefault(label, {})[key] = v
    for label, kv in by_label.items():
        if label in skip_labels:
            continue
        _write(label, list(kv), np.fromiter(kv.values(), float))
    warned: dict[str, int] = {}
    if on_scored is not None and changes:
        res = on_scored(store, changes)
        warned = {"evaluated": int(res.evaluated), "raised": int(res.raised)}
    secs = (utc_now() - t0).total_seconds()
    return {"model_version": version, "scored_at": at, "written": written,
            "declarations": int(len(frame)), "warnings": warned, "seconds": round(secs, 2)}


def score_declaration(*, model: Any, record: Mapping[str, Any] | None = None,
                      store: Any = None, key: str | None = None) -> dict[str, Any]:
    """Score one declaration on demand: either a ``record`` (frame columns) or the ``key`` of
    a Declaration in ``store`` (its fields and 1-hop entities are read from the graph; the
    model's own history supplies the rest of the 2-hop neighbourhood)."""
    if record is None:
        if store is None or key is None:
            from risk.exceptions import DataError

            raise DataError("score_declaration needs a record, or a store and a key")
        record = declaration_record(store=store, key=key)
    s = float(model.score_record(dict(record)))
    return {"key": record.get("key"), "risk_score": s}


def declaration_record(*, store: Any, key: str) -> dict[str, Any]:
    """A Declaration's fields plus its linked entity keys, read from the graph."""
    from risk.exceptions import DataError

    node = store.get("Declaration", key)
    if node is None:
        raise DataError(f"declaration {key!r} is not in the graph")
    p = node.props
    rec = {"key": key, "date": str(p.get("date") or "")[:10] or None,
           "hs6": (p.get("hs_code") or "")[:6] or None,
           "tax_rate": p.get("tax_rate"), "net_mass": p.get("net_mass"), "value": p.get("value")}
    for c in DECLARATION_FIELDS:
        rec[c] = None if p.get(c) is None else str(p.get(c))
    sub = store.neighbourhood("Declaration", key, hops=1, limit=200)
    for r in sub.relationships:
        col = COLUMN_OF_REL.get(r.type)
        if col is None:
            continue
        other = r.start if r.end == ("Declaration", key) else r.end
        if other == ("Declaration", key):
            continue
        if col == "office" and rec.get("office"):
            continue
        rec[col] = other[1][:6] if col == "hs6" else other[1]
    return rec

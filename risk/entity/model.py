"""The served entity risk model: ``EntityModel`` (a ``RiskModel`` with ``fit_graph`` /
``score_graph``), trained and scored on an ``EntityGraph`` exported from the store
(``risk.entity.graph_frame``), registered under its own registry name (``entity``).

What it is (the research model of ``risk.entity.graph_model``, made servable):
* a tabular declaration model (LightGBM, ``risk.models.tabular``) fitted on the labelled
  declarations before the cut-off (last 20% of labelled dates = its early-stopping window) —
  it scores every declaration of the window, which feeds the entities' own evidence;
* the entity features of ``risk.entity.features`` (own evidence, link structure, neighbours,
  excess-risk propagation) over the graph's links;
* the residual hetero GNN of ``risk.entity.graph_model`` (its weights: one torch state dict per
  seed, stored as bytes, loaded on the CPU with ``weights_only``);
* per kind a weighted sum of component ranks (``weights``; default ``graph_model.WEIGHTS``).
  Ranks are averaged over ties, so entities without any evidence share one score (the
  model's output with zero evidence) — nobody is left blank.
* containers and vessels (no model of their own): 0.5·rank(own evidence of the declarations
  they carried: 0.25 mean + 0.25 max tabular score + 0.5 smoothed hit rate) + 0.5·rank(max
  entity score of the enterprises that declared through them); no evidence = the lowest rank.

Scores are in 0..1 (a percentile within the kind); mention nodes get their canonical
entity's score. ``validation`` in the model card: the same recipe fitted on the labelled
history before the 75% labelled-date quantile and measured on the entities' proxy labels of
the last quarter (an entity hit there = positive, only inspected ones count), per kind,
beside the tabular own-evidence score and the propagation.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np

from risk.base import RiskModel
from risk.entity import features as F
from risk.entity import graph_model as G
from risk.entity.crossings import crossing_scores

KINDS = F.KINDS
VALID_QUANTILE = 0.75


def rank_avg(v: Any) -> np.ndarray:
    """Ranks scaled to 0..1, ties share their average rank."""
    from scipy.stats import rankdata

    v = np.asarray(v, dtype=float)
    if len(v) < 2:
        return np.full(len(v), 0.5)
    return (rankdata(v, method="average") - 1.0) / (len(v) - 1.0)


def fit_tabular(hist: Any) -> Any:
    """The declaration model on the labelled rows of ``hist`` (last 20% of labelled dates =
    validation / early stopping)."""
    from risk.exceptions import DataError
    from risk.models import get

    lab = hist[hist["label"].notna()].sort_values("date", kind="stable")
    if len(lab) < 20 or lab["label"].nunique() < 2:
        raise DataError(f"entity model: only {len(lab)} labelled declarations "
                        f"({int((lab['label'] == 1).sum())} hits) before the cut-off; need >= 20 "
                        "with hits and no-hits (load inspections first)")
    vcut = lab["date"].iloc[int(len(lab) * 0.8)]
    train, valid = hist[hist["date"] < vcut], lab[lab["date"] >= vcut]
    if train["label"].notna().sum() == 0 or valid.empty:
        i = int(len(lab) * 0.8)
        train, valid = lab.iloc[:i], lab.iloc[i:]
    return get("tabular")().fit(train, valid)


class EntityModel(RiskModel):
    name = "entity_graph"
    description = ("entity graph model: residual hetero GNN over excess-risk propagation, "
                   "per-kind rank mix (enterprise, person, vehicle); containers/vessels from "
                   "their declarations and importers")

    def __init__(self, config: dict[str, Any] | None = None,
                 weights: dict[str, dict[str, float]] | None = None) -> None:
        super().__init__()
        self.config = {**G.DEFAULTS, **(config or {})}
        self.weights = {t: {**G.WEIGHTS[t], **((weights or {}).get(t, {}))} for t in KINDS}
        self.tabular: Any = None
        self._states: bytes = b""

    # -- persistence: torch state dicts as bytes, loaded on the CPU -----------------
    def _set_states(self, states: list[dict[str, Any]]) -> None:
        import torch

        buf = io.BytesIO()
        torch.save(states, buf)
        self._states = buf.getvalue()

    def states(self) -> list[dict[str, Any]]:
        import torch

        return torch.load(io.BytesIO(self._states), map_location="cpu", weights_only=True)

    # -- RiskModel hooks: this model is fitted and scored on graphs, not frames ------
    def _fit(self, train: Any, valid: Any | None) -> None:
        raise NotImplementedError("EntityModel is fitted with fit_graph(entity_graph)")

    def _score(self, frame: Any) -> Any:
        return self.tabular.score(frame)  # declaration scores of the embedded tabular model

    # -- fitting ---------------------------------------------------------------------
    def fit_graph(self, eg: Any, *, validate: bool = True, threads: int = 1) -> "EntityModel":
        import torch

        torch.set_num_threads(max(1, threads))
        fr = eg.fr
        hist = fr["hist"]
        self.tabular = fit_tabular(hist)
        sc = self.tabular.score(hist)
        ids = F.index(fr)
        self._set_states(G.train_gnn(fr, sc, ids, self.config))
        self.fitted = True
        lab = hist[hist["label"].notna()]
        self.card = {
            "model": self.name, "description": self.description,
            "data_window": dict(eg.window, cutoff=eg.cutoff,
                                positive_rate=round(float(lab["label"].mean()), 4)
                                if len(lab) else None),
            "entities": {t: len(ids[t]) for t in KINDS},
            "features": {t: list(F.FEATURES[t]) for t in KINDS},
            "weights": self.weights, "config": {k: v for k, v in self.config.items()},
            "declaration_model": self.tabular.model_card().get("data_window"),
            "labels": "entity hit among the inspections after the median labelled date "
                      "(features from before it); inspections/cases before the cut-off only",
        }
        if validate:
            self.card["validation"] = self._validation(fr, hist)
        return self

    def _validation(self, fr: dict[str, Any], hist: Any) -> dict[str, Any]:
        """Per kind: AUPRC / precision@5% of model, tabular own evidence and propagation on
        the proxy labels of the last quarter of labelled dates (module docstring)."""
        from risk.metrics import summarize

        dates = hist.loc[hist["label"].notna(), "date"].sort_values()
        tv = dates.iloc[int(len(dates) * VALID_QUANTILE)]
        early = (hist["date"] < tv).to_numpy()
        h_e, h_l = hist[early], hist[~early]
        try:
            tab = fit_tabular(h_e)
        except Exception as e:  # noqa: BLE001 - too few labels early on: say so in the card
            return {"skipped": str(e)}
        sc_e, sc_l = tab.score(h_e), tab.score(h_l)
        ids = F.index(fr)
        states = G.train_gnn(fr, sc_e, ids, self.config, hist=h_e)
        comp = self._components(fr, h_e, sc_e, ids, states)
        labm, y = G.window_labels(fr, ids, h_l, sc_l)
        out: dict[str, Any] = {"window": {"features_before": str(tv.date()),
                                          "labels_from": str(tv.date()),
                                          "labels_to": str(hist["date"].max().date())}}
        for t in KINDS:
            m = labm[t]
            res: dict[str, Any] = {"labelled": int(m.sum()), "positives": int(y[t][m].sum())}
            if m.sum() >= 5 and 0 < y[t][m].sum() < m.sum():
                for name in ("model", "own", "propagation"):
                    s = summarize(y[t][m], comp[t][name][m])
                    res[name] = {k: s.get(k) for k in ("auprc", "precision@5", "auroc")}
            out[t] = res
        return out

    # -- scoring ---------------------------------------------------------------------
    def _components(self, fr: dict[str, Any], hist: Any, sc: np.ndarray, ids: dict,
                    states: list[dict[str, Any]]) -> dict[str, dict[str, np.ndarray]]:
        X, L = F.features(fr, hist, sc, ids)
        gnn = G.apply_gnn(states, fr, sc, ids, self.config, hist=hist, XL=(X, L))
        own = F.own_score({t: X[t][:, :len(F.OWN)] for t in KINDS})
        xr = crossing_scores(hist, sc, ids)
        out: dict[str, dict[str, np.ndarray]] = {}
        for t in KINDS:
            veh = (lambda c: X[t][:, F.FEATURES[t].index(c)] if t == "vehicle"  # noqa: E731
                   else np.zeros(len(ids[t])))
            comp = {"propagation": X[t][:, -1], "gnn": gnn[t],
                    "driver_surprise": veh("drv_surprise"),
                    # per crossing: the most-caught driver of any of its crossings
                    "driver_surprise_max": veh("drv_surprise_max"),
                    # own evidence (tabular baseline) and the declaration-score aggregate
                    # 0.5·mean + 0.5·max (what the declaration model writes on an entity)
                    "own": own[t], "decl_agg": 0.5 * (X[t][:, 0] + X[t][:, 1]),
                    # vehicles: the chance one of its crossings was an offending driver's
                    # (risk.entity.crossings: findings naming the driver, unexplained hits,
                    # light declared masses)
                    "crossing_risk": xr["crossing_risk"] if t == "vehicle"
                    else np.zeros(len(ids[t]))}
            w = self.weights[t]
            tot = sum(w.values()) or 1.0
            mix = sum(w[c] * rank_avg(v) for c, v in comp.items() if w.get(c)) / tot
            out[t] = {**comp, "model": np.asarray(mix, dtype=float)}
        return out

    def score_graph(self, eg: Any) -> dict[str, Any]:
        """{"scores": {graph label: {node key: score}} for every Enterprise, Person, Vehicle,
        Vessel and Container node of ``eg``, "components": {kind: {component: {canonical
        key: value}}} for the explanations}."""
        self._check()
        fr = eg.fr
        hist = fr["hist"]
        sc = self.tabular.score(hist) if len(hist) else np.zeros(0)
        ids = F.index(fr)
        comp = self._components(fr, hist, sc, ids, self.states())
        per_kind = {t: dict(zip(sorted(ids[t], key=ids[t].get), comp[t]["model"]))
                    for t in KINDS}
        scores: dict[str, dict[str, float]] = {}
        for label, kind in (("Enterprise", "enterprise"), ("Person", "person"),
                            ("Vehicle", "vehicle")):
            canon = eg.canon.get(label, {})
            low = float(min(per_kind[kind].values())) if per_kind[kind] else 0.0
            scores[label] = {k: float(per_kind[kind].get(canon.get(k, k), low))
                             for k in eg.nodes[label]}
        ds = dict(zip(hist["key"].astype(str), sc))
        dl = dict(zip(hist["key"].astype(str), hist["label"]))
        imp = dict(zip(hist["key"].astype(str), hist["importer"]))
        ent = per_kind["enterprise"]
        for label in ("Container", "Vessel"):
            scores[label] = self._conveyance(eg.conveyance[label], eg.nodes[label], ds, dl,
                                             imp, ent)
        names = {t: sorted(ids[t], key=ids[t].get) for t in KINDS}
        parts = {t: {c: dict(zip(names[t], np.round(v.astype(float), 6)))
                     for c, v in comp[t].items()} for t in KINDS}
        # the population a level is a percentile of: canonical entities (mention nodes carry
        # copies of their entity's score and must not shift the cut-offs)
        population = {"Enterprise": comp["enterprise"]["model"], "Person": comp["person"]["model"],
                      "Vehicle": comp["vehicle"]["model"]}
        for label in ("Container", "Vessel"):
            population[label] = np.fromiter(scores[label].values(), float)
        return {"scores": scores, "components": parts, "population": population,
                "declarations": int(len(hist))}

    @staticmethod
    def _conveyance(links: Any, keys: list[str], ds: dict, dl: dict, imp: dict,
                    ent: dict) -> dict[str, float]:
        import pandas as pd

        if not keys:
            return {}
        lk = links[links["decl"].isin(ds.keys())] if len(links) else links
        own = pd.Series(0.0, index=pd.Index(keys, dtype=object))
        emax = pd.Series(0.0, index=own.index)
        if len(lk):
            d = lk.assign(s=lk["decl"].map(ds), y=lk["decl"].map(dl),
                          e=lk["decl"].map(lambda k: ent.get(imp.get(k), 0.0)))
            prior = float(np.nanmean(list(dl.values()))) if dl else 0.1
            prior = 0.1 if np.isnan(prior) else prior
            g = d.groupby("key").agg(m=("s", "mean"), x=("s", "max"), h=("y", "sum"),
                                     n=("y", "count"), e=("e", "max"))
            val = 0.25 * g["m"] + 0.25 * g["x"] + 0.5 * (g["h"] + 2 * prior) / (g["n"] + 2)
            own.update(val)
            emax.update(g["e"].astype(float))
        s = 0.5 * rank_avg(own.to_numpy()) + 0.5 * rank_avg(emax.to_numpy())
        return dict(zip(own.index, s.astype(float)))

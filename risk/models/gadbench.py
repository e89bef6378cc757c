"""GADBench-style tree (Tang et al., NeurIPS 2023): LightGBM on [own features, mean of 1-hop
neighbours, mean of 2-hop neighbours], no target encodings.

The graph is declaration -> entity (importer, declarant, seller, courier, HS6, countries,
office). 1-hop neighbours of a declaration are its entities (feature: log degree); 2-hop
neighbours are the other declarations sharing each entity (mean of their numeric own
features, per entity type). The pool of declarations is the training history plus the frame
being scored: features only, never labels."""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.base import RiskModel, lgbm_contributions
from risk.config import settings
from risk.features import TabularFeaturizer
from risk.frame import ENTITY_COLUMNS
from risk.models.tabular import PARAMS

OWN_NUMERIC = ["tax_rate", "log_value", "log_unit_price", "unit_price_vs_hs6",
               "origin_eq_departure", "has_seller", "has_courier"]


def neighbour_means(pool: Any, X_pool: np.ndarray, names: list[str]) -> tuple[np.ndarray, list[str]]:
    """Per entity column: log degree of the entity (1-hop) and the mean of the pool rows'
    ``OWN_NUMERIC`` features over the entity's declarations (2-hop)."""
    import pandas as pd

    idx = [names.index(n) for n in OWN_NUMERIC]
    V = np.nan_to_num(X_pool[:, idx].astype(float))
    cols, out_names = [], []
    for c in ENTITY_COLUMNS:
        codes, _ = pd.factorize(pool[c].astype(object).where(pool[c].notna(), None))
        m = codes >= 0
        k = int(codes.max()) + 1 if m.any() else 1
        deg = np.bincount(codes[m], minlength=k).astype(float)
        sums = np.zeros((k, V.shape[1]))
        np.add.at(sums, codes[m], V[m])
        d1 = np.where(m, np.log1p(deg[np.maximum(codes, 0)]), 0.0)
        mean2 = np.where(m[:, None], sums[np.maximum(codes, 0)] / np.maximum(deg[np.maximum(codes, 0)], 1)[:, None], np.nan)
        cols.append(d1[:, None])
        out_names.append(f"h1_logdeg_{c}")
        cols.append(mean2)
        out_names += [f"h2_mean_{c}_{n}" for n in OWN_NUMERIC]
    return np.hstack(cols), out_names


class GADBenchTreeModel(RiskModel):
    name = "gadbench_tree"
    description = "LightGBM on [own, mean 1-hop, mean 2-hop] features (GADBench, NeurIPS 2023)"

    def _own(self, frame: Any) -> np.ndarray:
        X = self.feat.transform(frame)
        keep = [i for i, n in enumerate(self.feat.names) if not n.startswith(("te_", "n_"))]
        self.own_names = [self.feat.names[i] for i in keep]
        return X[:, keep]

    def _features(self, frame: Any) -> np.ndarray:
        import pandas as pd

        own = self._own(frame)
        pool = pd.concat([self.history, frame[self.history.columns]], ignore_index=True)
        X_pool = np.vstack([self.history_own, own])
        nb, nb_names = neighbour_means(pool, X_pool, self.own_names)
        self.names = self.own_names + nb_names
        return np.hstack([own, nb[len(self.history):]]).astype(np.float32)

    def _fit(self, train: Any, valid: Any | None) -> None:
        import lightgbm as lgb

        s = settings()
        self.feat = TabularFeaturizer(seed=s.seed).fit(train[train["label"].notna()])
        self.history = train[["key"] + list(ENTITY_COLUMNS)].reset_index(drop=True)
        self.history_own = self._own(train.reset_index(drop=True))
        lab = train["label"].notna().to_numpy()
        Xtr = self._features_history()[lab]
        ytr = train["label"].to_numpy(float)[lab]
        cats = [self.names.index(c) for c in self.feat.categorical_names]
        params = dict(PARAMS, seed=s.seed, num_threads=s.threads, metric="average_precision")
        dtrain = lgb.Dataset(Xtr, ytr, feature_name=self.names, categorical_feature=cats,
                             free_raw_data=False)
        sets, cb = [], []
        if valid is not None and valid["label"].notna().any():
            v = valid[valid["label"].notna()].reset_index(drop=True)
            sets = [lgb.Dataset(self._features(v), v["label"].to_numpy(float), reference=dtrain)]
            cb = [lgb.early_stopping(100, verbose=False)]
        self.booster = lgb.train(params, dtrain, num_boost_round=2000 if sets else 600,
                                 valid_sets=sets, callbacks=cb)
        self.best_iteration = int(self.booster.best_iteration or 600)
        self.card["features"] = self.names
        self.card["best_iteration"] = self.best_iteration

    def _features_history(self) -> np.ndarray:
        nb, nb_names = neighbour_means(self.history, self.history_own, self.own_names)
        self.names = self.own_names + nb_names
        return np.hstack([self.history_own, nb]).astype(np.float32)

    def _score(self, frame: Any) -> Any:
        return self.booster.predict(self._features(frame), num_iteration=self.best_iteration)

    def _explain(self, frame: Any, top: int) -> list[list[dict[str, Any]]]:
        return lgbm_contributions(self.booster, self._features(frame), self.names, top)

"""Tabular baseline: LightGBM on declaration features + entity aggregates (target encodings
fitted on training rows only, out-of-fold for the training rows themselves), with early
stopping on the validation frame (average precision). Cf. Jeong et al. 2022, Table 3."""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.base import RiskModel, lgbm_contributions
from risk.config import settings
from risk.features import TabularFeaturizer

PARAMS = dict(objective="binary", learning_rate=0.03, num_leaves=31, min_child_samples=20,
              feature_fraction=0.8, bagging_fraction=0.8, bagging_freq=1, verbose=-1)


class TabularModel(RiskModel):
    name = "tabular"
    description = "LightGBM, declaration features + entity target encodings, early stopping"

    def __init__(self, max_rounds: int = 2000, early_stopping: int = 100) -> None:
        super().__init__()
        self.max_rounds, self.early_stopping = max_rounds, early_stopping

    def _fit(self, train: Any, valid: Any | None) -> None:
        import lightgbm as lgb

        s = settings()
        lab = train[train["label"].notna()].reset_index(drop=True)
        self.feat = TabularFeaturizer(seed=s.seed).fit(lab)
        X = self.feat.transform(lab, training_rows=True)
        cats = [self.feat.names.index(c) for c in self.feat.categorical_names]
        params = dict(PARAMS, seed=s.seed, num_threads=s.threads, metric="average_precision")
        dtrain = lgb.Dataset(X, lab["label"].to_numpy(float), feature_name=self.feat.names,
                             categorical_feature=cats, free_raw_data=False)
        callbacks, sets = [], []
        if valid is not None and valid["label"].notna().any():
            v = valid[valid["label"].notna()].reset_index(drop=True)
            sets = [lgb.Dataset(self.feat.transform(v), v["label"].to_numpy(float),
                                reference=dtrain)]
            callbacks = [lgb.early_stopping(self.early_stopping, verbose=False)]
        rounds = self.max_rounds if sets else 600
        self.booster = lgb.train(params, dtrain, num_boost_round=rounds, valid_sets=sets,
                                 callbacks=callbacks)
        self.best_iteration = int(self.booster.best_iteration or rounds)
        imp = self.booster.feature_importance("gain")
        self.card["features"] = self.feat.names
        self.card["top_features_gain"] = [self.feat.names[i] for i in np.argsort(-imp)[:10]]
        self.card["best_iteration"] = self.best_iteration

    def _score(self, frame: Any) -> Any:
        return self.booster.predict(self.feat.transform(frame), num_iteration=self.best_iteration)

    def score_record(self, record: dict[str, Any]) -> float:
        self._check()
        X = self.feat.transform_record(record)
        return float(self.booster.predict(X, num_iteration=self.best_iteration)[0])

    def _explain(self, frame: Any, top: int) -> list[list[dict[str, Any]]]:
        return lgbm_contributions(self.booster, self.feat.transform(frame), self.feat.names, top)

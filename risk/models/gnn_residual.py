"""GNN on top of the tree: the hetero GNN learns an additive correction to the LightGBM
logit from the declaration's graph neighbourhood (stacking with a graph residual).

logit(declaration) = tree_logit + GNN(graph)   (GNN head initialised at 0, so training starts
exactly at the tree). Training rows use *out-of-fold* tree logits (5 folds, the tree's best
iteration count) so the GNN never learns from a tree that has seen the row's label; rows
being scored use the full tree. Epoch selection on validation AUPRC includes epoch 0 (the
tree alone), so on validation it never ranks below the tree by that criterion."""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.config import settings
from risk.models.gnn import HeteroGNNModel
from risk.models.tabular import PARAMS, TabularModel


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class GNNResidualModel(HeteroGNNModel):
    name = "gnn_residual"
    description = "hetero GNN learning a graph correction to the LightGBM logit (OOF stacking)"

    def __init__(self, tree: TabularModel | None = None, folds: int = 5, **kw: Any) -> None:
        super().__init__(**kw)
        self.tree, self.folds = tree, folds
        self.zero_init_head = True
        self.pos_weight = False

    def _offset_train(self, lab: Any, valid: Any | None) -> tuple[np.ndarray, np.ndarray | None]:
        import lightgbm as lgb

        s = settings()
        if self.tree is None or not self.tree.fitted:
            self.tree = TabularModel().fit(lab, valid)
        feat = self.tree.feat
        X = feat.transform(lab, training_rows=True)
        y = lab["label"].to_numpy(float)
        cats = [feat.names.index(c) for c in feat.categorical_names]
        rounds = max(50, self.tree.best_iteration)
        fold = np.random.default_rng(s.seed + 1).integers(0, self.folds, len(lab))
        oof = np.zeros(len(lab))
        params = dict(PARAMS, seed=s.seed, num_threads=s.threads)
        for f in range(self.folds):
            tr = fold != f
            b = lgb.train(params, lgb.Dataset(X[tr], y[tr], categorical_feature=cats),
                          num_boost_round=rounds)
            oof[~tr] = b.predict(X[~tr])
        self.card["oof_rounds"] = rounds
        return _logit(oof), (self._offset(valid) if valid is not None else None)

    def _offset(self, frame: Any) -> np.ndarray:
        return _logit(self.tree.score(frame))

    def _explain(self, frame: Any, top: int) -> list[list[dict[str, Any]]]:
        return self.tree.explain(frame, top=top)

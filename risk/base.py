"""The RiskModel interface: fit, score, explain, save/load, model_card.

Models consume the canonical *declaration frame* (``risk.frame`` documents its columns; KCS
files give it through ``risk.kcs.read_kcs``, the graph through ``risk.frame.declaration_frame``). ``fit`` takes
the training frame (rows with a ``label`` are used as labels) and an optional validation
frame for early stopping / selection; ``score`` returns one float per row (higher = riskier);
``explain`` returns, per row, the top contributing features as ``[{feature, value,
contribution}]``.
"""

from __future__ import annotations

import abc
import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from graph.clock import now_iso
from risk.exceptions import ModelArtifactError, ModelNotFittedError

ARTIFACT_MAGIC = b"PSRISK1\n"


class RiskModel(abc.ABC):
    name: str = "base"
    description: str = ""

    def __init__(self) -> None:
        self.fitted = False
        self.card: dict[str, Any] = {}

    # -- the public API -----------------------------------------------------------
    def fit(self, train: Any, valid: Any | None = None) -> "RiskModel":
        labelled = train[train["label"].notna()]
        if labelled.empty:
            raise ModelNotFittedError(f"{self.name}: no labelled rows to train on")
        self._fit(train, valid)
        self.fitted = True
        self.card.update({
            "model": self.name, "description": self.description,
            "trained_at": now_iso(),
            "data_window": {"from": str(train["date"].min().date()),
                            "to": str(train["date"].max().date()),
                            "rows": int(len(train)), "labelled": int(len(labelled)),
                            "positive_rate": round(float(labelled["label"].mean()), 4)},
        })
        return self

    def score(self, frame: Any) -> np.ndarray:
        self._check()
        return np.asarray(self._score(frame), dtype=float)

    def score_record(self, record: dict[str, Any]) -> float:
        """Score one declaration given as a mapping of frame columns (on-demand path)."""
        self._check()
        from risk.frame import declaration_row

        return float(self._score(declaration_row(record))[0])

    def explain(self, frame: Any, *, top: int = 5) -> list[list[dict[str, Any]]]:
        self._check()
        return self._explain(frame, top)

    def model_card(self) -> dict[str, Any]:
        return dict(self.card)

    def save(self, path: str | Path) -> str:
        """Write the artifact; returns its sha256."""
        self._check()
        buf = io.BytesIO()
        pickle.dump(self, buf, protocol=pickle.HIGHEST_PROTOCOL)
        data = ARTIFACT_MAGIC + buf.getvalue()
        Path(path).write_bytes(data)
        return hashlib.sha256(data).hexdigest()

    @staticmethod
    def load(path: str | Path) -> "RiskModel":
        p = Path(path)
        if not p.is_file():
            raise ModelArtifactError(f"model artifact missing: {p}")
        data = p.read_bytes()
        if not data.startswith(ARTIFACT_MAGIC):
            raise ModelArtifactError(f"model artifact {p} is not a PortSentinel risk model")
        try:
            obj = pickle.loads(data[len(ARTIFACT_MAGIC):])  # noqa: S301 - our own checksummed artifacts
        except Exception as e:  # noqa: BLE001
            raise ModelArtifactError(f"model artifact {p} is corrupted: {e}") from e
        if not isinstance(obj, RiskModel):
            raise ModelArtifactError(f"model artifact {p} holds {type(obj).__name__}")
        return obj

    # -- hooks ----------------------------------------------------------------------
    @abc.abstractmethod
    def _fit(self, train: Any, valid: Any | None) -> None: ...

    @abc.abstractmethod
    def _score(self, frame: Any) -> Any: ...

    def _explain(self, frame: Any, top: int) -> list[list[dict[str, Any]]]:
        return [[] for _ in range(len(frame))]

    def _check(self) -> None:
        if not self.fitted:
            raise ModelNotFittedError(f"model {self.name!r} is not fitted (call fit or load)")


def lgbm_contributions(booster: Any, X: np.ndarray, names: list[str], top: int
                       ) -> list[list[dict[str, Any]]]:
    """Per-row top features by LightGBM's pred_contrib (SHAP values, log-odds)."""
    contrib = booster.predict(X, pred_contrib=True)[:, :-1]
    out = []
    for i in range(len(X)):
        order = np.argsort(-np.abs(contrib[i]))[:top]
        out.append([{"feature": names[j], "value": None if np.isnan(X[i, j]) else float(X[i, j]),
                     "contribution": round(float(contrib[i, j]), 4)} for j in order])
    return out

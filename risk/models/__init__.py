"""Risk models, one per file. ``MODELS`` maps a name to its class (imported lazily)."""

from __future__ import annotations

import importlib
from typing import Any

MODELS = {
    "rules": "risk.models.rules:RulesModel",
    "tabular": "risk.models.tabular:TabularModel",
    "gadbench_tree": "risk.models.gadbench:GADBenchTreeModel",
    "gnn": "risk.models.gnn:HeteroGNNModel",
    "gnn_residual": "risk.models.gnn_residual:GNNResidualModel",
}

__all__ = ["MODELS", "get"]


def get(name: str) -> Any:
    mod, cls = MODELS[name].split(":")
    return getattr(importlib.import_module(mod), cls)

"""Risk intelligence: the declaration-frame contract, models (rules, tabular, GADBench tree,
hetero GNN), the model registry, evaluation metrics, scoring write-back, explanations,
targeting lists, entity risk and warnings. Heavy libraries load lazily."""

__all__ = ["frame", "kcs", "features", "hetero", "base", "models", "registry", "metrics",
           "evaluate", "scoring", "explain", "targeting", "entity", "warnings", "exceptions",
           "config"]

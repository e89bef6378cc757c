"""Risk intelligence: models (rules, tabular, GADBench tree, hetero GNN), evaluation metrics,
scoring write-back, explanations and targeting lists. Heavy libraries load lazily."""

__all__ = ["base", "metrics", "kcs", "features", "evaluate", "scoring", "explain",
           "targeting", "exceptions", "config"]

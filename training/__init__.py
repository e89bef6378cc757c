"""training: the offline jobs — train on the graph and register a version, evaluate (KCS,
simulated world), simulate KCS-format data. Imports ``risk`` one way (README.md)."""

__all__ = ["train", "evaluate", "synthetic_eval", "simulate", "cli", "config", "exceptions"]

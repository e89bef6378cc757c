"""training: graph export to PyG HeteroData, training jobs, evaluation, model registry."""

__all__ = ["hetero", "registry", "train", "config", "exceptions"]

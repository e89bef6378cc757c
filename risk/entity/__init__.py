"""Entity risk (enterprises, persons, vehicles) from the registry links and the declarations'
scores: non-learned features and the excess-risk propagation (``features``), and the entity
graph model (``graph_model``: a residual hetero GNN over the propagation, ranks combined per
kind). Evaluated offline by ``training.synthetic_eval``; not served yet."""

__all__ = ["features", "graph_model"]

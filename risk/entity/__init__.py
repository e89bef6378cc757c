"""Entity risk (enterprises, persons, vehicles; containers and vessels from their
declarations) from the graph's links and the declarations' scores.

* research: non-learned features and the excess-risk propagation (``features``), the entity
  graph model (``graph_model``: a residual hetero GNN over the propagation, ranks combined per
  kind), evaluated offline by ``training.synthetic_eval`` / ``bench/risk_entities.py``;
* served: the entity graph exported from the store (``graph_frame``), the registered model
  (``model.EntityModel``, registry name ``entity``), batch scoring with write-back and
  warnings (``scoring.batch_score_entities``), explanations with evidence paths
  (``explain.explain_entity``); trained by ``training.entity`` (``portsentinel train --entities``).
"""

__all__ = ["features", "graph_model", "graph_frame", "model", "scoring", "explain"]

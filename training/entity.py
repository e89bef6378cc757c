"""``portsentinel train --entities``: the entity risk model from the graph, registered under
its own registry name (``PS_RISK_ENTITY_REGISTRY_NAME``, default ``entity``) so it is
promoted and rolled back independently of the declaration model.

Steps: export the entity graph from the store (``risk.entity.graph_frame``: enterprises,
persons, vehicles, vessels, containers, addresses, phones and their links, declarations with
their dates, inspections and cases with their dates — labels only from those dated before
``cutoff``), fit ``risk.entity.model.EntityModel`` (tabular declaration model, entity
features, residual GNN), record a model card (data window, features, per-kind metrics on a
time-based validation window beside the tabular own-evidence score and the propagation) and
register the artifact (sha256, refused when corrupted, ``risk.registry.rollback``).
"""

from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)


def entity_data_hash(eg: Any) -> str:
    """Hash of what the entity model was fitted on (declaration keys, dates, labels)."""
    from risk.registry import data_hash

    return data_hash(eg.fr["hist"])


def train_entities_from_store(*, store: Any, cutoff: str | None = None, promote: bool = False,
                              data_dir: Any = None, validate: bool = True,
                              config: dict[str, Any] | None = None,
                              weights: dict[str, dict[str, float]] | None = None,
                              snapshot: Any = None) -> dict[str, Any]:
    """Export, fit, register (and promote); returns the version, its validation metrics and
    timings. ``config`` / ``weights`` override ``risk.entity.graph_model.DEFAULTS`` /
    ``WEIGHTS``; ``snapshot``: a ``graph.snapshot.Snapshot`` read instead of a new export
    while it is current."""
    from risk import registry
    from risk.config import RiskSettings
    from risk.entity.graph_frame import export_entity_graph
    from risk.entity.model import EntityModel

    s = RiskSettings() if data_dir is None else RiskSettings(data_dir=data_dir)
    t0 = time.perf_counter()
    eg = export_entity_graph(store=store, cutoff=cutoff, snapshot=snapshot)
    t1 = time.perf_counter()
    m = EntityModel(config=config, weights=weights).fit_graph(eg, validate=validate,
                                                              threads=s.threads)
    t2 = time.perf_counter()
    val = m.card.get("validation", {})
    info = registry.register(model=m, metrics=val, data_hash=entity_data_hash(eg),
                             name=s.entity_registry_name, data_dir=data_dir, promote=promote)
    log.info("entity model %s registered (%s)", info["version"], s.entity_registry_name)
    return {"version": info["version"], "registry": s.entity_registry_name,
            "model": m.name, "promoted": promote, "metrics": val,
            "data_window": m.card["data_window"], "entities": m.card["entities"],
            "data_hash": info["data_hash"],
            "seconds": {"export": round(t1 - t0, 2), "fit": round(t2 - t1, 2),
                        "total": round(time.perf_counter() - t0, 2)}}


def train_entities(*, cutoff: str | None = None, promote: bool = False) -> dict[str, Any]:
    """``portsentinel train --entities``: the default graph store (``PS_DATA_DIR``)."""
    import graph

    with graph.open_store() as store:
        return train_entities_from_store(store=store, cutoff=cutoff, promote=promote)

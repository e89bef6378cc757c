"""``portsentinel train``: train on what is in the graph (incl. recorded inspection labels)
and register a version.

The graph window is exported with ``GraphStore.export``; ``risk.frame.export_frame``
turns it into the declaration frame with labels (Inspection results override the
declaration's own ``fraud`` flag). Labelled rows are split by date: the last
``PS_TRAINING_VALID_FRACTION`` is the validation part (early stopping and the metrics
recorded in the registry), everything earlier trains. Nothing after ``cutoff`` is read.
Closed warnings with an outcome (the warning service's feedback labels) label declarations
no inspection labelled. The version goes to ``risk.registry``. Run as
``python -m training.train --help`` too.
"""

from __future__ import annotations

import argparse
import logging
from typing import Any, Iterable, Mapping

log = logging.getLogger(__name__)


def time_split(frame: Any, valid_fraction: float) -> tuple[Any, Any]:
    """(train, valid) by date over labelled rows; whole days stay on one side."""
    lab = frame[frame["label"].notna()].sort_values("date", kind="stable")
    if len(lab) < 10:
        from training.exceptions import TrainingError

        raise TrainingError(f"only {len(lab)} labelled declarations in the graph; need >= 10 "
                            "(load KCS data or record inspections first)")
    cut = lab["date"].iloc[int(len(lab) * (1 - valid_fraction))]
    train = frame[frame["date"] < cut]
    valid = lab[lab["date"] >= cut]
    if train["label"].notna().sum() == 0 or valid.empty:
        cut_i = int(len(lab) * (1 - valid_fraction))
        train, valid = lab.iloc[:cut_i], lab.iloc[cut_i:]
    return train.reset_index(drop=True), valid.reset_index(drop=True)


def train_frame(*, frame: Any, model: str = "tabular", promote: bool = False,
                name: str | None = None, data_dir: Any = None) -> dict[str, Any]:
    from risk import registry
    from risk.metrics import summarize
    from risk.models import get
    from training.config import TrainingSettings

    s = TrainingSettings() if data_dir is None else TrainingSettings(data_dir=data_dir)
    train, valid = time_split(frame, s.valid_fraction)
    m = get(model)().fit(train, valid)
    metrics = summarize(valid["label"], m.score(valid)) if valid["label"].nunique() == 2 else {}
    from risk.drift import summarise

    # the drift indicator's reference: the model's scores on the frame it was trained from,
    # scored as batch_score will score (risk.drift)
    ref = summarise(m.score(frame))
    info = registry.register(model=m, metrics=metrics, data_hash=registry.data_hash(frame),
                             name=name, data_dir=data_dir, promote=promote,
                             score_reference=ref)
    return {"version": info["version"], "model": model, "metrics": metrics,
            "data_hash": info["data_hash"], "promoted": promote,
            "rows": {"train": int(train["label"].notna().sum()), "valid": int(len(valid))}}


def apply_feedback(frame: Any, labels: Iterable[Mapping[str, Any]]) -> int:
    """Closed warnings with an outcome (``WarningService.feedback_labels()``) label the
    declarations they concern where no inspection result does (an inspector's finding is
    the stronger label). Returns how many rows gained a label."""
    by_key = {f["key"]: float(f["label_value"]) for f in labels
              if f.get("label") == "Declaration" and f.get("label_value") is not None}
    if not by_key or frame.empty:
        return 0
    keys = frame["key"].astype(str)
    fill = frame["label"].isna() & keys.isin(by_key)
    frame.loc[fill, "label"] = keys[fill].map(by_key)
    return int(fill.sum())


def train_from_store(*, store: Any, model: str = "tabular", cutoff: str | None = None,
                     promote: bool = False, name: str | None = None, data_dir: Any = None,
                     feedback: Iterable[Mapping[str, Any]] | None = None,
                     snapshot: Any = None) -> dict[str, Any]:
    """Train on the graph's declaration frame; ``feedback`` (closed-warning labels, e.g.
    ``WarningService.feedback_labels()``) labels declarations no inspection labelled;
    ``snapshot``: a ``graph.snapshot.Snapshot`` read instead of a new export while current."""
    from risk.frame import export_frame

    frame = export_frame(store=store, cutoff=cutoff, snapshot=snapshot)
    added = apply_feedback(frame, feedback) if feedback else 0
    out = train_frame(frame=frame, model=model, promote=promote, name=name, data_dir=data_dir)
    out["labelled_in_graph"] = int(frame["label"].notna().sum())
    out["labels_from_warnings"] = added
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m training.train", description=__doc__)
    p.add_argument("--model", default="tabular")
    p.add_argument("--cutoff", default=None)
    p.add_argument("--promote", action="store_true")
    a = p.parse_args(argv)
    import json

    print(json.dumps(train_with_feedback(model=a.model, cutoff=a.cutoff, promote=a.promote),
                     default=str))
    return 0


def train_with_feedback(*, model: str = "tabular", cutoff: str | None = None,
                        promote: bool = False) -> dict[str, Any]:
    """``portsentinel train``: the default graph store, with the feedback labels of the
    default warning service (``PS_DATA_DIR``)."""
    import graph
    from risk.warnings import WarningService

    warnings = WarningService()
    try:
        labels = warnings.feedback_labels()
    finally:
        warnings.close()
    with graph.open_store() as store:
        return train_from_store(store=store, model=model, cutoff=cutoff, promote=promote,
                                feedback=labels)


if __name__ == "__main__":
    raise SystemExit(main())

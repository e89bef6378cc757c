"""Declaration frame -> PyTorch Geometric ``HeteroData`` (the GNN models build their graph
here at fit and at scoring time).

* ``build_hetero(frame, X)``: node type ``declaration`` with the feature matrix ``X``; one
  node type per entity column (importer, declarant, seller, courier, hs6, country_origin,
  country_departure, office) with [log degree] features; edges ``declaration -[col]-> entity``
  and the reverse ``entity -[rev_col]-> declaration``.
* ``window_to_hetero(tables, cutoff=...)``: a graph export through
  ``risk.frame.declaration_frame``, then ``build_hetero`` with the window features
  (``WINDOW_FEATURES`` + categorical codes) and the inspection labels as ``y``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.frame import DECLARATION_FIELDS, ENTITY_COLUMNS, declaration_frame

DECL = "declaration"


def build_hetero(frame: Any, X: np.ndarray, y: np.ndarray | None = None,
                 columns: tuple[str, ...] = tuple(ENTITY_COLUMNS)) -> Any:
    import pandas as pd
    import torch
    from torch_geometric.data import HeteroData

    data = HeteroData()
    data[DECL].x = torch.as_tensor(np.nan_to_num(X), dtype=torch.float32)
    if y is not None:
        yy = np.asarray(y, dtype=float)
        data[DECL].y = torch.as_tensor(np.nan_to_num(yy), dtype=torch.float32)
        data[DECL].labelled = torch.as_tensor(~np.isnan(yy))
    n = len(frame)
    for c in columns:
        vals = frame[c].astype(object).where(frame[c].notna(), None).to_numpy()
        codes, uniq = pd.factorize(vals)
        m = codes >= 0
        k = len(uniq)
        deg = np.bincount(codes[m], minlength=max(k, 1)).astype(np.float32)[:max(k, 1)]
        data[c].x = torch.as_tensor(np.log1p(deg)[:, None], dtype=torch.float32)
        data[c].keys = list(uniq) if k else ["<none>"]
        src = torch.as_tensor(np.arange(n)[m], dtype=torch.long)
        dst = torch.as_tensor(codes[m], dtype=torch.long)
        data[DECL, c, c].edge_index = torch.stack([src, dst])
        data[c, f"rev_{c}", DECL].edge_index = torch.stack([dst, src])
    return data


WINDOW_FEATURES = ["tax_rate", "log_net_mass", "log_value", "log_unit_price",
                   "importer_prior_decl", "importer_prior_ins", "importer_prior_hit",
                   "importer_prior_cases", "importer_age_days"]


def window_to_hetero(tables: Any, *, cutoff: str | None = None) -> tuple[Any, Any]:
    """(HeteroData, frame) for a graph window: declaration features = numeric fields (log
    scaled), categorical codes of the declaration's own fields, importer volume, prior
    inspections/hits/cases and age — all computed from rows strictly before each row's date
    and before ``cutoff`` — and ``y`` = inspection labels (NaN = not inspected)."""
    import pandas as pd

    f = declaration_frame(tables, cutoff=cutoff)
    X = pd.DataFrame({"tax_rate": f["tax_rate"],
                      "log_net_mass": np.log1p(f["net_mass"].astype(float)),
                      "log_value": np.log1p(f["value"].astype(float))})
    X["log_unit_price"] = X["log_value"] - X["log_net_mass"]
    for c in WINDOW_FEATURES[4:]:
        X[c] = f[c].astype(float)
    for c in DECLARATION_FIELDS[1:]:
        X[f"cat_{c}"] = pd.factorize(f[c].astype(str))[0].astype(float)
    data = build_hetero(f, X.to_numpy(float), f["label"].to_numpy(float))
    data["declaration"].feature_names = list(X.columns)
    return data, f

"""Graph window -> PyTorch Geometric ``HeteroData``.

Two entry points:

* ``declaration_frame(tables, cutoff=...)`` turns a graph export (``GraphStore.export`` ->
  ``Tables``) into the canonical declaration frame the risk models consume (``risk.kcs``
  documents it): one row per Declaration, one column per linked entity, ``label`` from the
  recorded Inspection results (hit=1 / no_hit=0) or the declaration's own ``fraud`` field,
  plus prior inspection/case counts of its importer computed only from rows before the row's
  date (and before ``cutoff``).
* ``build_hetero(frame, X)`` builds the heterogeneous graph: node type ``declaration`` with
  the feature matrix ``X``; one node type per entity column (importer, declarant, seller,
  courier, hs6, country_origin, country_departure, office) with [log degree] features; edges
  ``declaration -[col]-> entity`` and the reverse ``entity -[rev_col]-> declaration``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.kcs import ENTITY_COLUMNS

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


def declaration_frame(tables: Any, *, cutoff: str | None = None) -> Any:
    """Canonical declaration frame from a graph export (see module docstring)."""
    import pandas as pd

    from risk.exceptions import DataError

    decl = tables.nodes.get("Declaration")
    if decl is None or len(decl) == 0:
        raise DataError("graph export has no Declaration nodes")
    f = pd.DataFrame({"key": decl["key"].astype(str)})
    f["date"] = pd.to_datetime(decl.get("date", pd.Series([None] * len(decl))), errors="coerce",
                               utc=True).dt.tz_localize(None).values
    f["date"] = f["date"].fillna(pd.Timestamp("1970-01-01"))
    for c, src in [("office", "office"), ("process_type", "process_type"),
                   ("import_type", "import_type"), ("import_use", "import_use"),
                   ("payment_type", "payment_type"), ("transport_mode", "transport_mode"),
                   ("tax_type", "tax_type"), ("origin_indicator", "origin_indicator")]:
        f[c] = decl[src].astype(str).values if src in decl else "<none>"
    for c in ("tax_rate", "net_mass", "value"):
        f[c] = pd.to_numeric(decl[c], errors="coerce").values if c in decl else np.nan
    f["hs6"] = decl["hs_code"].astype(str).str[:6].values if "hs_code" in decl else None
    f = f.set_index("key")
    ent_of = {"DECLARED": "importer", "AGENT_FOR": "declarant", "SUPPLIED": "seller",
              "COURIER_FOR": "courier"}
    rels = tables.relationships
    for rtype, col in ent_of.items():
        r = rels.get(rtype)
        f[col] = None
        if r is not None and len(r):
            r = r[r.get("end_label", "Declaration") == "Declaration"] if "end_label" in r else r
            m = r.drop_duplicates("end_key").set_index("end_key")["start_key"]
            f[col] = f.index.map(m)
    for rtype, col, want in [("HAS_ITEM", "hs6", "Goods"), ("ORIGIN", "country_origin", "Country"),
                             ("DEPARTED_FROM", "country_departure", None),
                             ("AT_PORT", "office", "Port")]:
        r = rels.get(rtype)
        if r is not None and len(r):
            if want and "end_label" in r:
                r = r[r["end_label"] == want]
            m = r.drop_duplicates("start_key").set_index("start_key")["end_key"]
            mapped = f.index.map(m)
            if col == "hs6":
                mapped = pd.Series(mapped, index=f.index).astype(object).map(
                    lambda v: str(v)[:6] if isinstance(v, str) else None)
                f[col] = pd.Series(mapped.values, index=f.index).fillna(f[col])
            elif col == "office" and col in f:
                f["office_key"] = pd.Series(mapped, index=f.index)
                f[col] = f[col].where(f[col].notna() & ~f[col].isin(["None", "nan"]),
                                      pd.Series(mapped, index=f.index))
            else:
                f[col] = mapped
        elif col not in f:
            f[col] = None
    # labels: Inspection results win over the declaration's recorded fraud flag
    label = pd.to_numeric(decl["fraud"], errors="coerce").values if "fraud" in decl else np.nan
    f["label"] = label
    ins, rel = tables.nodes.get("Inspection"), rels.get("INSPECTED")
    if ins is not None and rel is not None and len(ins) and len(rel):
        res = ins.set_index("key")["result"].map({"hit": 1.0, "no_hit": 0.0})
        lab = rel.assign(y=rel["start_key"].map(res)).dropna(subset=["y"])
        lab = lab[lab["end_key"].isin(f.index)]
        f.loc[lab["end_key"].values, "label"] = lab["y"].values
    f = f.reset_index()
    if cutoff is not None:
        f = f[f["date"] < pd.Timestamp(cutoff)]
    f = f.sort_values(["date", "key"], kind="stable").reset_index(drop=True)
    # prior inspections/hits of the importer strictly before each row's date
    g = f.assign(ins=f["label"].notna().astype(float), hit=(f["label"] == 1).astype(float))
    for what in ("ins", "hit"):
        day = g.groupby(["importer", "date"], dropna=False)[what].sum().groupby(level=0).cumsum()
        prev = day.groupby(level=0).shift(1).fillna(0.0)
        idx = pd.MultiIndex.from_arrays([g["importer"], g["date"]])
        f[f"importer_prior_{what}"] = prev.reindex(idx).fillna(0.0).values
    # importer volume before the row (declarations on earlier days)
    f["importer_prior_decl"] = (f.groupby("importer").cumcount()
                                - f.groupby(["importer", "date"]).cumcount()).astype(float)
    # time since the importer's registration (days), where the registry gave a date
    ent = tables.nodes.get("Enterprise")
    f["importer_age_days"] = np.nan
    if ent is not None and "registered_on" in ent:
        reg = pd.to_datetime(ent.set_index("key")["registered_on"], errors="coerce")
        f["importer_age_days"] = (f["date"] - pd.to_datetime(f["importer"].map(reg))).dt.days
    # cases the importer was involved in, dated strictly before the row
    f["importer_prior_cases"] = 0.0
    case, inv = tables.nodes.get("Case"), rels.get("INVOLVED_IN")
    if case is not None and inv is not None and len(case) and len(inv) and "date" in case:
        cdate = pd.to_datetime(case.set_index("key")["date"], errors="coerce")
        c = inv.assign(cd=inv["end_key"].map(cdate)).dropna(subset=["cd"])
        by_ent = {k: np.sort(g["cd"].to_numpy()) for k, g in c.groupby("start_key")}
        f["importer_prior_cases"] = [
            float(np.searchsorted(by_ent[i], np.datetime64(d), side="left")) if i in by_ent else 0.0
            for i, d in zip(f["importer"], f["date"])]
    return f


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
    for c in ("process_type", "import_type", "import_use", "payment_type", "transport_mode",
              "tax_type", "origin_indicator"):
        X[f"cat_{c}"] = pd.factorize(f[c].astype(str))[0].astype(float)
    data = build_hetero(f, X.to_numpy(float), f["label"].to_numpy(float))
    data["declaration"].feature_names = list(X.columns)
    return data, f

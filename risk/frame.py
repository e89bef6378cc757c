"""The *declaration frame*: the one table every risk model consumes, and its builders.

One row per declaration: ``key``, ``date``, the declaration's own fields (``CATEGORICAL``,
``NUMERIC``), one column per linked entity (``ENTITY_COLUMNS``: importer, declarant, seller,
courier, hs6, country_origin, country_departure, office) holding that entity's key, and
``label`` (1 fraud / 0 clean / NaN not inspected). Graph frames add ``office_key`` (the Port
node's key) and the importer's history before each row (``importer_prior_*``,
``importer_age_days``).

Builders:
* ``declaration_frame(tables, cutoff=...)``: from a graph export (``GraphStore.export`` ->
  ``Tables``); labels from recorded Inspection results (hit=1 / no_hit=0), else the
  declaration's own ``fraud`` field; nothing dated on or after ``cutoff``;
* ``export_frame(store=..., cutoff=...)``: the export of ``EXPORT_LABELS``/``EXPORT_RELS``
  through ``declaration_frame``;
* ``declaration_row(record)``: a one-row frame from a mapping (the on-demand scoring path);
* KCS CSVs: ``risk.kcs.read_kcs`` (and ``risk.kcs.to_tables`` for the graph-shaped view).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

# the declaration's own categorical fields, as stored on the Declaration node
DECLARATION_FIELDS = ["office", "process_type", "import_type", "import_use", "payment_type",
                      "transport_mode", "tax_type", "origin_indicator"]
CATEGORICAL = ["office", "process_type", "import_type", "import_use", "payment_type",
               "transport_mode", "tax_type", "origin_indicator", "country_departure",
               "country_origin"]
NUMERIC = ["tax_rate", "net_mass", "value"]
# entity columns -> (graph label, relationship type, direction: True = entity -> declaration)
ENTITY_COLUMNS: dict[str, tuple[str, str, bool]] = {
    "importer": ("Enterprise", "DECLARED", True),
    "declarant": ("Enterprise", "AGENT_FOR", True),
    "seller": ("Enterprise", "SUPPLIED", True),
    "courier": ("Enterprise", "COURIER_FOR", True),
    "hs6": ("Goods", "HAS_ITEM", False),
    "country_origin": ("Country", "ORIGIN", False),
    "country_departure": ("Country", "DEPARTED_FROM", False),
    "office": ("Port", "AT_PORT", False),
}
# relationship type -> entity column (the inverse of ENTITY_COLUMNS)
COLUMN_OF_REL = {rtype: col for col, (_, rtype, _) in ENTITY_COLUMNS.items()}
EXPORT_LABELS = ["Declaration", "Enterprise", "Goods", "Country", "Port", "Inspection"]
EXPORT_RELS = [rtype for _, rtype, _ in ENTITY_COLUMNS.values()] + ["INSPECTED"]


def export_frame(*, store: Any, cutoff: str | None = None, snapshot: Any = None) -> Any:
    """The declaration frame of everything in ``store`` dated before ``cutoff``; from
    ``snapshot`` (a ``graph.snapshot.Snapshot``) when it is still current (the frame reads no
    risk property)."""
    from graph.snapshot import export

    tables = export(store, EXPORT_LABELS, EXPORT_RELS, snapshot=snapshot,
                    reader="declaration frame")
    return declaration_frame(tables, cutoff=cutoff)


def _entity_columns(f: Any, rels: Any) -> None:
    """Fill the entity columns of ``f`` (indexed by declaration key) from the relationships."""
    import pandas as pd

    for col, (label, rtype, ent_first) in ENTITY_COLUMNS.items():
        r = rels.get(rtype)
        if ent_first:  # Enterprise -[rtype]-> Declaration
            f[col] = None
            if r is not None and len(r):
                r = r[r.get("end_label", "Declaration") == "Declaration"] if "end_label" in r else r
                m = r.drop_duplicates("end_key").set_index("end_key")["start_key"]
                f[col] = f.index.map(m)
            continue
        if r is None or not len(r):
            if col not in f:
                f[col] = None
            continue
        want = None if col == "country_departure" else label
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


def _importer_history(f: Any, tables: Any) -> None:
    """Prior inspections / hits / declarations / cases and the age of each row's importer,
    from rows (and cases) strictly before the row's date."""
    import pandas as pd

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
    case, inv = tables.nodes.get("Case"), tables.relationships.get("INVOLVED_IN")
    if case is not None and inv is not None and len(case) and len(inv) and "date" in case:
        cdate = pd.to_datetime(case.set_index("key")["date"], errors="coerce")
        c = inv.assign(cd=inv["end_key"].map(cdate)).dropna(subset=["cd"])
        by_ent = {k: np.sort(g["cd"].to_numpy()) for k, g in c.groupby("start_key")}
        f["importer_prior_cases"] = [
            float(np.searchsorted(by_ent[i], np.datetime64(d), side="left")) if i in by_ent else 0.0
            for i, d in zip(f["importer"], f["date"])]


def declaration_frame(tables: Any, *, cutoff: str | None = None) -> Any:
    """The declaration frame from a graph export (see the module docstring)."""
    import pandas as pd

    from risk.exceptions import DataError

    decl = tables.nodes.get("Declaration")
    if decl is None or len(decl) == 0:
        raise DataError("graph export has no Declaration nodes")
    f = pd.DataFrame({"key": decl["key"].astype(str)})
    f["date"] = pd.to_datetime(decl.get("date", pd.Series([None] * len(decl))), errors="coerce",
                               utc=True).dt.tz_localize(None).values
    f["date"] = f["date"].fillna(pd.Timestamp("1970-01-01"))
    for c in DECLARATION_FIELDS:
        f[c] = decl[c].astype(str).values if c in decl else "<none>"
    for c in NUMERIC:
        f[c] = pd.to_numeric(decl[c], errors="coerce").values if c in decl else np.nan
    f["hs6"] = decl["hs_code"].astype(str).str[:6].values if "hs_code" in decl else None
    f = f.set_index("key")
    rels = tables.relationships
    _entity_columns(f, rels)
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
    _importer_history(f, tables)
    return f


def declaration_row(record: Mapping[str, Any]) -> Any:
    """A one-row declaration frame from a mapping with the frame's columns (missing
    fields become None/NaN)."""
    import pandas as pd

    row = {c: record.get(c) for c in ["key", "date", "hs6", *CATEGORICAL, *NUMERIC,
                                       *ENTITY_COLUMNS]}
    f = pd.DataFrame([row])
    f["date"] = pd.to_datetime(f["date"]).fillna(pd.Timestamp.now().normalize())
    for c in NUMERIC:
        f[c] = pd.to_numeric(f[c], errors="coerce")
    for c in CATEGORICAL:
        f[c] = f[c].astype(object).where(f[c].notna(), "<none>").astype(str)
    f["label"] = np.nan
    return f

"""KCS customs declaration files (Jeong et al. 2022) -> the canonical declaration frame.

The *declaration frame* (``risk.frame`` holds its contract: columns, entity -> relationship
map, the graph builders) is what every risk model consumes, whether it came from a KCS CSV
(``read_kcs``) or from a graph export (``risk.frame.declaration_frame``).

``to_tables`` turns a frame into the graph's ``Tables`` contract (node frames with ``key`` +
props; relationship frames with ``start_key``/``end_key``), using the ontology's labels and
relationship types, so the KCS path and the graph path feed the same model code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from risk.exceptions import DataError
from risk.frame import DECLARATION_FIELDS, ENTITY_COLUMNS, NUMERIC

COLUMNS = {
    "Declaration ID": "key", "Date": "date", "Office ID": "office",
    "Process Type": "process_type", "Import Type": "import_type", "Import Use": "import_use",
    "Payment Type": "payment_type", "Mode of Transport": "transport_mode",
    "Declarant ID": "declarant", "Importer ID": "importer", "Seller ID": "seller",
    "Courier ID": "courier", "HS6 Code": "hs6", "Country of Departure": "country_departure",
    "Country of Origin": "country_origin", "Tax Rate": "tax_rate", "Tax Type": "tax_type",
    "Country of Origin Indicator": "origin_indicator", "Net Mass": "net_mass",
    "Item Price": "value", "Fraud": "label", "Critical Fraud": "critical_fraud",
}
REQUIRED = [c for c in COLUMNS if c not in ("Fraud", "Critical Fraud")]
_PREFIX = {"importer": "KCS:IMP:", "declarant": "KCS:DEC:", "seller": "KCS:SEL:",
           "courier": "KCS:COU:", "hs6": "", "country_origin": "", "country_departure": "",
           "office": "KCS:OFFICE:"}


def read_kcs(path: str | Path) -> Any:
    """Read one KCS-format CSV into the canonical declaration frame (sorted by date)."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise DataError(f"KCS file not found: {path}")
    df = pd.read_csv(path, dtype=str, keep_default_na=True)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing column(s) {', '.join(missing)}")
    if df.empty:
        raise DataError(f"{path.name}: no rows")
    df = df.rename(columns=COLUMNS)
    for c in NUMERIC:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    bad = df["date"].isna() | pd.to_datetime(df["date"], errors="coerce").isna()
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise DataError(f"{path.name}: row {i + 2}: field 'Date' is not a date")
    df["date"] = pd.to_datetime(df["date"])
    if "label" in df.columns:
        df["label"] = pd.to_numeric(df["label"], errors="coerce")
    else:
        df["label"] = float("nan")
    for c in ENTITY_COLUMNS:
        df[c] = df[c].where(df[c].notna() & (df[c].astype(str).str.strip() != ""), None)
    df["key"] = df["key"].astype(str)
    return df.sort_values(["date", "key"], kind="stable").reset_index(drop=True)


def split_by_date(df: Any, frac: float = 0.5) -> tuple[Any, Any]:
    """First ``frac`` of the rows by date (whole days kept together) and the rest."""
    days = df["date"].sort_values().reset_index(drop=True)
    cut = days.iloc[int(len(days) * frac)]
    return df[df["date"] < cut].reset_index(drop=True), df[df["date"] >= cut].reset_index(drop=True)


def entity_key(column: str, value: str) -> str:
    return f"{_PREFIX[column]}{value}"


def to_tables(df: Any) -> Any:
    """A declaration frame as graph ``Tables`` (ontology labels and relationship types)."""
    import pandas as pd

    from graph.base import Tables

    decl = pd.DataFrame({"key": df["key"], "date": df["date"].dt.strftime("%Y-%m-%d")})
    for c in DECLARATION_FIELDS:
        decl[c] = df[c].astype(str)
    decl["tax_rate"], decl["net_mass"], decl["value"] = df["tax_rate"], df["net_mass"], df["value"]
    decl["hs_code"] = df["hs6"]
    if "label" in df:
        decl["fraud"] = df["label"]
        decl["inspected"] = df["label"].notna()
    nodes: dict[str, list] = {"Declaration": [decl]}
    rels: dict[str, list] = {}
    for col, (label, rtype, ent_first) in ENTITY_COLUMNS.items():
        sub = df[["key", col]].dropna()
        ek = sub[col].map(lambda v, c=col: entity_key(c, v))
        props = {"kind": col} if label == "Enterprise" else {}
        nodes.setdefault(label, []).append(pd.DataFrame({"key": ek.unique(), **props}))
        if ent_first:
            r = pd.DataFrame({"start_key": ek.values, "end_key": sub["key"].values,
                              "start_label": label, "end_label": "Declaration"})
        else:
            r = pd.DataFrame({"start_key": sub["key"].values, "end_key": ek.values,
                              "start_label": "Declaration", "end_label": label})
        if col == "declarant":
            r["role"] = "declarant"
        rels.setdefault(rtype, []).append(r)
    return Tables(
        nodes={k: pd.concat(v, ignore_index=True).drop_duplicates("key") for k, v in nodes.items()},
        relationships={k: pd.concat(v, ignore_index=True) for k, v in rels.items()})

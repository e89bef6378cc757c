"""Tabular features for declarations, fitted on training rows only (no leakage).

* own fields: categorical codes (fitted on train; unseen -> -1), numeric values, log unit
  price, unit price relative to the HS6 median in train, weekday;
* entity aggregates: how often each importer/declarant/seller/courier/HS code appears in
  the training rows, and *target encodings* (smoothed fraud rate) of entities and pairs.
  Target encodings of training rows are out-of-fold (5 folds), so a row never sees its own
  label; rows being scored use the full training statistics. Nothing is computed from the
  labels of validation/test rows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.frame import CATEGORICAL

TE_COLUMNS = ["importer", "declarant", "seller", "courier", "hs6", "hs4", "hs2",
              "country_origin", "country_departure", "office",
              "hs6|country_origin", "importer|hs6", "declarant|hs6", "hs6|office",
              "seller|hs6", "importer|declarant", "hs6|tax_type", "hs6|import_type"]
COUNT_COLUMNS = ["importer", "declarant", "seller", "courier", "hs6", "importer|hs6",
                 "declarant|hs6"]


def _prep(df: Any) -> Any:
    import pandas as pd

    d = pd.DataFrame(index=df.index)
    for c in ["importer", "declarant", "seller", "courier", "hs6", "country_origin",
              "country_departure", "office", "tax_type", "import_type"]:
        d[c] = df[c].astype(object).where(df[c].notna(), "<none>").astype(str)
    d["hs4"] = d["hs6"].str[:4]
    d["hs2"] = d["hs6"].str[:2]
    for c in TE_COLUMNS:
        if "|" in c:
            a, b = c.split("|")
            d[c] = d[a] + "|" + d[b]
    return d


class TabularFeaturizer:
    """fit(train frame) then transform(any frame) -> float32 matrix with ``names``."""

    def __init__(self, smoothing: float = 20.0, folds: int = 5, seed: int = 7):
        self.smoothing, self.folds, self.seed = smoothing, folds, seed
        self.names: list[str] = []
        self._fitted = False

    # -- fitting ----------------------------------------------------------------
    def fit(self, train: Any) -> "TabularFeaturizer":
        y = train["label"].to_numpy(dtype=float)
        ok = ~np.isnan(y)
        p = _prep(train)
        self.prior_ = float(np.nanmean(y)) if ok.any() else 0.0
        self.cat_codes_ = {c: {v: i for i, v in enumerate(sorted(train[c].astype(str).unique()))}
                           for c in CATEGORICAL}
        self.te_ = {c: self._stats(p.loc[ok, c], y[ok]) for c in TE_COLUMNS}
        self.counts_ = {c: p[c].value_counts() for c in COUNT_COLUMNS}
        up = self._unit_price(train)
        self.hs_up_median_ = up.groupby(p["hs6"]).median()
        self.up_median_ = float(np.nanmedian(up))
        # out-of-fold target encodings for the training rows themselves
        rng = np.random.default_rng(self.seed)
        fold = rng.integers(0, self.folds, len(train))
        oof = {c: np.full(len(train), np.nan) for c in TE_COLUMNS}
        for f in range(self.folds):
            tr, te = ok & (fold != f), fold == f
            for c in TE_COLUMNS:
                st = self._stats(p.loc[tr, c], y[tr])
                oof[c][te] = self._encode(p.loc[te, c], st)
        self.train_oof_ = oof
        self.train_index_ = train["key"].to_numpy()
        self._fitted = True
        return self

    @staticmethod
    def _stats(keys: Any, y: np.ndarray) -> Any:
        import pandas as pd

        g = pd.DataFrame({"k": keys.to_numpy(), "y": y}).groupby("k")["y"]
        return pd.DataFrame({"sum": g.sum(), "n": g.count()})

    def _encode(self, keys: Any, stats: Any) -> np.ndarray:
        s = keys.map(stats["sum"]).fillna(0.0).to_numpy(float)
        n = keys.map(stats["n"]).fillna(0.0).to_numpy(float)
        return (s + self.smoothing * self.prior_) / (n + self.smoothing)

    @staticmethod
    def _unit_price(df: Any) -> Any:
        return np.log1p(df["value"].astype(float)) - np.log1p(df["net_mass"].astype(float))

    # -- transforming -------------------------------------------------------------
    def transform(self, df: Any, *, training_rows: bool = False) -> np.ndarray:
        """Features for ``df``. ``training_rows=True`` (the frame given to ``fit``) uses the
        out-of-fold target encodings."""
        p = _prep(df)
        cols: dict[str, np.ndarray] = {}
        for c in CATEGORICAL:
            cols[f"cat_{c}"] = df[c].astype(str).map(self.cat_codes_[c]).fillna(-1).to_numpy(float)
        for c in ["tax_rate", "net_mass", "value"]:
            cols[c] = df[c].to_numpy(float)
        up = self._unit_price(df)
        cols["log_unit_price"] = up.to_numpy(float)
        med = p["hs6"].map(self.hs_up_median_).fillna(self.up_median_).to_numpy(float)
        cols["unit_price_vs_hs6"] = up.to_numpy(float) - med
        cols["log_value"] = np.log1p(df["value"].to_numpy(float))
        cols["weekday"] = df["date"].dt.weekday.to_numpy(float)
        cols["origin_eq_departure"] = (df["country_origin"] == df["country_departure"]).to_numpy(float)
        cols["has_seller"] = df["seller"].notna().to_numpy(float)
        cols["has_courier"] = df["courier"].notna().to_numpy(float)
        for c in COUNT_COLUMNS:
            cols[f"n_{c}"] = p[c].map(self.counts_[c]).fillna(0).to_numpy(float)
        for c in TE_COLUMNS:
            if training_rows:
                cols[f"te_{c}"] = self.train_oof_[c]
            else:
                cols[f"te_{c}"] = self._encode(p[c], self.te_[c])
        self.names = list(cols)
        return np.column_stack([cols[n] for n in self.names]).astype(np.float32)

    # -- one record, fast (on-demand scoring: dict lookups, no pandas) --------------------
    def _fast_tables(self) -> dict[str, Any]:
        fast = getattr(self, "_fast", None)
        if fast is None:
            m, pr = self.smoothing, self.prior_
            fast = {"te": {c: {k: (r["sum"] + m * pr) / (r["n"] + m)
                               for k, r in st.to_dict("index").items()} for c, st in self.te_.items()},
                    "n": {c: vc.to_dict() for c, vc in self.counts_.items()},
                    "hs_med": self.hs_up_median_.to_dict()}
            self._fast = fast
        return fast

    def __getstate__(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d.pop("_fast", None)
        return d

    def transform_record(self, rec: dict[str, Any]) -> np.ndarray:
        """``transform`` for one mapping (same columns as the frame), as a (1, F) matrix."""
        import math

        import pandas as pd

        fast = self._fast_tables()
        m, pr = self.smoothing, self.prior_

        def sval(v: Any) -> str:
            return "<none>" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)

        def num(v: Any) -> float:
            try:
                return float(v) if v is not None else float("nan")
            except (TypeError, ValueError):
                return float("nan")

        p = {c: sval(rec.get(c)) for c in ["importer", "declarant", "seller", "courier", "hs6",
                                          "country_origin", "country_departure", "office",
                                          "tax_type", "import_type"]}
        p["hs4"], p["hs2"] = p["hs6"][:4], p["hs6"][:2]
        for c in TE_COLUMNS:
            if "|" in c:
                a, b = c.split("|")
                p[c] = p[a] + "|" + p[b]
        cols: dict[str, float] = {}
        for c in CATEGORICAL:
            v = rec.get(c)
            key = "nan" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)
            cols[f"cat_{c}"] = float(self.cat_codes_[c].get(key, -1))
        tax, mass, value = num(rec.get("tax_rate")), num(rec.get("net_mass")), num(rec.get("value"))
        cols["tax_rate"], cols["net_mass"], cols["value"] = tax, mass, value
        up = math.log1p(value) - math.log1p(mass) if value == value and mass == mass else float("nan")
        cols["log_unit_price"] = up
        cols["unit_price_vs_hs6"] = up - fast["hs_med"].get(p["hs6"], self.up_median_)
        cols["log_value"] = math.log1p(value) if value == value else float("nan")
        d = rec.get("date")
        cols["weekday"] = float(pd.Timestamp(d).weekday()) if d is not None else float("nan")
        co, cd = rec.get("country_origin"), rec.get("country_departure")
        cols["origin_eq_departure"] = float(co is not None and co == cd)
        cols["has_seller"] = float(sval(rec.get("seller")) != "<none>")
        cols["has_courier"] = float(sval(rec.get("courier")) != "<none>")
        for c in COUNT_COLUMNS:
            cols[f"n_{c}"] = float(fast["n"][c].get(p[c], 0))
        for c in TE_COLUMNS:
            cols[f"te_{c}"] = float(fast["te"][c].get(p[c], pr))
        names = self.names or list(cols)
        return np.array([[cols[n] for n in names]], dtype=np.float32)

    @property
    def categorical_names(self) -> list[str]:
        return [f"cat_{c}" for c in CATEGORICAL]

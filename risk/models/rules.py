"""Expert rules: the floor every learned model must beat.

1. high-risk HS6/origin pair: the pair's fraud rate in training >= ``pair_rate`` with at
   least ``min_support`` inspected rows (weight 3);
2. high-risk HS6 alone: rate >= ``pair_rate`` with support (weight 2);
3. new enterprise with sudden volume: importer unseen in training and declared value above
   the training 90th percentile (weight 1);
4. prior cases in the 2-hop neighbourhood: the importer, declarant or seller had frauds in
   training (weight 1 per party; 2 hops = declaration -> party -> its earlier declarations).
Score = weighted sum of fired rules + a small tie-breaker (training fraud rate of the HS6)."""

from __future__ import annotations

from typing import Any

import numpy as np

from risk.base import RiskModel

RULES = {
    "high_risk_hs_origin": (3.0, "高风险商品/原产地组合 high-risk HS6/origin pair"),
    "high_risk_hs": (2.0, "高风险商品编码 high-risk HS6 code"),
    "new_importer_high_value": (1.0, "新企业大额申报 new importer with unusually high value"),
    "importer_prior_cases": (1.0, "进口商有违规记录 importer had prior frauds"),
    "declarant_prior_cases": (1.0, "申报人有违规记录 declarant had prior frauds"),
    "seller_prior_cases": (1.0, "境外供货商有违规记录 seller had prior frauds"),
}


class RulesModel(RiskModel):
    name = "rules"
    description = "expert rules (HS/origin risk, new enterprise volume, prior cases 2 hops)"

    def __init__(self, pair_rate: float = 0.5, min_support: int = 5) -> None:
        super().__init__()
        self.pair_rate, self.min_support = pair_rate, min_support

    def _fit(self, train: Any, valid: Any | None) -> None:
        lab = train[train["label"].notna()]
        pair = lab["hs6"].astype(str) + "|" + lab["country_origin"].astype(str)
        g = lab["label"].groupby(pair).agg(["mean", "count"])
        self.risky_pairs = set(g[(g["mean"] >= self.pair_rate) & (g["count"] >= self.min_support)].index)
        h = lab["label"].groupby(lab["hs6"].astype(str)).agg(["mean", "count"])
        self.hs_rate = h["mean"].to_dict()
        self.risky_hs = set(h[(h["mean"] >= self.pair_rate) & (h["count"] >= self.min_support)].index)
        self.known_importers = set(train["importer"].dropna())
        self.value_p90 = float(train["value"].quantile(0.9))
        self.prior = {c: set(lab.loc[lab["label"] == 1, c].dropna()) for c in
                      ("importer", "declarant", "seller")}
        self.card["rules"] = {k: v[1] for k, v in RULES.items()}

    def _fired(self, frame: Any) -> dict[str, np.ndarray]:
        pair = frame["hs6"].astype(str) + "|" + frame["country_origin"].astype(str)
        return {
            "high_risk_hs_origin": pair.isin(self.risky_pairs).to_numpy(),
            "high_risk_hs": frame["hs6"].astype(str).isin(self.risky_hs).to_numpy(),
            "new_importer_high_value": (~frame["importer"].isin(self.known_importers)
                                        & (frame["value"] > self.value_p90)).to_numpy(),
            "importer_prior_cases": frame["importer"].isin(self.prior["importer"]).to_numpy(),
            "declarant_prior_cases": frame["declarant"].isin(self.prior["declarant"]).to_numpy(),
            "seller_prior_cases": frame["seller"].isin(self.prior["seller"]).to_numpy(),
        }

    def _score(self, frame: Any) -> Any:
        fired = self._fired(frame)
        s = sum(RULES[k][0] * v.astype(float) for k, v in fired.items())
        tie = frame["hs6"].astype(str).map(self.hs_rate).fillna(0.0).to_numpy(float)
        return (s + tie) / 10.0

    def _explain(self, frame: Any, top: int) -> list[list[dict[str, Any]]]:
        fired = self._fired(frame)
        out = []
        for i in range(len(frame)):
            out.append([{"feature": k, "value": 1.0, "contribution": RULES[k][0],
                         "text": RULES[k][1]} for k in RULES if fired[k][i]][:top])
        return out

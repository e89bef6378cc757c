"""Explanations an inspector can read: top contributing features and graph evidence, in
Chinese and English, plus structured JSON.

* features: the model's own per-row attribution (LightGBM ``pred_contrib`` = TreeSHAP
  values in log-odds for the tree models; fired rules for the rules model);
* statistical evidence (always present, from training rows only): the fraud rate of the
  declaration's HS6/origin pair, HS6, importer and declarant among inspected declarations;
* graph evidence (with a store): paths from the declaration to risky neighbours within two
  hops — declarations with a hit inspection or ``fraud`` = 1, ``Case`` nodes, nodes already
  scored 高 — reached only through party/document/conveyance links (``EVIDENCE_RELS``; never
  through hubs like the customs office or the country), found with
  ``GraphStore.neighbourhood`` (every path returned is made of what the store returned).
"""

from __future__ import annotations

from typing import Any

FEATURE_TEXT = {
    "te_hs6|country_origin": ("该商品编码与原产国组合的历史查获率", "historic hit rate of this HS6 + origin pair"),
    "te_hs6": ("该商品编码的历史查获率", "historic hit rate of this HS6 code"),
    "te_hs4": ("该商品品目的历史查获率", "historic hit rate of this HS heading"),
    "te_hs2": ("该商品章的历史查获率", "historic hit rate of this HS chapter"),
    "te_importer": ("进口商历史查获率", "importer's historic hit rate"),
    "te_declarant": ("申报人历史查获率", "declarant's historic hit rate"),
    "te_seller": ("境外供货商历史查获率", "seller's historic hit rate"),
    "te_hs6|tax_type": ("商品编码与税种组合的历史查获率", "historic hit rate of HS6 + tax type"),
    "unit_price_vs_hs6": ("单价相对同类商品中位数的偏离", "unit price vs. the HS6 median"),
    "net_mass": ("净重", "net mass"), "value": ("申报价格", "declared value"),
    "log_unit_price": ("单价", "unit price"), "tax_rate": ("税率", "tax rate"),
    "cat_country_origin": ("原产国", "country of origin"),
    "cat_country_departure": ("启运国", "country of departure"),
    "n_hs6": ("该商品编码的申报量", "declaration volume of this HS6"),
    "n_importer": ("进口商申报量", "importer's declaration volume"),
}
RISKY_LEVEL = "高"


def _feature_text(f: dict[str, Any]) -> tuple[str, str]:
    zh, en = FEATURE_TEXT.get(f["feature"], (f["feature"], f["feature"]))
    if "text" in f:
        zh, _, en = f["text"].partition(" ")
        return zh, en or zh
    up = f["contribution"] > 0
    return (f"{zh}{'推高' if up else '降低'}风险 ({f['contribution']:+.2f})",
            f"{en} {'raises' if up else 'lowers'} the risk ({f['contribution']:+.2f})")


def statistical_evidence(model: Any, row: Any) -> list[dict[str, Any]]:
    """Fraud rates among the training rows for the declaration's HS6/origin, HS6, importer,
    declarant (from the model's featurizer statistics; no store needed)."""
    feat = getattr(model, "feat", None) or getattr(getattr(model, "tree", None), "feat", None)
    if feat is None:
        return []
    from risk.features import _prep

    p = _prep(row).iloc[0]
    out = []
    for col in ("hs6|country_origin", "hs6", "importer", "declarant", "seller"):
        st = feat.te_[col]
        k = p[col]
        if k in st.index and st.loc[k, "n"] > 0:
            n, s = int(st.loc[k, "n"]), int(st.loc[k, "sum"])
            out.append({"kind": "history", "entity": col, "key": k, "inspected": n, "hits": s,
                        "rate": round(s / n, 3),
                        "text_zh": f"{col} {k}: 历史查验{n}次, 查获{s}次 ({s / n:.0%})",
                        "text_en": f"{col} {k}: {s} hits in {n} past inspections ({s / n:.0%})"})
    out.sort(key=lambda e: (-e["rate"], -e["inspected"]))
    return out


def _is_risky(node: Any) -> str | None:
    p = node.props
    if node.label == "Case":
        return "case"
    if node.label == "Declaration" and (p.get("fraud") == 1 or p.get("critical_fraud") in (1, 2)):
        return "fraud_declaration"
    if node.label == "Inspection" and p.get("result") == "hit":
        return "hit_inspection"
    if p.get("risk_level") == RISKY_LEVEL:
        return "high_risk"
    return None


def _path_text(path: Any) -> tuple[str, str]:
    parts = [f"{path.nodes[0].label} {path.nodes[0].key}"]
    for rel, node in zip(path.relationships, path.nodes[1:]):
        parts.append(f"-[{rel.type}]- {node.label} {node.key}")
    s = " ".join(parts)
    return s, s


# links that say something about who is behind a declaration (not hubs such as the customs
# office, the country or the HS code, which every declaration shares with thousands)
EVIDENCE_RELS = ["DECLARED", "AGENT_FOR", "SUPPLIED", "COURIER_FOR", "INVOLVED_IN", "INSPECTED",
                 "LEGAL_REP_OF", "SHAREHOLDER_OF", "LOCATED_AT", "HAS_PHONE", "HAS_EMAIL",
                 "CARRIED_BY", "IN_CONTAINER", "DROVE", "UNDER_BL", "CONSIGNEE_OF"]


def graph_evidence(*, store: Any, key: str, label: str = "Declaration", limit: int = 3,
                   hops: int = 2) -> list[dict[str, Any]]:
    """Paths from (label, key) to risky nodes within ``hops``, only through party, document
    and conveyance links (``EVIDENCE_RELS``), most specific first. Each path is made of the
    nodes and relationships the store returned for the neighbourhood, so it exists."""
    from collections import deque

    from graph import ontology
    from graph.base import Path

    rels = [r for r in EVIDENCE_RELS if r in ontology.REL_TYPE_NAMES]
    sub = store.neighbourhood(label, key, hops=hops, rel_types=rels, limit=500)
    nodes = {(n.label, n.key): n for n in sub.nodes}
    adj: dict[tuple[str, str], list[tuple[tuple[str, str], Any]]] = {}
    for r in sub.relationships:
        adj.setdefault(r.start, []).append((r.end, r))
        adj.setdefault(r.end, []).append((r.start, r))
    start = (label, key)
    if start not in nodes:
        return []
    prev: dict[tuple[str, str], tuple[tuple[str, str], Any] | None] = {start: None}
    q = deque([start])
    while q:
        u = q.popleft()
        for v, r in adj.get(u, []):
            if v not in prev and v in nodes:
                prev[v] = (u, r)
                q.append(v)
    risky = [(nodes[k], why) for k in prev if k != start for why in [_is_risky(nodes[k])] if why]
    order = {"case": 0, "hit_inspection": 1, "fraud_declaration": 2, "high_risk": 3}
    risky.sort(key=lambda t: (order[t[1]], t[0].key))
    out = []
    for node, why in risky[:limit]:
        chain_nodes, chain_rels, k = [node], [], (node.label, node.key)
        while prev[k] is not None:
            k, r = prev[k]
            chain_rels.append(r)
            chain_nodes.append(nodes[k])
        path = Path(list(reversed(chain_nodes)), list(reversed(chain_rels)))
        zh, en = _path_text(path)
        why_zh = {"case": "涉案", "hit_inspection": "查验查获", "fraud_declaration": "已认定违规",
                  "high_risk": "高风险"}[why]
        out.append({"kind": "path", "reason": why, "target": [node.label, node.key],
                    "path": path.to_json(),
                    "text_zh": f"关联{why_zh}节点: {zh}",
                    "text_en": f"linked to {why.replace('_', ' ')}: {en}"})
    return out


def explain_declaration(*, model: Any, row: Any, store: Any = None, key: str | None = None,
                        top: int = 5, score: float | None = None) -> dict[str, Any]:
    """Explanation of one declaration (``row``: a one-row declaration frame)."""
    from risk.scoring import risk_levels  # noqa: F401 - levels documented there

    key = key or str(row["key"].iloc[0])
    s = float(model.score(row)[0]) if score is None else float(score)
    feats = model.explain(row, top=top)[0]
    stats = statistical_evidence(model, row)
    paths = graph_evidence(store=store, key=key) if store is not None else []
    evidence = paths + stats[:3]
    if not evidence and feats:
        f = feats[0]
        zh, en = _feature_text(f)
        evidence = [{"kind": "feature", "feature": f["feature"], "text_zh": zh, "text_en": en}]
    lines_zh = [f"报关单 {key} 风险分 {s:.3f}。主要因素:"]
    lines_en = [f"Declaration {key} risk score {s:.3f}. Main factors:"]
    for f in feats:
        zh, en = _feature_text(f)
        lines_zh.append(f"- {zh}")
        lines_en.append(f"- {en}")
    if evidence:
        lines_zh.append("证据:")
        lines_en.append("Evidence:")
        for e in evidence:
            lines_zh.append(f"- {e['text_zh']}")
            lines_en.append(f"- {e['text_en']}")
    return {"key": key, "risk_score": s, "model": getattr(model, "name", ""),
            "features": feats, "evidence": evidence,
            "text_zh": "\n".join(lines_zh), "text_en": "\n".join(lines_en)}


def explain_entity(store: Any, label: str, key: str, lang: str = "zh",
                   caption_of: Any = None) -> dict[str, Any]:
    """An Enterprise / Person / Vehicle / Container / Vessel: its written entity score and
    its graph reasons with evidence paths (``risk.entity.explain.explain_entity``; the
    subject named by ``caption_of(label, key, props) -> (zh, en)``)."""
    from risk.entity.explain import explain_entity as _explain

    return _explain(store, label, key, lang, caption_of)

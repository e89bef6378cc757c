"""Entity explanations with graph evidence that exists: ``explain_entity(store, label, key,
lang="zh")`` for an Enterprise, Person, Vehicle, Container or Vessel.

Every reason is counted from what the store returns for 1-hop queries
(``GraphStore.neighbourhood(..., hops=1, rel_types=[...])``) and carries its evidence paths
as node keys and relationship types (``{"nodes": [[label, key], ...], "relationships":
[{"type", "start": [label, key], "end": [label, key]}]}``) so the UI can highlight them and a
test can query each hop back. A *seizure* (查获记录) is a hit Inspection of one of the
entity's declarations, a declaration recorded as fraud (KCS), or a Case the entity is involved
in. Mention nodes (customs registrations ``CC:…``, person mentions ``PM:…``) count for the
canonical entity they are an ALIAS_OF, and the path shows that hop.

Sentences name the subject by its caption (``risk.captions.caption``): a named node as
"企业 东莞荣信机械有限公司（91441900UM1A0RC7NU）", a nameless one by the caption's readable
fallback (进口商 QLRUBN9, the plate of a vehicle). ``caption_of(label, key, props) -> (zh, en)``
gives the caption as the reader may see it; the default never names a person (names are
personal data): the API passes one that masks the node for its reader first. The keys stay in
``subject`` and in the evidence paths, unchanged.

Reasons: person — legal representative / shareholder of N enterprises, M with seizures; drove
K vehicles, L with seizures; involved in cases. Enterprise — own seizures; cases; sharing its
legal representative, address or phone with N enterprises, M with seizures. Vehicle — own
seizures; drivers involved in cases; drivers of its crossings (road manifests:
Vehicle<-CARRIED_BY-Manifest<-DRIVER_OF-Person) with seizures on crossings they drove
(Person-DRIVER_OF->Manifest<-ON_MANIFEST-Declaration<-INSPECTED-Inspection hit). Person —
also seizures on the crossings they drove. Container / vessel — declarations with seizures.
"""

from __future__ import annotations

from typing import Any

from risk.captions import LABEL_WORDS
from risk.entity.explain_text import (TEXT, CaptionOf, _reason, default_caption, is_role,
                                      name_words)

__all__ = ["TEXT", "CaptionOf", "_reason", "default_caption", "explain_entity", "name_words"]

MAX_FAN = 30  # entities examined per reason (hubs are summarised by their count)
MAX_PATHS = 3


class _Q:
    """1-hop reads, cached per explanation."""

    def __init__(self, store: Any) -> None:
        self.store, self.cache = store, {}

    def links(self, node: tuple[str, str], rels: list[str], labels: list[str] | None = None,
              direction: str = "both") -> list[tuple[Any, Any]]:
        ck = (node, tuple(rels), tuple(labels or ()), direction)
        if ck not in self.cache:
            sub = self.store.neighbourhood(node[0], node[1], hops=1, rel_types=rels,
                                           labels=labels, limit=5000)
            nodes = {(n.label, n.key): n for n in sub.nodes}
            out = []
            for r in sub.relationships:
                if direction != "in" and r.start == node and r.end in nodes and r.end != node:
                    out.append((r, nodes[r.end]))
                if direction != "out" and r.end == node and r.start in nodes and r.start != node:
                    out.append((r, nodes[r.start]))
            self.cache[ck] = out
        return self.cache[ck]


def _path(*steps: Any) -> dict[str, Any]:
    """steps: start (label, key), then (rel, node) pairs."""
    nodes = [list(steps[0])]
    rels = []
    for r, n in steps[1:]:
        rels.append({"type": r.type, "start": list(r.start), "end": list(r.end)})
        nodes.append([n.label, n.key])
    return {"nodes": nodes, "relationships": rels}


def _join(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    assert a["nodes"][-1] == b["nodes"][0]
    return {"nodes": a["nodes"] + b["nodes"][1:], "relationships": a["relationships"]
            + b["relationships"]}


def _holders(q: _Q, node: tuple[str, str]) -> list[dict[str, Any]]:
    """Paths from a canonical node to itself and to each mention that is an ALIAS_OF it."""
    return [_path(node)] + [_path(node, (r, m)) for r, m in
                            q.links(node, ["ALIAS_OF"], [node[0]], "in")][:MAX_FAN]


def seizures(q: _Q, node: tuple[str, str], decl_rel: str | None) -> list[dict[str, Any]]:
    """Paths from ``node`` (via its mentions) to its cases and hit inspections / fraud
    declarations (``decl_rel``: how its declarations link to it)."""
    out = []
    for h in _holders(q, node):
        end = tuple(h["nodes"][-1])
        for r, c in q.links(end, ["INVOLVED_IN"], ["Case"], "out"):
            out.append(_join(h, _path(end, (r, c))))
        if decl_rel is None:
            continue
        for r, d in q.links(end, [decl_rel], ["Declaration"]):
            if d.props.get("fraud") not in (1, True, "1") or len(out) >= MAX_PATHS * 3:
                continue
            dp = _join(h, _path(end, (r, d)))
            ins = [(ri, i) for ri, i in q.links(("Declaration", d.key), ["INSPECTED"],
                                                ["Inspection"], "in")
                   if i.props.get("result") == "hit"]
            out.append(_join(dp, _path(("Declaration", d.key), ins[0])) if ins else dp)
    return out


def canonical(q: _Q, node: tuple[str, str]) -> tuple[tuple[str, str], list]:
    out = [(r, n) for r, n in q.links(node, ["ALIAS_OF"], [node[0]], "out")]
    return ((out[0][1].label, out[0][1].key), out[:1]) if out else (node, [])


def _fanout(q: _Q, start: tuple[str, str], first: list[tuple[Any, Any]], decl_rel: str | None
            ) -> tuple[int, int, list[dict[str, Any]]]:
    """(#distinct canonical neighbours, #with seizures, paths start → neighbour → seizure)."""
    seen, bad, paths = set(), 0, []
    for pre, (r, n) in first[:MAX_FAN * 3]:
        c, hop = canonical(q, (n.label, n.key))
        if c in seen or c == start:
            continue
        seen.add(c)
        base = _join(pre, _path(tuple(pre["nodes"][-1]), (r, n), *hop))
        s = seizures(q, c, decl_rel)
        if s:
            bad += 1
            if len(paths) < MAX_PATHS:
                paths.append(_join(base, s[0]))
    return len(seen), bad, paths


def _via(q: _Q, node: tuple[str, str], rel: str, labels: list[str], direction: str
         ) -> list[tuple[dict, tuple]]:
    """(path to holder, (rel, other)) for each ``rel`` link of the node or its mentions."""
    out = []
    for h in _holders(q, node):
        end = tuple(h["nodes"][-1])
        out += [(h, x) for x in q.links(end, [rel], labels, direction)]
    return out


DECL_REL = {"Enterprise": "DECLARED", "Vehicle": "CARRIED_BY", "Container": "IN_CONTAINER",
            "Person": None, "Vessel": None}


def _vessel_seizures(q: _Q, v: tuple[str, str]) -> list[dict[str, Any]]:
    out = []
    for r1, mf in q.links(v, ["CARRIED_BY"], ["Manifest"], "in")[:MAX_FAN]:
        for r2, bl in q.links(("Manifest", mf.key), ["UNDER_BL"], ["BillOfLading"], "out"):
            for r3, d in q.links(("BillOfLading", bl.key), ["UNDER_BL"], ["Declaration"], "in"):
                if d.props.get("fraud") in (1, True, "1"):
                    out.append(_path(v, (r1, mf), (r2, bl), (r3, d)))
                    if len(out) >= MAX_PATHS * 3:
                        return out
    return out


def explain_entity(store: Any, label: str, key: str, lang: str = "zh",
                   caption_of: CaptionOf | None = None) -> dict[str, Any]:
    """The entity's score (as written by the last scoring run) and its graph reasons, in
    Chinese and English (``text`` in ``lang``), the subject named by ``caption_of`` (default:
    :func:`default_caption`, no person names); see the module docstring."""
    from risk.entity import explain_crossings as XC
    from risk.exceptions import DataError

    if label not in DECL_REL:
        raise DataError(f"explain_entity: label must be one of {', '.join(DECL_REL)}, got {label!r}")
    if lang not in ("zh", "en"):
        raise DataError(f"explain_entity: lang must be 'zh' or 'en', got {lang!r}")
    node = store.get(label, key)
    if node is None:
        raise DataError(f"{label} {key!r} is not in the graph")
    q = _Q(store)
    start, hop = canonical(q, (label, key))
    who = name_words(store, start[0], start[1], caption_of)
    reasons: list[dict[str, Any]] = []
    if hop:
        was = name_words(store, label, key, caption_of)
        reasons.append({"kind": "alias", "count": 1, "with_seizures": 0,
                        "paths": [_path((label, key), *hop)],
                        "text_zh": f"{was[0]} 经实体解析归并为 {who[0]}",
                        "text_en": f"{was[1]} is resolved to {who[1]}"})
    own = (_vessel_seizures(q, start) if label == "Vessel"
           else seizures(q, start, DECL_REL[label]))
    if own:
        # the search stops at MAX_PATHS * 3: say "at least"
        reasons.append(_reason("own", who, len(own), len(own), own[:MAX_PATHS], label=label,
                               at_least="m" if len(own) >= MAX_PATHS * 3 else ""))
    fans: list[tuple[str, list, str | None]] = []
    if label == "Person":
        fans = [("legal_rep", _via(q, start, "LEGAL_REP_OF", ["Enterprise"], "out"), "DECLARED"),
                ("shareholder", _via(q, start, "SHAREHOLDER_OF", ["Enterprise"], "out"),
                 "DECLARED"),
                ("drove", _via(q, start, "DROVE", ["Vehicle"], "out"), "CARRIED_BY")]
    elif label == "Enterprise":
        for kind, rel, lab in (("shared_rep", "LEGAL_REP_OF", "Person"),
                               ("shared_address", "LOCATED_AT", "Address"),
                               ("shared_phone", "HAS_PHONE", "Phone")):
            two = []
            for h, (r, mid) in _via(q, start, rel, [lab], "in" if lab == "Person" else "out"):
                p = _join(h, _path(tuple(h["nodes"][-1]), (r, mid)))
                two += [(p, x) for x in q.links((mid.label, mid.key), [rel], ["Enterprise"],
                                                "out" if lab == "Person" else "in")]
            fans.append((kind, two, "DECLARED"))
    elif label == "Vehicle":
        drv = _via(q, start, "DROVE", ["Person"], "in")
        seen, bad, paths = set(), 0, []
        for pre, (r, p) in drv[:MAX_FAN * 3]:
            c, hop2 = canonical(q, (p.label, p.key))
            if c in seen:
                continue
            seen.add(c)
            base = _join(pre, _path(tuple(pre["nodes"][-1]), (r, p), *hop2))
            ev = seizures(q, c, None)  # cases naming the driver
            if ev:
                bad += 1
                if len(paths) < MAX_PATHS:
                    paths.append(_join(base, ev[0]))
        if seen:
            reasons.append(_reason("drivers", who, len(seen), bad, paths))
        cd = XC.crossing_drivers(q, start, who)
        if cd:
            reasons.append(cd)
    if label == "Person":
        n, m, paths = XC.crossings(q, start)
        if n:
            reasons.append(_reason("crossings", who, n, m, paths,
                                   at_least="n" if n >= XC.MAX_CROSSINGS else ""))
    for kind, first, rel in fans:
        if first:
            n, m, paths = _fanout(q, start, first, rel)
            if n and (m or kind in ("legal_rep", "drove") or n > 1):
                reasons.append(_reason(kind, who, n, m, paths))
    reasons.sort(key=lambda r: (-r["with_seizures"], -r["count"]))
    if not any(r["with_seizures"] for r in reasons):
        reasons.append(_reason("none", who, 0, 0, [], label=label))
    p = node.props
    wz, we = LABEL_WORDS.get(label, (label, label))
    me = name_words(store, label, key, caption_of)
    if is_role(me[0]):
        wz = we = ""
    head_zh = (f"{wz} {me[0]} 风险分 {p.get('risk_score', '—')}"
               f"（{p.get('risk_level', '未评分')}，模型 {p.get('model_version', '—')}）")
    head_en = (f"{we.capitalize()} {me[1]} risk score {p.get('risk_score', '—')} "
               f"({p.get('risk_level', 'not scored')}, model {p.get('model_version', '—')})")
    zh = "\n".join([head_zh.lstrip()] + [f"- {r['text_zh']}" for r in reasons])
    en = "\n".join([head_en.lstrip()] + [f"- {r['text_en']}" for r in reasons])
    return {"label": label, "key": key, "canonical": list(start),
            "subject": {"label": start[0], "key": start[1], "caption_zh": who[0],
                        "caption_en": who[1]},
            "risk_score": p.get("risk_score"), "risk_level": p.get("risk_level"),
            "model_version": p.get("model_version"), "scored_at": p.get("scored_at"),
            "reasons": reasons, "text_zh": zh, "text_en": en, "text": zh if lang == "zh" else en,
            "lang": lang}

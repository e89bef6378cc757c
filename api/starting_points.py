"""The graph explorer's starting points: a few subgraphs that show what the product finds,
computed from the graph and the entity scores the served model wrote (``portsentinel
score``), not fixed in advance.

* ``shell_cluster``: among the riskiest enterprises, the one whose legal representative,
  address or phone is shared with the most enterprises that have seizures (查获记录, as
  ``risk.entity.explain`` counts them), with that cluster and its evidence; one whose linked
  members have seizures comes first, and the title claims member seizures only then;
* ``person``: the riskiest person linked to enterprises and to vehicles (any person when
  none is), with the enterprises it represents or holds and the vehicles it drove (through
  its resolved mentions);
* ``vehicle``: the riskiest vehicle, with its drivers, cases and inspections, and the
  declarants of the declarations drawn (its seized crossings): the enterprises it carried for.

Stored once per scoring (``api.starting_points_store``). Nodes come back unmasked (the
route masks them for its reader); the sentences are shared, so they mask persons for all."""

from __future__ import annotations

from typing import Any

from risk.entity.explain import explain_entity
from risk.warnings.triage import MENTION_PREFIXES

CANDIDATES = 6  # riskiest enterprises examined for the shell cluster
PERSON_LINKS = ("LEGAL_REP_OF", "SHAREHOLDER_OF", "DROVE", "ALIAS_OF")
SHARED = ("shared_rep", "shared_address", "shared_phone")
# per kind: the focus's links drawn, which neighbours are looked through, and their links
VIEW = {
    "shell_cluster": (["LEGAL_REP_OF", "LOCATED_AT", "HAS_PHONE", "ALIAS_OF", "INVOLVED_IN"],
                      ("Person", "Address", "Phone", "Case"),
                      ["LEGAL_REP_OF", "LOCATED_AT", "HAS_PHONE", "INVOLVED_IN"]),
    "person": (["ALIAS_OF", "LEGAL_REP_OF", "SHAREHOLDER_OF", "DROVE", "INVOLVED_IN"],
               ("Person", "Case"), ["LEGAL_REP_OF", "SHAREHOLDER_OF", "DROVE", "INVOLVED_IN"]),
    "vehicle": (["DROVE", "INVOLVED_IN", "INSPECTED"], ("Person", "Case"),
                ["ALIAS_OF", "INVOLVED_IN"]),
}
NODE_BUDGET = 60
THROUGH = 12  # neighbours looked through
# nodes the vehicle card adds for the enterprises it carried for, past the budget its drivers'
# many mentions may have filled (seen on the demo graph: 52 persons, no enterprise)
DECLARANT_RESERVE = 8
TITLES = {
    "shell_cluster": ("高风险关联企业群：共用法定代表人/地址/电话，成员有查获记录",
                      "Top-risk shell cluster: shared legal representative / address / phone, "
                      "members with seizures"),
    "shell_cluster_plain": ("高风险关联企业群：共用法定代表人/地址/电话",
                            "Top-risk shell cluster: shared legal representative / address / "
                            "phone"),
    "person": ("风险最高的人员及其企业、车辆", "The riskiest person, with their enterprises "
               "and vehicles"),
    # no person is linked to both: the title says what the card holds
    "person_enterprises": ("风险最高的人员及其企业", "The riskiest person, with their enterprises"),
    "person_vehicles": ("风险最高的人员及其车辆", "The riskiest person, with their vehicles"),
    "person_plain": ("风险最高的人员", "The riskiest person"),
    "vehicle": ("风险最高的车辆及其驾驶员", "The riskiest vehicle, with its drivers"),
}


def _ranked(store: Any, label: str, recorded: list | None = None,
            n: int = CANDIDATES) -> list[tuple[str, float]]:
    """The ``n`` riskiest canonical (not a mention: no outgoing ALIAS_OF) ``label`` keys:
    from ``recorded``, the scoring run's highest (key, score) pairs (``risk.history``), each
    checked for ALIAS_OF in the graph (a mention carries its entity's score); without them,
    from an export of the label's nodes."""
    if recorded:
        out = []
        for k, s in recorded:
            if not k.startswith(MENTION_PREFIXES) and not _is_mention(store, label, k):
                out.append((k, s))
                if len(out) == n:
                    break
        return out
    t = store.export(labels=[label], rel_types=["ALIAS_OF"])
    df = t.nodes.get(label)
    if df is None or df.empty or "risk_score" not in df:
        return []
    al = t.relationships.get("ALIAS_OF")
    mentions = set(al[al["start_label"] == label]["start_key"].astype(str)) \
        if al is not None and len(al) else set()
    df = df.dropna(subset=["risk_score"])
    df = df[~df["key"].astype(str).isin(mentions)]
    top = df.nlargest(n, "risk_score")
    return [(str(k), float(s)) for k, s in zip(top["key"], top["risk_score"])]


def _is_mention(store: Any, label: str, key: str) -> bool:
    sub = store.neighbourhood(label, key, hops=1, rel_types=["ALIAS_OF"], limit=5)
    return any(r.type == "ALIAS_OF" and tuple(r.start) == (label, key)
               for r in sub.relationships)


def _merge(sub: dict[str, Any], more: dict[str, Any], have: set, seen_rels: set,
           budget: int = NODE_BUDGET) -> None:
    for n in more["nodes"]:
        if (n["label"], n["key"]) not in have and len(have) < budget:
            have.add((n["label"], n["key"]))
            sub["nodes"].append(n)
    for r in more["relationships"]:
        ident = (r["type"], tuple(r["start"]), tuple(r["end"]))
        if ident not in seen_rels and tuple(r["start"]) in have and tuple(r["end"]) in have:
            seen_rels.add(ident)
            sub["relationships"].append(r)


def _subgraph(store: Any, kind: str, label: str, key: str,
              reasons: list[dict[str, Any]]) -> dict[str, Any]:
    """The focus's links of the kind's types, the links of the neighbours it is looked at
    through (a person's mentions, a shared address's other occupants, a case's other parties), the evidence paths."""
    first, through, second = VIEW[kind]
    sub = store.neighbourhood(label, key, hops=1, rel_types=first, limit=40).to_json()
    for n in [n for n in sub["nodes"][1:] if n["label"] in through][:THROUGH]:
        more = store.neighbourhood(n["label"], n["key"], hops=1, rel_types=second,
                                   limit=12).to_json()
        _merge(sub, more, {(m["label"], m["key"]) for m in sub["nodes"]},
               {(r["type"], tuple(r["start"]), tuple(r["end"])) for r in sub["relationships"]})
    have = {(n["label"], n["key"]) for n in sub["nodes"]}
    seen_rels = {(r["type"], tuple(r["start"]), tuple(r["end"])) for r in sub["relationships"]}
    evidence: list[list[str]] = []
    for r in reasons[:3]:  # the evidence paths, drawn too (seizures, cases)
        for p in r.get("paths") or []:
            for lab, k in p.get("nodes") or []:
                evidence.append([lab, k])
                if (lab, k) not in have:
                    n = store.get(lab, k)
                    if n is not None:
                        have.add((lab, k))
                        sub["nodes"].append(n.to_json())
            for x in p.get("relationships") or []:
                ident = (x["type"], tuple(x["start"]), tuple(x["end"]))
                if ident not in seen_rels and tuple(x["start"]) in have \
                        and tuple(x["end"]) in have:
                    seen_rels.add(ident)
                    sub["relationships"].append({"type": x["type"], "start": list(x["start"]),
                                                 "end": list(x["end"]), "props": {}})
    decls = [n for n in sub["nodes"] if n["label"] == "Declaration"] if kind == "vehicle" else []
    room = len(have) + DECLARANT_RESERVE  # its own allowance: drivers' mentions fill the rest
    for n in decls[:THROUGH]:  # the enterprises whose declarations the vehicle carried
        _merge(sub, store.neighbourhood("Declaration", n["key"], hops=1, rel_types=["DECLARED"],
                                        limit=3).to_json(), have, seen_rels, budget=room)
    sub["evidence"] = evidence
    return sub


def _item(store: Any, kind: str, label: str, key: str, score: float,
          ex: dict[str, Any], title: str | None = None) -> dict[str, Any]:
    reasons = [r for r in ex["reasons"] if r["kind"] != "none"] or ex["reasons"]
    focus = store.get(label, key)
    zh, en = TITLES[title or kind]
    return {"kind": kind, "title_zh": zh, "title_en": en,
            "focus": focus.to_json() if focus else {"label": label, "key": key, "props": {}},
            "risk_score": round(score, 4), "risk_level": ex.get("risk_level"),
            "model_version": ex.get("model_version"),
            "reasons": [{"kind": r["kind"], "count": r["count"],
                         "with_seizures": r["with_seizures"], "text_zh": r["text_zh"],
                         "text_en": r["text_en"]} for r in reasons[:3]],
            "subgraph": _subgraph(store, kind, label, key, reasons)}


def _shell_cluster(store: Any, caption_of: Any = None, recorded: list | None = None
                   ) -> dict[str, Any] | None:
    """The candidate whose linked members have the most seizures (any first), then its own
    seizures, the cluster's size, the score; titled by what it shows."""
    best = None
    for key, score in _ranked(store, "Enterprise", recorded):
        ex = explain_entity(store, "Enterprise", key, caption_of=caption_of)
        shared = [r for r in ex["reasons"] if r["kind"] in SHARED]
        if not shared:
            continue
        own = any(r["kind"] == "own" for r in ex["reasons"])
        linked = sum(r["with_seizures"] for r in shared)
        rank = (linked > 0, linked + own, max(r["count"] for r in shared), score)
        if best is None or rank > best[0]:
            best = (rank, key, score, ex)
    if best is None:
        return None
    rank, key, score, ex = best
    return _item(store, "shell_cluster", "Enterprise", key, score, ex,
                 title=None if rank[0] else "shell_cluster_plain")


def _people_with_both(store: Any) -> list[tuple[str, float]]:
    """Canonical persons who (themselves or through their mentions) represent or hold an
    enterprise AND drove a vehicle, riskiest first: one export of the persons and those
    links (the riskiest persons of a world are often shell representatives who drive
    nothing, and the person card promises both)."""
    t = store.export(labels=["Person"], rel_types=list(PERSON_LINKS))
    people = t.nodes.get("Person")
    if people is None or people.empty or "risk_score" not in people:
        return []

    def rels(types: tuple[str, ...], end: str) -> list[tuple[str, str]]:
        out = []
        for ty in types:
            r = t.relationships.get(ty)
            if r is not None and len(r):
                r = r[(r["start_label"] == "Person") & (r["end_label"] == end)]
                out += list(zip(r["start_key"].astype(str), r["end_key"].astype(str)))
        return out

    canon = dict(rels(("ALIAS_OF",), "Person"))
    holds = {canon.get(p, p) for p, _ in rels(("LEGAL_REP_OF", "SHAREHOLDER_OF"), "Enterprise")}
    drove = {canon.get(p, p) for p, _ in rels(("DROVE",), "Vehicle")}
    sc = people.dropna(subset=["risk_score"])
    score = dict(zip(sc["key"].astype(str), sc["risk_score"].astype(float)))
    both = [(k, score[k]) for k in holds & drove if k in score and k not in canon]
    return sorted(both, key=lambda x: (-x[1], x[0]))


def _top(store: Any, kind: str, label: str, prefer: tuple[set[str], ...] = (),
         caption_of: Any = None, recorded: list | None = None,
         candidates: list | None = None) -> dict[str, Any] | None:
    """The riskiest ``label`` (of ``candidates`` when given); with ``prefer``, among the first
    ``CANDIDATES``, one whose reasons cover every set in it comes first, then seizures."""
    best = None
    ranked = candidates or _ranked(store, label, recorded, n=CANDIDATES if prefer else 1)
    for i, (key, score) in enumerate(ranked[:CANDIDATES if prefer else 1]):
        ex = explain_entity(store, label, key, caption_of=caption_of)
        kinds = {r["kind"] for r in ex["reasons"]}
        rank = (sum(bool(kinds & want) for want in prefer),
                sum(r["with_seizures"] for r in ex["reasons"]), -i)
        if best is None or rank > best[0]:
            best = (rank, key, score, ex)
    if best is None:
        return None
    _, key, score, ex = best
    title = None
    if kind == "person":  # the title claims enterprises / vehicles only when the card has them
        have = {r["kind"] for r in ex["reasons"]}
        ent, veh = bool(have & {"legal_rep", "shareholder"}), "drove" in have
        title = "person" if ent and veh else "person_enterprises" if ent else \
            "person_vehicles" if veh else "person_plain"
    return _item(store, kind, label, key, score, ex, title=title)


def compute(store: Any, caption_of: Any = None,
            recorded: dict[str, list] | None = None) -> list[dict[str, Any]]:
    """``caption_of``: how the reason sentences name their subjects (default
    ``risk.entity.explain.default_caption``: persons by key). ``recorded``: per label, the
    latest scoring run's highest scores (``recorded_top``); a label without them is ranked
    from an export of its nodes."""
    rec = recorded or {}
    found = [_shell_cluster(store, caption_of, rec.get("Enterprise")),
             _top(store, "person", "Person", ({"legal_rep", "shareholder"}, {"drove"}),
                  caption_of, rec.get("Person"), _people_with_both(store)),
             _top(store, "vehicle", "Vehicle", caption_of=caption_of,
                  recorded=rec.get("Vehicle"))]
    return [f for f in found if f is not None]

"""First-run triage (首次评分研判): what the warning queue gets from a scoring run that finds
no baseline — the demo's first run, or entities loaded since the last one.

The baseline rule (``risk.entity.scoring``) keeps first scores out of ``score_crossing``: a
first run over a loaded history would otherwise raise one warning per 高 entity (902 on the
demo once). Silence is not right either: the first run is exactly when the duty officer
wants to know where to start. So the run hands its 高 entities without a baseline to
``triage``, which opens a *budgeted* number of cases, each one a worked-up lead:

1. the ``examine`` highest-scored of them (canonical entities only; mention nodes count for
   the entity they are an alias of) are explained (``risk.explain.explain_entity``);
2. only those whose explanation has **graph evidence of seizures** (a hit inspection, a fraud
   record or a case on their own declarations, or on the enterprises / vehicles they share a
   representative, address, phone or driver with) qualify — a high score alone is a targeting
   matter, not a warning;
3. qualifying entities whose evidence paths share an entity (not a hub: ports, countries,
   goods) form one **cluster**: one case, not one per member;
4. clusters are ranked networks first (a case in the evidence, or several linked 高 entities),
   then by the seizure evidence they carry, then by best score, and the first ``max_cases``
   open one warning each (rule ``first_run_triage``; 红 when a smuggling
   case or two members with seizures are in the evidence, else 橙), whose evidence is the union
   of the members' paths (every node and link exists in the graph: it was read from it) and
   whose context lists the members with their scores and reasons.
5. each case carries the **port** its evidence supports: the most frequent ``AT_PORT`` of the
   documents (declarations, manifests, ...) in its evidence, else of the lead's own
   declarations (``case_port``; read through the store's parameterised queries), so the
   queue's port filter finds it; none only when the graph names no port.

The de-duplication key is the lead entity, so a second first-sight run over the same lead
merges into its open warning instead of opening another.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from graph import ontology

from risk.captions import caption, caption_keys
from risk.warnings.engine import Candidate, dedup_key

log = logging.getLogger(__name__)
RULE = "first_run_triage"
MENTION_PREFIXES = ("CC:", "TXT:", "PM:")  # mention nodes (risk.entity.graph_frame)
HUBS = frozenset({"Port", "Country", "Goods", "HSCode", "Concept", "Article"})
AT_PORT_FROM = frozenset(s for s, _ in ontology.REL_TYPES["AT_PORT"].pairs)
# how a party reaches its documents (declarant, agent, supplier, courier, driver)
PARTY_DOC = ("DECLARED", "AGENT_FOR", "SUPPLIED", "COURIER_FOR", "DRIVER_OF", "CONSIGNEE_OF")


@dataclass(frozen=True)
class TriageSettings:
    max_cases: int = 30  # cases one run opens at most
    examine: int = 300  # 高 first-sight entities explained, best score first
    max_evidence_nodes: int = 80  # per case
    suppress_for_s: float = 7 * 86_400


def _evidence(paths: list[dict[str, Any]]) -> tuple[set, dict]:
    nodes: set[tuple[str, str]] = set()
    rels: dict[tuple, dict[str, Any]] = {}
    for p in paths:
        for n in p.get("nodes", []):
            nodes.add((str(n[0]), str(n[1])))
        for r in p.get("relationships", []):
            s, e = tuple(r["start"]), tuple(r["end"])
            rels.setdefault((r["type"], s, e), {"type": r["type"], "start": list(s),
                                                "end": list(e)})
    return nodes, rels


def triage(store: Any, firsts: dict[str, dict[str, dict[str, Any]]],
           settings: TriageSettings = TriageSettings()) -> list[Candidate]:
    """Candidates (one per cluster, at most ``max_cases``) for ``firsts``: {label: {key:
    props}} of the 高 entities a run scored without a baseline."""
    from risk.explain import explain_entity

    ranked = sorted(((float(p.get("risk_score") or 0), lab, k, p) for lab, kv in firsts.items()
                     for k, p in kv.items() if not str(k).startswith(MENTION_PREFIXES)),
                    key=lambda t: (-t[0], t[1], t[2]))
    leads: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for score, label, key, props in ranked:
        if len(seen) >= settings.examine:
            break
        try:
            ex = explain_entity(store, label, key, "zh")
        except Exception:  # noqa: BLE001 - an entity that cannot be explained is skipped
            log.exception("triage: explaining %s %s failed", label, key)
            continue
        canon = tuple(ex.get("canonical") or (label, key))
        if canon != (label, key) or canon in seen:
            continue  # a mention: its canonical entity stands for it
        seen.add(canon)
        strong = [r for r in ex["reasons"] if r.get("with_seizures") and r.get("paths")]
        if not strong:
            continue
        nodes, rels = _evidence([p for r in strong for p in r["paths"]])
        leads.append({"label": label, "key": key, "score": score, "props": props,
                      "reasons": strong, "nodes": nodes, "rels": rels,
                      "model_version": props.get("model_version")})
    # clusters: leads whose evidence shares a non-hub entity
    parent = list(range(len(leads)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    owner: dict[tuple[str, str], int] = {}
    for i, ld in enumerate(leads):
        for n in ld["nodes"] | {(ld["label"], ld["key"])}:
            if n[0] in HUBS:
                continue
            if n in owner:
                a, b = find(owner[n]), find(i)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            else:
                owner[n] = i
    clusters: dict[int, list[dict[str, Any]]] = {}
    for i, ld in enumerate(leads):
        clusters.setdefault(find(i), []).append(ld)
    order = sorted(clusters.values(), key=_rank)
    return [_candidate(store, c, settings) for c in order[: settings.max_cases]]


def _ports_of(store: Any, refs: list[tuple[str, str]]) -> Counter:
    """How many of ``refs`` (documents / conveyances) are AT_PORT each port."""
    n: Counter = Counter()
    for label, key in refs:
        sub = store.neighbourhood(label, key, hops=1, rel_types=["AT_PORT"], labels=["Port"],
                                  limit=20)
        n.update({r.end[1] for r in sub.relationships
                  if r.type == "AT_PORT" and tuple(r.start) == (label, key)
                  and r.end[0] == "Port"})
    return n


def case_port(store: Any, subject: tuple[str, str], evidence_nodes: set | list,
              *, limit: int = 500) -> str | None:
    """The port a case is about: the most frequent AT_PORT of the documents in its evidence,
    else of the subject's own documents (or the subject's own AT_PORT, a conveyance); ties
    go to the smallest port key. None when the graph names no port."""
    docs = sorted({(str(a), str(b)) for a, b in evidence_nodes
                   if a in AT_PORT_FROM and a != "Inspection"})
    counts = _ports_of(store, docs)
    if not counts:
        own = [subject] if subject[0] in AT_PORT_FROM else []
        sub = store.neighbourhood(subject[0], subject[1], hops=1, rel_types=list(PARTY_DOC),
                                  labels=sorted(AT_PORT_FROM - {"Inspection"}), limit=limit)
        own += sorted({(n.label, n.key) for n in sub.nodes
                       if (n.label, n.key) != tuple(subject) and n.label in AT_PORT_FROM})
        counts = _ports_of(store, own)
    if not counts:
        return None
    return min(counts, key=lambda p: (-counts[p], p))


def _rank(c: list[dict[str, Any]]) -> tuple:
    """Networks first (a case in the evidence, or several linked 高 entities), then by how
    much seizure evidence the cluster carries, then by best score."""
    nodes = set().union(*(m["nodes"] for m in c))
    cases = sum(1 for n in nodes if n[0] == "Case")
    seized = sum(r.get("with_seizures", 0) for m in c for r in m["reasons"])
    network = cases > 0 or len(c) > 1
    return (not network, -(cases + len(c)), -seized, -max(m["score"] for m in c),
            c[0]["label"], c[0]["key"])


def _candidate(store: Any, members: list[dict[str, Any]], s: TriageSettings) -> Candidate:
    lead = members[0]
    nodes: set[tuple[str, str]] = set()
    rels: dict[tuple, dict[str, Any]] = {}
    for m in members:
        nodes |= m["nodes"] | {(m["label"], m["key"])}
        rels.update(m["rels"])
    keep = sorted(nodes, key=lambda n: (n not in {(m["label"], m["key"]) for m in members}, n))
    keep = set(keep[: s.max_evidence_nodes])
    rel_list = [r for r in rels.values() if tuple(r["start"]) in keep and tuple(r["end"]) in keep]
    cases = [n for n in nodes if n[0] == "Case"]
    red = bool(cases) or len(members) >= 2
    level = "红" if red else "橙"
    cap_zh, cap_en = caption(lead["label"], lead["key"], lead["props"])
    if not lead["props"].get("name"):
        node = store.get(lead["label"], lead["key"])
        cap_zh, cap_en = caption(lead["label"], lead["key"], node.props if node else None)
    n = len(members)
    why_zh = caption_keys(lead["reasons"][0]["text_zh"], "zh")
    why_en = caption_keys(lead["reasons"][0]["text_en"], "en")
    zh = (f"首次评分研判：{cap_zh}" + (f" 等 {n} 个关联高风险主体" if n > 1 else " 为高风险主体")
          + f"（评分 {lead['score']:.3f}）；{why_zh}")
    en = (f"First-run triage: {cap_en}" + (f" and {n - 1} linked high-risk entities" if n > 1
                                           else " is high-risk")
          + f" (score {lead['score']:.3f}); {why_en}")
    ctx = {"model_version": lead["model_version"], "first_run": True, "cluster_size": n,
           "cases_in_evidence": len(cases),
           "members": [{"label": m["label"], "key": m["key"], "score": round(m["score"], 4),
                        "reasons": [r["kind"] for r in m["reasons"]]} for m in members[:50]]}
    try:
        port = case_port(store, (lead["label"], lead["key"]), keep)  # the stored evidence
    except Exception:  # noqa: BLE001 - a port the graph cannot give leaves the case portless
        log.exception("triage: the port of %s %s could not be read", lead["label"], lead["key"])
        port = None
    ctx["port"] = port
    return Candidate(RULE, level, dedup_key(RULE, (lead["label"], lead["key"])),
                     (lead["label"], lead["key"]), zh, en,
                     {"nodes": [{"label": a, "key": b} for a, b in sorted(keep)],
                      "relationships": rel_list}, ctx, s.suppress_for_s, port=port)

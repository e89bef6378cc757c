"""The graph explorer's starting points: a few subgraphs that show what the product finds,
computed from the graph and the entity scores the served model wrote (``portsentinel
score``), not fixed in advance.

* ``shell_cluster``: among the riskiest enterprises, the one whose legal representative,
  address or phone is shared with the most enterprises that have seizures (查获记录, as
  ``risk.entity.explain`` counts them), with that cluster and its evidence; one whose linked
  members have seizures comes first, and the title claims member seizures only then;
* ``person``: the riskiest person (among the first few, one linked to enterprises and to
  vehicles first), with the enterprises it represents or holds and the
  vehicles it drove (through its resolved mentions);
* ``vehicle``: the riskiest vehicle, with its drivers, cases and inspections.

Computed once per scoring (they explain each candidate: seconds on the demo graph):
``warm`` (run by the demo after scoring, and in the background by ``portsentinel serve``
when stale) stores them in ``<api dir>/starting_points.json`` (0600) under the scoring key:
the promoted model pair and the latest scoring run of each kind (``risk.history``, whose
recorded scores also rank the candidates). A new promotion or scoring run changes the key;
graph edits between runs do not. Nodes are stored unmasked (the route masks them for its
reader); the sentences are shared, so they mask persons for all (``masked_caption``)."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from api.config import write_private
from api.explain_view import masked_caption
from risk import registry
from risk.entity.explain import explain_entity
from risk.exceptions import RiskError

STORE_NAME = "starting_points.json"
CANDIDATES = 6  # riskiest enterprises examined for the shell cluster
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
TITLES = {
    "shell_cluster": ("高风险关联企业群：共用法定代表人/地址/电话，成员有查获记录",
                      "Top-risk shell cluster: shared legal representative / address / phone, "
                      "members with seizures"),
    "shell_cluster_plain": ("高风险关联企业群：共用法定代表人/地址/电话",
                            "Top-risk shell cluster: shared legal representative / address / "
                            "phone"),
    "person": ("风险最高的人员及其企业、车辆", "The riskiest person, with their enterprises "
               "and vehicles"),
    "vehicle": ("风险最高的车辆及其驾驶员", "The riskiest vehicle, with its drivers"),
}
_cache: dict[int, tuple[list, list]] = {}  # id(app state) -> (scoring key, items)
_lock = threading.Lock()
_computing = threading.Lock()  # one computation at a time; the others wait for its answer


def _ranked(store: Any, label: str, recorded: list | None = None) -> list[tuple[str, float]]:
    """Canonical (not a mention: no outgoing ALIAS_OF) ``label`` keys by risk_score: from
    ``recorded``, the scoring run's highest (key, score) pairs (``risk.history``), each
    checked for ALIAS_OF in the graph (a mention carries its entity's score); without them,
    from an export of the label's nodes."""
    if recorded:
        return [(k, s) for k, s in recorded if not _is_mention(store, label, k)][:CANDIDATES]
    t = store.export(labels=[label], rel_types=["ALIAS_OF"])
    df = t.nodes.get(label)
    if df is None or df.empty or "risk_score" not in df:
        return []
    al = t.relationships.get("ALIAS_OF")
    mentions = set(al[al["start_label"] == label]["start_key"].astype(str)) \
        if al is not None and len(al) else set()
    df = df.dropna(subset=["risk_score"])
    df = df[~df["key"].astype(str).isin(mentions)]
    top = df.nlargest(CANDIDATES, "risk_score")
    return [(str(k), float(s)) for k, s in zip(top["key"], top["risk_score"])]


def _is_mention(store: Any, label: str, key: str) -> bool:
    sub = store.neighbourhood(label, key, hops=1, rel_types=["ALIAS_OF"], limit=5)
    return any(r.type == "ALIAS_OF" and tuple(r.start) == (label, key)
               for r in sub.relationships)


def _merge(sub: dict[str, Any], more: dict[str, Any], have: set, seen_rels: set) -> None:
    for n in more["nodes"]:
        if (n["label"], n["key"]) not in have and len(have) < NODE_BUDGET:
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


def _top(store: Any, kind: str, label: str, prefer: tuple[set[str], ...] = (),
         caption_of: Any = None, recorded: list | None = None) -> dict[str, Any] | None:
    """The riskiest ``label``; among the first candidates, one whose reasons cover every
    set in ``prefer`` (a person linked to enterprises AND vehicles) comes first."""
    best = None
    for i, (key, score) in enumerate(_ranked(store, label, recorded)[:CANDIDATES if prefer
                                                                      else 1]):
        ex = explain_entity(store, label, key, caption_of=caption_of)
        kinds = {r["kind"] for r in ex["reasons"]}
        rank = (sum(bool(kinds & want) for want in prefer),
                sum(r["with_seizures"] for r in ex["reasons"]), -i)
        if best is None or rank > best[0]:
            best = (rank, key, score, ex)
    if best is None:
        return None
    _, key, score, ex = best
    return _item(store, kind, label, key, score, ex)


def compute(store: Any, caption_of: Any = None,
            recorded: dict[str, list] | None = None) -> list[dict[str, Any]]:
    """``caption_of``: how the reason sentences name their subjects (default
    ``risk.entity.explain.default_caption``: persons by key). ``recorded``: per label, the
    latest scoring run's highest scores (``recorded_top``); a label without them is ranked
    from an export of its nodes."""
    rec = recorded or {}
    found = [_shell_cluster(store, caption_of, rec.get("Enterprise")),
             _top(store, "person", "Person", ({"legal_rep", "shareholder"}, {"drove"}),
                  caption_of, rec.get("Person")),
             _top(store, "vehicle", "Vehicle", caption_of=caption_of,
                  recorded=rec.get("Vehicle"))]
    return [f for f in found if f is not None]


def recorded_top(data_dir: Any, run: str | None) -> dict[str, list]:
    """Per label, the ``run``'s highest (key, score) pairs from the score history, enough
    to find ``CANDIDATES`` canonical entities among mentions carrying the same scores."""
    if not run:
        return {}
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(data_dir)
    try:
        return {lab: h.top(run, lab, CANDIDATES * 8) for lab in ("Enterprise", "Person",
                                                               "Vehicle")}
    finally:
        h.close()


def _models(state: Any) -> list:
    """The promoted declaration and entity model versions (index reads, no model load)."""
    out = []
    for name in (None, "entity"):
        try:
            out.append(registry.list_versions(name=name,
                                              data_dir=state.settings.data_dir)["promoted"])
        except RiskError:
            out.append(None)
    return out


def scoring_key(state: Any) -> list:
    """The promoted model pair and the latest recorded scoring run (``<model>@<scored_at>``)
    of each kind: what the starting points were computed from."""
    from risk.history import ScoreHistory

    h = ScoreHistory.for_data_dir(state.settings.data_dir)
    try:
        runs = [(h.latest_run(kind) or {}).get("run_id") for kind in ("declaration", "entity")]
    finally:
        h.close()
    return _models(state) + runs


def store_path(state: Any) -> Path:
    return Path(state.settings.api_dir) / STORE_NAME


def _stored(state: Any, key: list) -> list | None:
    """The stored starting points when they were computed under ``key``, else None (none
    stored, another key, or an unreadable file: recomputed)."""
    try:
        saved = json.loads(store_path(state).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(saved, dict) or saved.get("key") != key:
        return None
    items = saved.get("items")
    return items if isinstance(items, list) else None


def warm(state: Any, store: Any, key: list | None = None) -> dict[str, Any]:
    """Compute the starting points now and store them under the current scoring key."""
    key = scoring_key(state) if key is None else key
    t0 = time.perf_counter()
    items = compute(store, masked_caption(state.masker),
                    recorded_top(state.settings.data_dir, key[-1]))
    seconds = round(time.perf_counter() - t0, 2)
    write_private(store_path(state), json.dumps(
        {"key": key, "seconds": seconds, "items": items}, ensure_ascii=False, default=str))
    with _lock:
        _cache[id(state)] = (key, items)
    return {"items": len(items), "kinds": [it["kind"] for it in items], "seconds": seconds,
            "key": key}


def is_current(state: Any) -> bool:
    """Whether stored starting points match the current scoring key."""
    return _stored(state, scoring_key(state)) is not None


def starting_points(state: Any, store: Any) -> list[dict[str, Any]]:
    """The starting points for this app's graph and its latest scoring: from memory, else
    from the stored file, else computed (once; concurrent callers wait) and stored."""
    key = scoring_key(state)
    with _lock:
        hit = _cache.get(id(state))
    if hit and hit[0] == key:
        return hit[1]
    with _computing:
        items = _stored(state, key)
        if items is None:
            warm(state, store, key)
        with _lock:
            if items is not None:
                _cache[id(state)] = (key, items)
            return _cache[id(state)][1]

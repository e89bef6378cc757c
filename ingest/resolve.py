"""Entity resolution: mentions of an enterprise (customs registrations ``CC:<code>``, free-text
consignees ``TXT:<digest>``, any non-USCC Enterprise node) are linked to the canonical node
keyed by its USCC.

Rules, in order (the first that fires decides, and is recorded):
  1. ``exact_uscc``    the mention carries a valid USCC that a canonical node has (score 1.0);
  2. ``exact_customs_code`` the mention's customs code equals a canonical node's (score 1.0);
  3. blocking: candidates share a phone, an address key, or a name-key trigram with the mention;
     each candidate gets name similarity s (normalised Levenshtein on ``company_key``: suffix
     variants, width, spaces and punctuation already removed), plus contact evidence;
     ``name+phone+address`` s >= 0.70 and both contacts agree;
     ``name+contact``       s >= 0.80 and a phone or the address agrees;
     ``name``               s >= 0.95 and no other candidate within 0.05.
     Shell companies share phones and addresses but not names, so contact alone never merges.

Provenance: an ``ALIAS_OF`` relationship mention -> canonical with ``rule`` and ``score``
(source ``resolution``); the canonical node gets ``resolved_from`` (mention keys) and
``resolution_rule`` (rule counts). ``unresolve(store)`` removes all of it (reversible).
Persons are keyed by the HMAC of their identity number, so they resolve by exact key.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from graph.base import NodeRecord, RelRecord
from ingest import validators
from ingest.normalise import address_core, company_key, strip_city

SOURCE = "resolution"


@dataclass
class Entity:
    key: str
    name_key: str = ""
    name: str = ""
    uscc: str = ""
    customs_code: str = ""
    phones: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)

    @property
    def canonical(self) -> bool:
        return validators.is_valid_uscc(self.key) and self.key == self.uscc


@dataclass
class Match:
    mention: str
    canonical: str
    rule: str
    score: float
    evidence: dict[str, Any]


def _lev(a: str, b: str, cap: int) -> int:
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i] + [0] * len(b)
        best = cur[0]
        for j, cb in enumerate(b, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            best = min(best, cur[j])
        if best > cap:
            return cap + 1
        prev = cur
    return prev[-1]


def _sim(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    n = max(len(a), len(b))
    d = _lev(a, b, cap=max(1, int(n * 0.35)))
    return max(0.0, 1.0 - d / n)


def name_similarity(a: str, b: str) -> float:
    """Normalised Levenshtein similarity of two company keys; when either starts with a city
    name, also compared without it (a name typed without its city still matches)."""
    s = _sim(a, b)
    a2, b2 = strip_city(a), strip_city(b)
    if (a2 != a or b2 != b) and s < 1.0:
        s = max(s, _sim(a2, b2) - 0.02)
    return s


def _grams(s: str, k: int = 3) -> set[str]:
    return {s[i:i + k] for i in range(max(1, len(s) - k + 1))} if s else set()


class Resolver:
    def __init__(self, canonical: Iterable[Entity], *, max_gram_df: int = 50):
        self.canon = {e.key: e for e in canonical}
        self.by_uscc = {e.uscc: e.key for e in self.canon.values() if e.uscc}
        self.by_cc = {e.customs_code: e.key for e in self.canon.values() if e.customs_code}
        self.by_phone: dict[str, list[str]] = defaultdict(list)
        self.by_addr: dict[str, list[str]] = defaultdict(list)
        self.by_gram: dict[str, list[str]] = defaultdict(list)
        for e in self.canon.values():
            for p in e.phones:
                self.by_phone[p].append(e.key)
            for a in e.addresses:
                self.by_addr[a].append(e.key)
            for g in _grams(e.name_key) | _grams(strip_city(e.name_key)):
                self.by_gram[g].append(e.key)
        self.max_gram_df = max_gram_df

    def candidates(self, m: Entity) -> set[str]:
        c: set[str] = set()
        for p in m.phones:
            c.update(self.by_phone.get(p, ()))
        for a in m.addresses:
            c.update(self.by_addr.get(a, ()))
        for g in _grams(m.name_key) | _grams(strip_city(m.name_key)):
            lst = self.by_gram.get(g, ())
            if len(lst) <= self.max_gram_df:
                c.update(lst)
        return c

    def match(self, m: Entity) -> Match | None:
        if m.uscc and m.uscc in self.by_uscc:
            return Match(m.key, self.by_uscc[m.uscc], "exact_uscc", 1.0, {"uscc": m.uscc})
        if m.customs_code and m.customs_code in self.by_cc:
            return Match(m.key, self.by_cc[m.customs_code], "exact_customs_code", 1.0,
                         {"customs_code": m.customs_code})
        scored = []
        for k in self.candidates(m):
            c = self.canon[k]
            s = name_similarity(m.name_key, c.name_key)
            phone = bool(m.phones & c.phones)
            addr = bool(m.addresses & c.addresses)
            scored.append((s + 0.1 * phone + 0.1 * addr, s, phone, addr, k))
        if not scored:
            return None
        scored.sort(reverse=True)
        total, s, phone, addr, k = scored[0]
        runner = scored[1][0] if len(scored) > 1 else 0.0
        ev = {"name_similarity": round(s, 3), "phone": phone, "address": addr,
              "candidates": len(scored), "runner_up": round(runner, 3)}
        if total - runner < 0.03 and s < 1.0:
            return None  # ambiguous: leave it for a person to decide
        if s >= 0.70 and phone and addr:
            return Match(m.key, k, "name+phone+address", round(total, 3), ev)
        if s >= 0.80 and (phone or addr):
            return Match(m.key, k, "name+contact", round(total, 3), ev)
        if s >= 0.95 and total - runner >= 0.05:
            return Match(m.key, k, "name", round(total, 3), ev)
        return None

    def resolve(self, mentions: Iterable[Entity]) -> list[Match]:
        out = []
        for m in mentions:
            r = self.match(m)
            if r is not None:
                out.append(r)
        return out


# -- building entity tables ------------------------------------------------------------------
def entities_from_records(nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]
                          ) -> dict[str, Entity]:
    """Enterprise entities (with phones and addresses) from ingest records."""
    ents: dict[str, Entity] = {}
    for n in nodes:
        if n.label != "Enterprise":
            continue
        e = ents.setdefault(n.key, Entity(n.key))
        p = n.props
        if p.get("name"):
            e.name = p["name"]
            e.name_key = p.get("name_norm") or company_key(p["name"])
        if p.get("uscc"):
            e.uscc = p["uscc"]
        if p.get("customs_code") and not n.key.startswith("CC:"):
            e.customs_code = p["customs_code"]
    for r in rels:
        if r.start_label != "Enterprise" or r.start_key not in ents:
            continue
        if r.type == "HAS_PHONE":
            ents[r.start_key].phones.add(r.end_key)
        elif r.type == "LOCATED_AT":
            ents[r.start_key].addresses.add(address_core(r.end_key))
    return ents


def entities_from_world(directory: str | Path) -> dict[str, Entity]:
    """The enterprise entities of a generated world, read through the ingest mappings."""
    from ingest.mapping import builtin_mapping
    from ingest.pipeline import RowTransformer
    from ingest.sources import open_rows

    d = Path(directory)
    nodes, rels = [], []
    for fname, mname in [("enterprises.csv", "syn_enterprises"),
                         ("customs_parties.csv", "syn_customs_parties"),
                         ("bills.csv", "syn_bills")]:
        m = builtin_mapping(mname)
        tr = RowTransformer(m, secret=b"resolution-does-not-need-person-keys")
        for _line, row in open_rows(d / fname, m.columns, fmt=m.format):
            if not isinstance(row, dict):
                continue
            out = tr(row)
            if isinstance(out, list):
                continue
            nodes.extend(out[0])
            rels.extend(out[1])
    return entities_from_records(nodes, rels)


def entities_from_store(store) -> dict[str, Entity]:
    t = store.export(labels=["Enterprise", "Phone", "Address"],
                     rel_types=["HAS_PHONE", "LOCATED_AT"])
    nodes = []
    df = t.nodes.get("Enterprise")
    if df is not None:
        for rec in df.to_dict("records"):
            props = {k: v for k, v in rec.items() if k in ("name", "name_norm", "uscc",
                                                           "customs_code") and isinstance(v, str)}
            nodes.append(NodeRecord("Enterprise", rec["key"], props))
    rels = []
    for typ in ("HAS_PHONE", "LOCATED_AT"):
        rdf = t.relationships.get(typ)
        if rdf is None:
            continue
        for rec in rdf.to_dict("records"):
            if rec.get("start_label", "Enterprise") == "Enterprise":
                rels.append(RelRecord(typ, "Enterprise", rec["start_key"],
                                      "Phone" if typ == "HAS_PHONE" else "Address",
                                      rec["end_key"]))
    return entities_from_records(nodes, rels)


def resolve(entities: dict[str, Entity]) -> list[Match]:
    """Resolve every non-canonical Enterprise entity against the canonical (USCC) ones."""
    canon = [e for e in entities.values() if e.canonical]
    mentions = [e for e in entities.values() if not e.canonical]
    return Resolver(canon).resolve(mentions)


# -- applying to the graph (and reversing) ---------------------------------------------------
def provenance_records(matches: list[Match]) -> tuple[list[RelRecord], dict[str, dict]]:
    rels = [RelRecord("ALIAS_OF", "Enterprise", m.mention, "Enterprise", m.canonical,
                      {"rule": m.rule, "score": float(m.score)}, SOURCE) for m in matches]
    by_canon: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_canon[m.canonical].append(m)
    updates = {}
    for k, ms in by_canon.items():
        rules = Counter(m.rule for m in ms)
        updates[k] = {"resolved_from": sorted(m.mention for m in ms),
                      "resolution_rule": ",".join(f"{r}:{n}" for r, n in sorted(rules.items()))}
    return rels, updates


def resolve_store(store, *, apply: bool = True) -> dict[str, Any]:
    ents = entities_from_store(store)
    matches = resolve(ents)
    rels, updates = provenance_records(matches)
    if apply and matches:
        store.upsert((), rels)
        store.set_properties("Enterprise", updates)
    n_canon = sum(e.canonical for e in ents.values())
    return {"mentions": len(ents) - n_canon, "entities": n_canon, "merges": len(matches),
            "rules": dict(Counter(m.rule for m in matches)), "applied": apply,
            "examples": [asdict(m) for m in matches[:5]]}


def unresolve(store) -> dict[str, int]:
    """Undo resolution: remove ALIAS_OF edges and the canonical provenance properties."""
    t = store.export(labels=["Enterprise"], rel_types=["ALIAS_OF"])
    df = t.nodes.get("Enterprise")
    keys = []
    if df is not None and "resolved_from" in df.columns:
        keys = [r["key"] for r in df.to_dict("records")
                if isinstance(r.get("resolved_from"), (list, tuple)) and r["resolved_from"]]
    if keys:
        store.set_properties("Enterprise", {k: {"resolved_from": [], "resolution_rule": ""}
                                            for k in keys})
    out = store.delete_by_source(SOURCE)
    return {"canonical_reset": len(keys), **out}


# -- evaluation against a world's ground truth ----------------------------------------------
def evaluate(matches: list[Match], truth: dict[str, str]) -> dict[str, Any]:
    """Precision/recall of mention -> entity assignments against ``truth`` (mention -> key)."""
    pred = {m.mention: m for m in matches}
    tp = sum(1 for k, m in pred.items() if truth.get(k) == m.canonical)
    fp = len(pred) - tp
    n_true = sum(1 for k in truth)
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0})
    for k, m in pred.items():
        per_rule[m.rule]["tp" if truth.get(k) == m.canonical else "fp"] += 1
    return {"mentions": n_true, "predicted": len(pred), "true_positives": tp,
            "false_positives": fp, "precision": round(tp / len(pred), 4) if pred else 0.0,
            "recall": round(tp / n_true, 4) if n_true else 0.0, "per_rule": dict(per_rule)}

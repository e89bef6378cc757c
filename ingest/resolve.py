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

Persons (``PersonResolver``): canonical = ``Person{key: "H:" + HMAC(id number)}``; a
mention = ``Person{key: "PM:..."}``, a person as another system recorded them (driver on a road
manifest, legal representative on a customs registration: name, phone, maybe an id).
  1. ``exact_id``  the record carried an id that passes GB 11643: the mapping itself links the
     mention to ``H:<HMAC(id)>`` (``ALIAS_OF {rule: exact_id}`` from the source file, score 1.0).
     An id failing the check character is a mistyped id, not another person's: it is dropped
     as a key (check ``cn_id_claimed``) and the mention goes on to 2.
  2. blocking: candidates share the normalised name (width, spaces removed), a phone (HMAC of
     E.164), or a context - a vehicle the person drove (``V:<plate>``), an enterprise they
     represent (``E:<USCC>``, customs registrations mapped through the enterprise matches).
     Name similarity s = normalised Levenshtein on the name key; evidence = s + 0.5 phone +
     0.5 context. A candidate is *eligible* under
     ``name+phone+context`` s = 1, phone and context agree;
     ``name+phone``         s = 1 and the phone agrees;
     ``name+context``       s = 1 and the context agrees;
     ``phone+context``      s >= 0.5 (a typo, traditional characters) and both agree.
     A name alone never merges (Chinese names repeat: ~1 in 30 people in a port's records
     shares a name with another one). Two eligible candidates less than one piece of evidence
     (0.5) apart: ambiguous, left unmerged for a person to decide (``PersonResolver.explain``).

Provenance: an ``ALIAS_OF`` relationship mention -> canonical with ``rule`` and ``score``
(source ``resolution``); the canonical node gets ``resolution_rule`` (rule counts) and, for
enterprises, ``resolved_from`` (mention keys; persons keep theirs on the ALIAS_OF edges only,
which the sandbox export re-keys, so person keys never leave the graph un-keyed).
``unresolve(store)`` removes all of it (reversible); the exact_id links, stated by the source
records themselves, stay.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from graph.base import NodeRecord, RelRecord
from ingest import validators
from ingest.normalise import address_core, company_key, normalise_text, strip_city

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


# -- persons ---------------------------------------------------------------------------------
_NAME_DROP = re.compile(r"[\s·•.\-_'\u3000]+")


def person_name_key(name: str | None) -> str:
    """Half-width, NFC, no spaces or name dots ('张 伟 ' -> '张伟'; 'Ａｌｉ' -> 'ali')."""
    return _NAME_DROP.sub("", normalise_text(name)).lower() if name else ""


@dataclass
class PersonEntity:
    key: str
    name: str = ""
    name_key: str = ""
    phones: set[str] = field(default_factory=set)  # Phone keys (HMAC of E.164)
    context: set[str] = field(default_factory=set)  # "V:<plate>", "E:<enterprise key>"
    exact: str = ""  # the H: key a valid id in the record itself links to
    other_names: set[str] = field(default_factory=set)  # name keys of exact-id mentions

    @property
    def canonical(self) -> bool:
        return self.key.startswith("H:")

    def name_keys(self) -> set[str]:
        return ({self.name_key} if self.name_key else set()) | self.other_names


PERSON_RULES = ("name+phone+context", "name+phone", "name+context", "phone+context")


class PersonResolver:
    """Person mentions -> canonical persons (see the module docstring for the rules)."""

    def __init__(self, canonical: Iterable[PersonEntity], *, max_block: int = 200):
        self.canon = {e.key: e for e in canonical}
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.by_phone: dict[str, list[str]] = defaultdict(list)
        self.by_ctx: dict[str, list[str]] = defaultdict(list)
        for e in self.canon.values():
            for nk in e.name_keys():
                self.by_name[nk].append(e.key)
            for p in e.phones:
                self.by_phone[p].append(e.key)
            for c in e.context:
                self.by_ctx[c].append(e.key)
        self.max_block = max_block

    def candidates(self, m: PersonEntity) -> set[str]:
        c: set[str] = set(self.by_name.get(m.name_key, ()))
        for p in m.phones:
            c.update(self.by_phone.get(p, ()))
        for x in m.context:
            lst = self.by_ctx.get(x, ())
            if len(lst) <= self.max_block:
                c.update(lst)
        return c

    def explain(self, m: PersonEntity) -> dict[str, Any]:
        """Every candidate with its evidence and the decision: what a reviewer sees."""
        if m.exact:
            return {"decision": "exact_id", "canonical": m.exact, "candidates": []}
        rows = []
        for k in self.candidates(m):
            c = self.canon[k]
            s = max((_sim(m.name_key, nk) for nk in c.name_keys()), default=0.0)
            phone, ctx = bool(m.phones & c.phones), bool(m.context & c.context)
            rule = None
            if s == 1.0 and phone and ctx:
                rule = "name+phone+context"
            elif s == 1.0 and phone:
                rule = "name+phone"
            elif s == 1.0 and ctx:
                rule = "name+context"
            elif s >= 0.5 and phone and ctx:
                rule = "phone+context"
            rows.append({"canonical": k, "name_similarity": round(s, 3), "phone": phone,
                         "context": ctx, "score": round(s + 0.5 * phone + 0.5 * ctx, 3),
                         "rule": rule})
        rows.sort(key=lambda r: (-r["score"], r["canonical"]))
        eligible = [r for r in rows if r["rule"]]
        if not rows:
            decision = "no_candidate"
        elif not eligible:
            decision = "weak_evidence"
        elif len(eligible) > 1 and eligible[0]["score"] - eligible[1]["score"] < 0.5:
            decision = "ambiguous"
        else:
            decision = eligible[0]["rule"]
        return {"decision": decision, "canonical": eligible[0]["canonical"] if decision in
                PERSON_RULES else None, "candidates": rows}

    def match(self, m: PersonEntity) -> Match | None:
        if m.exact:
            return Match(m.key, m.exact, "exact_id", 1.0, {"id": "valid (GB 11643), HMAC equal"})
        ex = self.explain(m)
        if ex["decision"] not in PERSON_RULES:
            return None
        best = next(c for c in ex["candidates"] if c["canonical"] == ex["canonical"])
        runner = max((c["score"] for c in ex["candidates"] if c is not best), default=0.0)
        return Match(m.key, best["canonical"], best["rule"], best["score"],
                     {"name_similarity": best["name_similarity"], "phone": best["phone"],
                      "context": best["context"], "candidates": len(ex["candidates"]),
                      "runner_up": runner})

    def resolve(self, mentions: Iterable[PersonEntity]) -> list[Match]:
        return [r for r in map(self.match, mentions) if r is not None]

    def review(self, mentions: Iterable[PersonEntity]) -> Counter:
        """How many mentions each decision got (ambiguous ones wait for a person)."""
        return Counter(self.explain(m)["decision"] for m in mentions)


def persons_from_records(nodes: Iterable[NodeRecord], rels: Iterable[RelRecord]
                         ) -> dict[str, PersonEntity]:
    """Person entities (phones, vehicles driven, enterprises represented, exact-id links)."""
    ps: dict[str, PersonEntity] = {}
    for n in nodes:
        if n.label != "Person":
            continue
        e = ps.setdefault(n.key, PersonEntity(n.key))
        nm = n.props.get("name")
        if nm and not e.name:
            e.name, e.name_key = nm, person_name_key(nm)
    for r in rels:
        if r.start_label != "Person" or r.start_key not in ps:
            continue
        e = ps[r.start_key]
        if r.type == "HAS_PHONE":
            e.phones.add(r.end_key)
        elif r.type == "DROVE":
            e.context.add("V:" + r.end_key)
        elif r.type in ("LEGAL_REP_OF", "SHAREHOLDER_OF"):
            e.context.add("E:" + r.end_key)
        elif r.type == "ALIAS_OF" and (r.props or {}).get("rule") == "exact_id":
            e.exact = r.end_key
    return ps


def resolve_persons(persons: dict[str, PersonEntity],
                    enterprise_matches: Iterable[Match] = ()) -> list[Match]:
    """Resolve every person mention; an enterprise context that is itself a mention (a
    customs registration ``CC:``) is first mapped to the enterprise it was resolved to.
    The mentions a valid id already links (exact_id) lend their evidence - name as written
    there, phones, contexts - to their canonical person: they are the same person for sure."""
    canon, mentions = person_tables(persons, enterprise_matches)
    return PersonResolver(canon.values()).resolve(mentions)


def person_tables(persons: dict[str, PersonEntity], enterprise_matches: Iterable[Match] = ()
                  ) -> tuple[dict[str, PersonEntity], list[PersonEntity]]:
    """(canonical persons with the evidence of their exact-id mentions, mentions with
    enterprise contexts mapped to canonical enterprises); the inputs are not changed."""
    emap = {m.mention: m.canonical for m in enterprise_matches}
    canon = {e.key: PersonEntity(e.key, e.name, e.name_key, set(e.phones), set(e.context))
             for e in persons.values() if e.canonical}
    mentions = []
    for e in persons.values():
        if e.canonical:
            continue
        ctx = {("E:" + emap[c[2:]]) if c.startswith("E:") and c[2:] in emap else c
               for c in e.context}
        m = PersonEntity(e.key, e.name, e.name_key, set(e.phones), ctx, e.exact)
        mentions.append(m)
        c = canon.get(e.exact)
        if c is not None:
            if m.name_key and m.name_key != c.name_key:
                c.other_names.add(m.name_key)
            c.phones |= m.phones
            c.context |= m.context
    return canon, mentions


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


# world file -> mapping; which files each entity table needs
_ENTERPRISE_FILES = [("enterprises.csv", "syn_enterprises"),
                     ("customs_parties.csv", "syn_customs_parties"), ("bills.csv", "syn_bills")]
_PERSON_FILES = [("enterprises.csv", "syn_enterprises"), ("persons.csv", "syn_persons"),
                 ("shareholders.csv", "syn_shareholders"), ("declarations.csv", "syn_declarations"),
                 ("customs_reps.csv", "syn_customs_reps"),
                 ("road_manifests.csv", "syn_road_manifests")]


def world_records(directory: str | Path, files: Iterable[tuple[str, str]], secret: bytes
                  ) -> tuple[list[NodeRecord], list[RelRecord]]:
    """The node/relationship records of some files of a generated world, read through the
    ingest mappings exactly as a load would (rows that would be quarantined are left out)."""
    from ingest.mapping import builtin_mapping
    from ingest.pipeline import RowTransformer
    from ingest.sources import open_rows

    d = Path(directory)
    nodes, rels = [], []
    for fname, mname in files:
        if not (d / fname).exists():
            continue
        m = builtin_mapping(mname)
        tr = RowTransformer(m, secret=secret)
        for _line, row in open_rows(d / fname, m.columns, fmt=m.format):
            if not isinstance(row, dict):
                continue
            out = tr(row)
            if isinstance(out, list):
                continue
            nodes.extend(out[0])
            rels.extend(out[1])
    return nodes, rels


def entities_from_world(directory: str | Path) -> dict[str, Entity]:
    """The enterprise entities of a generated world, read through the ingest mappings."""
    return entities_from_records(*world_records(directory, _ENTERPRISE_FILES,
                                                b"resolution-does-not-need-person-keys"))


def persons_from_world(directory: str | Path, secret: bytes) -> dict[str, PersonEntity]:
    """The person entities of a generated world (``secret``: the HMAC key it was generated
    with, so that keys match its ground truth)."""
    return persons_from_records(*world_records(directory, _PERSON_FILES, secret))


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


def persons_from_store(store) -> dict[str, PersonEntity]:
    rel_types = ["HAS_PHONE", "DROVE", "LEGAL_REP_OF", "SHAREHOLDER_OF", "ALIAS_OF"]
    t = store.export(labels=["Person"], rel_types=rel_types)
    nodes = []
    df = t.nodes.get("Person")
    if df is not None:
        for rec in df.to_dict("records"):
            nm = rec.get("name")
            nodes.append(NodeRecord("Person", rec["key"],
                                    {"name": nm} if isinstance(nm, str) else {}))
    rels = []
    for typ in rel_types:
        rdf = t.relationships.get(typ)
        if rdf is None:
            continue
        for rec in rdf.to_dict("records"):
            if rec.get("start_label", "Person") != "Person":
                continue
            rule = rec.get("rule")
            rels.append(RelRecord(typ, "Person", rec["start_key"],
                                  rec.get("end_label") or "Enterprise", rec["end_key"],
                                  {"rule": rule} if isinstance(rule, str) else {}))
    return persons_from_records(nodes, rels)


def resolve(entities: dict[str, Entity]) -> list[Match]:
    """Resolve every non-canonical Enterprise entity against the canonical (USCC) ones."""
    canon = [e for e in entities.values() if e.canonical]
    mentions = [e for e in entities.values() if not e.canonical]
    return Resolver(canon).resolve(mentions)


# -- applying to the graph (and reversing) ---------------------------------------------------
def provenance_records(matches: list[Match], label: str = "Enterprise"
                       ) -> tuple[list[RelRecord], dict[str, dict]]:
    """ALIAS_OF records (exact_id links excepted: the source record already states them) and
    the canonical nodes' property updates."""
    rels = [RelRecord("ALIAS_OF", label, m.mention, label, m.canonical,
                      {"rule": m.rule, "score": float(m.score)}, SOURCE)
            for m in matches if m.rule != "exact_id"]
    by_canon: dict[str, list[Match]] = defaultdict(list)
    for m in matches:
        by_canon[m.canonical].append(m)
    updates = {}
    for k, ms in by_canon.items():
        rules = Counter(m.rule for m in ms)
        updates[k] = {"resolution_rule": ",".join(f"{r}:{n}" for r, n in sorted(rules.items()))}
        if label == "Enterprise":
            updates[k]["resolved_from"] = sorted(m.mention for m in ms)
    return rels, updates


def resolve_store(store, *, apply: bool = True) -> dict[str, Any]:
    ents = entities_from_store(store)
    matches = resolve(ents)
    rels, updates = provenance_records(matches)
    persons = persons_from_store(store)
    pmatches = resolve_persons(persons, matches)
    prels, pupdates = provenance_records(pmatches, "Person")
    if apply and (rels or prels):
        store.upsert((), rels + prels)
    if apply and updates:
        store.set_properties("Enterprise", updates)
    if apply and pupdates:
        store.set_properties("Person", pupdates)
    n_canon = sum(e.canonical for e in ents.values())
    p_canon = sum(e.canonical for e in persons.values())
    return {"mentions": len(ents) - n_canon, "entities": n_canon, "merges": len(rels) + len(prels),
            "rules": dict(Counter(m.rule for m in matches)), "applied": apply,
            "examples": [asdict(m) for m in matches[:5]],
            "persons": {"mentions": len(persons) - p_canon, "entities": p_canon,
                        "merges": len(prels), "exact_id": len(pmatches) - len(prels),
                        "rules": dict(Counter(m.rule for m in pmatches)),
                        "examples": [asdict(m) for m in pmatches if m.rule != "exact_id"][:5]}}


def unresolve(store) -> dict[str, int]:
    """Undo resolution: remove the ALIAS_OF edges it wrote and the canonical provenance
    properties (exact_id links stated by source records stay)."""
    t = store.export(labels=["Enterprise", "Person"], rel_types=["ALIAS_OF"])
    df = t.nodes.get("Enterprise")
    keys = []
    if df is not None and "resolved_from" in df.columns:
        keys = [r["key"] for r in df.to_dict("records")
                if isinstance(r.get("resolved_from"), (list, tuple)) and r["resolved_from"]]
    if keys:
        store.set_properties("Enterprise", {k: {"resolved_from": [], "resolution_rule": ""}
                                            for k in keys})
    pdf = t.nodes.get("Person")
    pkeys = []
    if pdf is not None and "resolution_rule" in pdf.columns:
        pkeys = [r["key"] for r in pdf.to_dict("records")
                 if isinstance(r.get("resolution_rule"), str) and r["resolution_rule"]]
    if pkeys:
        store.set_properties("Person", {k: {"resolution_rule": ""} for k in pkeys})
    out = store.delete_by_source(SOURCE)
    return {"canonical_reset": len(keys) + len(pkeys), **out}


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

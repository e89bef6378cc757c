"""Person resolution. Canonical = ``Person{key: "H:" + HMAC(id number)}``; a mention =
``Person{key: "PM:..."}``, a person as another system recorded them (driver on a road
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
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from ingest.normalise import normalise_text
from ingest.resolve.match import Match
from ingest.resolve.similarity import edit_similarity

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
            s = max((edit_similarity(m.name_key, nk) for nk in c.name_keys()), default=0.0)
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

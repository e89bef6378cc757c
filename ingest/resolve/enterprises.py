"""Enterprise resolution: mentions of an enterprise (customs registrations ``CC:<code>``,
free-text consignees ``TXT:<digest>``, any non-USCC Enterprise node) are linked to the
canonical node keyed by its USCC.

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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from ingest import validators
from ingest.normalise import strip_city
from ingest.resolve.match import Match
from ingest.resolve.similarity import name_grams, name_similarity


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
            for g in name_grams(e.name_key) | name_grams(strip_city(e.name_key)):
                self.by_gram[g].append(e.key)
        self.max_gram_df = max_gram_df

    def candidates(self, m: Entity) -> set[str]:
        c: set[str] = set()
        for p in m.phones:
            c.update(self.by_phone.get(p, ()))
        for a in m.addresses:
            c.update(self.by_addr.get(a, ()))
        for g in name_grams(m.name_key) | name_grams(strip_city(m.name_key)):
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


def resolve(entities: dict[str, Entity]) -> list[Match]:
    """Resolve every non-canonical Enterprise entity against the canonical (USCC) ones."""
    canon = [e for e in entities.values() if e.canonical]
    mentions = [e for e in entities.values() if not e.canonical]
    return Resolver(canon).resolve(mentions)

"""The rule engine: events in, candidate warnings out (no storage, no publishing).

Every event is counted as evaluated exactly once, whatever the rules make of it; a rule
that fails on one subject is logged and counted in ``errors`` without stopping the rest.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Sequence

from graph.base import GraphStore
from risk.warnings.events import Event
from risk.warnings.graphview import GraphView
from risk.warnings.model import LEVEL_RANK, EvalContext, Finding, Rule, State, render
from risk.warnings.rules import DETECTORS

log = logging.getLogger(__name__)


@dataclass
class Candidate:
    """A warning the engine wants raised; the lifecycle store decides new / merged /
    suppressed by ``dedup_key``."""

    rule: str
    level: str
    dedup_key: str
    subject: tuple[str, str]
    message_zh: str
    message_en: str
    evidence: dict[str, Any]
    context: dict[str, Any]
    suppress_for_s: float
    port: str | None = None
    location: str | None = None


@dataclass
class Evaluation:
    evaluated: int = 0
    candidates: list[Candidate] = field(default_factory=list)
    errors: int = 0
    queries: int = 0


def dedup_key(rule_id: str, parts: Sequence[Any]) -> str:
    text = "\x1f".join([rule_id, *(str(p) for p in parts)])
    return f"{rule_id}:{hashlib.sha256(text.encode()).hexdigest()[:24]}"


class RuleEngine:
    def __init__(self, rules: Iterable[Rule]):
        self.rules = [r for r in rules if r.enabled]

    def _candidate(self, rule: Rule, f: Finding) -> Candidate:
        level = f.level or rule.level
        if LEVEL_RANK[level] < LEVEL_RANK[rule.level]:
            level = rule.level  # a detector may raise the level, never lower it
        ctx = {k: v for k, v in f.context.items()}
        return Candidate(rule.id, level, dedup_key(rule.id, f.dedup), tuple(f.subject),
                         render(rule.message_zh, ctx), render(rule.message_en, ctx),
                         f.evidence.to_json(), ctx, rule.suppress_for_s, f.port, f.location)

    def evaluate(self, store: GraphStore, events: Sequence[Event], state: State) -> Evaluation:
        out = Evaluation()
        view = GraphView(store)
        cx = EvalContext(view, state)
        batched: dict[str, dict[Hashable, Any]] = {r.id: {} for r in self.rules}
        for ev in events:
            out.evaluated += 1
            for rule in self.rules:
                det = DETECTORS[rule.kind]
                for subject, payload in det.subjects(ev, rule.params):
                    if det.stateful:
                        self._run(rule, subject, payload, cx, out)
                    else:
                        batched[rule.id][subject] = payload
        for rule in self.rules:
            for subject, payload in batched[rule.id].items():
                self._run(rule, subject, payload, cx, out)
        out.queries = view.queries
        return out

    def _run(self, rule: Rule, subject: Hashable, payload: Any, cx: EvalContext,
             out: Evaluation) -> None:
        try:
            findings = DETECTORS[rule.kind].evaluate(subject, payload, rule.params, cx)
        except Exception:  # noqa: BLE001 - one bad subject must not lose the batch
            out.errors += 1
            log.exception("warning rule %s failed on %r", rule.id, subject)
            return
        out.candidates.extend(self._candidate(rule, f) for f in findings)

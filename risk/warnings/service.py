"""``WarningService``: rules + lifecycle store + subscriptions + webhook, wired together.

``process`` evaluates a batch synchronously (ingest and scoring call it through
``on_ingest`` / ``on_scored``); ``submit`` queues events for a background worker (bounded
queue, a full queue blocks the producer: nothing is dropped) and ``drain`` waits for it.
Evaluation is serialised by one lock, so rules that compare with the last observed value
(credit level, risk level) see events in order.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterable

from graph.base import GraphStore
from graph.clock import now_iso
from risk.warnings.config import WarningsSettings
from risk.warnings.engine import Candidate, RuleEngine, dedup_key
from risk.warnings.events import Event, from_records, from_score_changes
from risk.warnings.feedback import labels_from
from risk.warnings.lifecycle import LifecycleStore
from risk.warnings.model import LEVEL_RANK, Rule, check_level
from risk.warnings.observed import ObservedState, ObservedStore
from risk.warnings.pubsub import Broker
from risk.warnings.rules import load_rules
from risk.warnings.webhook import WebhookNotifier

log = logging.getLogger(__name__)


@dataclass
class RunResult:
    evaluated: int = 0  # events examined
    raised: int = 0  # new warning events
    merged: int = 0  # same situation as an event still open
    suppressed: int = 0  # same situation as an event closed within its suppression window
    errors: int = 0  # rule evaluations that failed (logged)
    warnings: list[dict[str, Any]] = field(default_factory=list)  # the raised events

    def add(self, other: "RunResult") -> None:
        for f in ("evaluated", "raised", "merged", "suppressed", "errors"):
            setattr(self, f, getattr(self, f) + getattr(other, f))
        self.warnings += other.warnings

    def to_json(self, *, with_warnings: bool = False) -> dict[str, Any]:
        d = {"evaluated": self.evaluated, "raised": self.raised, "merged": self.merged,
             "suppressed": self.suppressed, "errors": self.errors}
        if with_warnings:
            d["warnings"] = self.warnings
        return d


class WarningService:
    def __init__(self, *, settings: WarningsSettings | None = None,
                 rules: Iterable[Rule] | None = None, lifecycle: LifecycleStore | None = None,
                 broker: Broker | None = None, webhook: WebhookNotifier | None = None,
                 clock=time.time):
        self.settings = s = settings or WarningsSettings()
        self.rules = list(rules) if rules is not None else load_rules(s.rules_path)
        self.engine = RuleEngine(self.rules)
        self.lifecycle = (lifecycle or LifecycleStore(s.db_path, clock=clock)).open()
        self.observed = ObservedStore(self.lifecycle)
        self.broker = broker or Broker(maxsize=s.subscriber_queue)
        if webhook is None and s.webhook_url:
            webhook = WebhookNotifier(s.webhook_url, s.webhook_key(), retries=s.webhook_retries,
                                      backoff_s=s.webhook_backoff_s,
                                      timeout_s=s.webhook_timeout_s)
        self.webhook = webhook
        self.webhook_min_rank = LEVEL_RANK[check_level(s.webhook_min_level)]
        self._eval_lock = threading.Lock()
        self._q: queue.Queue = queue.Queue(maxsize=s.queue_size)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self.submitted = 0
        self.totals = RunResult()

    # -- synchronous -----------------------------------------------------------------
    def process(self, store: GraphStore, records: Iterable[Any]) -> RunResult:
        """Evaluate events (or NodeRecord/RelRecord/dicts) now; raise, merge or suppress."""
        events = from_records(records)
        with self._eval_lock:
            state = ObservedState(self.observed)
            ev = self.engine.evaluate(store, events, state)
            state.flush()
            res = self._record(ev.candidates)
            res.evaluated, res.errors = ev.evaluated, ev.errors
            self.totals.add(RunResult(res.evaluated, res.raised, res.merged, res.suppressed,
                                      res.errors))
        return res

    def on_ingest(self, store: GraphStore, records: Iterable[Any]) -> RunResult:
        return self.process(store, records)

    def on_scored(self, store: GraphStore, changes: Any) -> RunResult:
        return self.process(store, from_score_changes(changes))

    def on_baseline(self, store: GraphStore, firsts: Any) -> RunResult:
        """First-run triage: the 高 entities a scoring run found without a baseline
        (``{label: {key: props}}``, ``batch_score_entities(on_baseline=...)``) open at most
        ``triage_max_cases`` cases with graph evidence (``risk.warnings.triage``)."""
        from risk.warnings.triage import TriageSettings, triage

        ts = TriageSettings(max_cases=self.settings.triage_max_cases,
                            examine=self.settings.triage_examine)
        with self._eval_lock:  # best lead last: the queue lists the newest case first
            res = self._record(list(reversed(triage(store, firsts, ts))))
        res.evaluated = sum(len(v) for v in firsts.values())
        self.totals.add(RunResult(res.evaluated, res.raised, res.merged, res.suppressed, 0))
        return res

    def feedback_labels(self, since: str | None = None) -> list[dict[str, Any]]:
        """[{label, key, label_value (1 confirmed / 0 false alarm), source, outcome, feedback,
        closed_at}] for warnings closed (since the ISO time ``since``) with an outcome."""
        return labels_from(self.lifecycle, since)

    def scan(self, store: GraphStore, *, limit: int = 1000) -> RunResult:
        """Re-examine the graph as it is: ticks for ports (backlog, dwell) and enterprises
        (volume), node events for enterprises (credit) and declarations (watch list,
        inconsistent goods). Already-raised situations merge, so a re-run raises nothing."""
        at = now_iso()
        events: list[Event] = []
        for label in ("Port", "Enterprise", "Declaration"):
            for n in store.search("", labels=[label], limit=limit):
                if label in ("Port", "Enterprise"):
                    events.append(Event("tick", label, n.key, at=at, source="scan"))
                if label != "Port":
                    events.append(Event("node", label, n.key, dict(n.props), source="scan"))
        return self.process(store, events)

    def _record(self, candidates: list[Candidate]) -> RunResult:
        res = RunResult()
        for outcome, ev in self.lifecycle.record(candidates):
            if outcome == "raised":
                res.raised += 1
                res.warnings.append(ev)
                self._publish(ev)
            elif outcome == "merged":
                res.merged += 1
            else:
                res.suppressed += 1
        return res

    def _publish(self, ev: dict[str, Any]) -> None:
        self.broker.publish(ev)
        if self.webhook is not None and LEVEL_RANK[ev["level"]] >= self.webhook_min_rank:
            self.webhook.send(ev)

    def raise_warning(self, *, level: str, message_zh: str, message_en: str,
                      subject: tuple[str, str], rule: str = "manual", port: str | None = None,
                      location: str | None = None, evidence: dict[str, Any] | None = None,
                      actor: str = "unknown", suppress_for_s: float = 3600.0) -> dict[str, Any]:
        """A warning raised by hand (a duty officer's report); de-duplicated like the rest."""
        c = Candidate(rule, check_level(level), dedup_key(rule, (*subject, message_zh)),
                      tuple(subject), message_zh, message_en,
                      evidence or {"nodes": [{"label": subject[0], "key": subject[1]}],
                                   "relationships": []},
                      {"raised_by": actor}, suppress_for_s, port, location)
        outcome, ev = self.lifecycle.record([c])[0]
        if outcome == "raised":
            self._publish(ev)
        return {**ev, "result": outcome}

    # -- asynchronous ----------------------------------------------------------------
    def submit(self, store: GraphStore, records: Iterable[Any]) -> int:
        """Queue events for the background worker; blocks while the queue is full."""
        self._ensure_worker()
        n = 0
        for ev in from_records(records):
            self._q.put((store, ev))
            n += 1
        self.submitted += n
        return n

    def drain(self, timeout: float = 60.0) -> bool:
        end = time.monotonic() + timeout
        while self._q.unfinished_tasks and time.monotonic() < end:
            time.sleep(0.005)
        return self._q.unfinished_tasks == 0

    def _ensure_worker(self) -> None:
        if self._worker is None or not self._worker.is_alive():
            self._stop.clear()
            self._worker = threading.Thread(target=self._work, name="warnings-worker",
                                            daemon=True)
            self._worker.start()

    def _work(self) -> None:
        size = max(1, int(self.settings.batch_size))
        while not self._stop.is_set():
            try:
                first = self._q.get(timeout=0.2)
            except queue.Empty:
                continue
            batch = [first]
            while len(batch) < size:
                try:
                    batch.append(self._q.get_nowait())
                except queue.Empty:
                    break
            try:
                by_store: dict[int, tuple[GraphStore, list[Event]]] = {}
                for store, ev in batch:
                    by_store.setdefault(id(store), (store, []))[1].append(ev)
                for store, evs in by_store.values():
                    self.process(store, evs)
            except Exception:  # noqa: BLE001 - counted in errors, the worker lives on
                log.exception("warnings worker: a batch of %d events failed", len(batch))
                self.totals.errors += 1
            finally:
                for _ in batch:
                    self._q.task_done()

    def stats(self) -> dict[str, Any]:
        return {**self.totals.to_json(), "submitted": self.submitted,
                "queued": self._q.unfinished_tasks, "subscribers": self.broker.subscribers,
                "published": self.broker.published, "by_status": self.lifecycle.counts(),
                "webhook": None if self.webhook is None else {
                    "delivered": self.webhook.stats.delivered,
                    "failed": self.webhook.stats.failed}}

    def close(self) -> None:
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout=5)
        self.lifecycle.close()

"""Warning cases (预警案件): related warnings grouped into one case a duty officer works.

Warnings join one case when they share
1. the rule and the subject (the same situation seen again in another shape), or
2. an entity in their evidence (a cluster of linked entities) within ``window_days`` —
   hub nodes every warning touches (ports, countries, HS codes) do not link, or
3. for a *batch rule* (``score_crossing``: one scoring run lifts many entities at once), the
   same rule, level, port and model version — one run is one case, worked as one.

Cases are computed from the lifecycle table on each read (no second store to keep in step):
a case's id is ``case-<lowest warning id>``, its status is the least advanced of its
warnings, its level the most severe. Bulk actions walk each warning through the lifecycle
one legal step at a time and return one result per warning (the route audits each).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence

from risk.warnings.exceptions import IllegalTransition, WarningNotFound
from risk.warnings.lifecycle import OUTCOMES, STATUSES, LifecycleStore
from risk.warnings.model import LEVEL_RANK

HUB_LABELS = frozenset({"Port", "Country", "Goods", "Concept", "Article"})
STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
PATH = {"open": ["acknowledged", "in_progress", "closed"],
        "acknowledged": ["in_progress", "closed"], "in_progress": ["closed"], "closed": []}
MAX_WARNINGS = 20_000  # warnings examined per read


@dataclass(frozen=True)
class CaseSettings:
    window_days: float = 7.0
    hub_labels: frozenset[str] = HUB_LABELS
    batch_rules: frozenset[str] = frozenset({"score_crossing"})


def _ts(iso: str | None) -> float:
    if not iso:
        return 0.0
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0


class _UF:
    def __init__(self, n: int):
        self.p = list(range(n))

    def find(self, i: int) -> int:
        while self.p[i] != i:
            self.p[i] = self.p[self.p[i]]
            i = self.p[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.p[max(ra, rb)] = min(ra, rb)


def group(warnings: Sequence[dict[str, Any]], settings: CaseSettings = CaseSettings()
          ) -> list[list[dict[str, Any]]]:
    """Partition warnings into cases (lists of warnings, oldest first); newest case first."""
    ws = sorted(warnings, key=lambda w: w["id"])
    uf = _UF(len(ws))
    first: dict[tuple, int] = {}
    by_node: dict[tuple[str, str], list[int]] = {}
    window = settings.window_days * 86_400
    for i, w in enumerate(ws):
        subj = w.get("subject") or {}
        keys = [("subject", w["rule"], subj.get("label"), subj.get("key"))]
        if w["rule"] in settings.batch_rules:
            keys.append(("batch", w["rule"], w["level"], w.get("port"),
                         (w.get("context") or {}).get("model_version")))
        for k in keys:
            if k in first:
                uf.union(first[k], i)
            else:
                first[k] = i
        nodes = {(n.get("label"), str(n.get("key"))) for n in (w.get("evidence") or {})
                 .get("nodes", []) if n.get("label") not in settings.hub_labels}
        if subj.get("label") and subj.get("label") not in settings.hub_labels:
            nodes.add((subj["label"], str(subj.get("key"))))
        for n in nodes:
            by_node.setdefault(n, []).append(i)
    for idx in by_node.values():
        idx.sort(key=lambda i: _ts(ws[i]["created_at"]))
        for a, b in zip(idx, idx[1:]):
            if _ts(ws[b]["created_at"]) - _ts(ws[a]["created_at"]) <= window:
                uf.union(a, b)
    groups: dict[int, list[dict[str, Any]]] = {}
    for i, w in enumerate(ws):
        groups.setdefault(uf.find(i), []).append(w)
    return sorted(groups.values(), key=lambda g: max(w["id"] for w in g), reverse=True)


def summarise(ws: list[dict[str, Any]]) -> dict[str, Any]:
    """A case as the queue shows it."""
    lead = max(ws, key=lambda w: (LEVEL_RANK[w["level"]], w["id"]))
    subjects: dict[tuple, dict[str, Any]] = {}
    for w in ws:
        s = w.get("subject") or {}
        subjects.setdefault((s.get("label"), s.get("key")), {"label": s.get("label"),
                                                             "key": s.get("key")})
    by_status: dict[str, int] = {}
    for w in ws:
        by_status[w["status"]] = by_status.get(w["status"], 0) + 1
    open_ws = [w for w in ws if w["status"] != "closed"]
    return {
        "id": f"case-{min(w['id'] for w in ws)}",
        "level": lead["level"],
        "status": min((w["status"] for w in ws), key=STATUS_RANK.__getitem__),
        "rules": sorted({w["rule"] for w in ws}),
        "ports": sorted({w["port"] for w in ws if w.get("port")}),
        "assignees": sorted({w["assignee"] for w in ws if w.get("assignee")}),
        "count": len(ws), "open_count": len(open_ws),
        "occurrences": sum(int(w.get("occurrences") or 1) for w in ws),
        "by_status": by_status,
        "subjects": list(subjects.values())[:50], "n_subjects": len(subjects),
        "title_zh": lead["message_zh"], "title_en": lead["message_en"],
        "first_at": min(w["created_at"] for w in ws),
        "last_at": max(w["last_seen_at"] or w["created_at"] for w in ws),
        "warning_ids": [w["id"] for w in ws],
    }


def _match(c: dict[str, Any], f: dict[str, Any]) -> bool:
    def vals(k):
        return [v for v in str(f.get(k) or "").split(",") if v]
    checks = ((vals("status"), [c["status"]]), (vals("level"), [c["level"]]),
              (vals("rule"), c["rules"]), (vals("port"), c["ports"]),
              (vals("assignee"), c["assignees"]))
    return all(not want or set(want) & set(have) for want, have in checks)


def list_cases(lifecycle: LifecycleStore, *, settings: CaseSettings = CaseSettings(),
               include_closed: bool = False, **filters: Any) -> list[dict[str, Any]]:
    """Cases (summaries), newest first. Filters (comma-separated): status, level, rule, port,
    assignee. Closed warnings take part only with ``include_closed`` or a status filter
    naming ``closed``."""
    with_closed = include_closed or "closed" in str(filters.get("status") or "")
    status = None if with_closed else "open,acknowledged,in_progress"
    ws = lifecycle.list(limit=MAX_WARNINGS, status=status)
    return [c for c in (summarise(g) for g in group(ws, settings)) if _match(c, filters)]


def get_case(lifecycle: LifecycleStore, case_id: str, *,
             settings: CaseSettings = CaseSettings()) -> dict[str, Any]:
    """One case: its summary, every warning, a merged timeline, the union of the evidence
    (nodes and links, each node once) and every measure taken."""
    try:
        lowest = int(str(case_id).removeprefix("case-"))
    except ValueError as e:
        raise WarningNotFound(f"{case_id!r} is not a case id (case-<number>)") from e
    ws = lifecycle.list(limit=MAX_WARNINGS)
    for g in group(ws, settings):
        if min(w["id"] for w in g) == lowest:
            break
    else:
        raise WarningNotFound(f"no case {case_id!r}")
    full = [lifecycle.get(w["id"]) for w in g]
    timeline = sorted(({"at": t["at"], "warning_id": w["id"], "actor": t["actor"],
                        "from_status": t["from_status"], "to_status": t["to_status"],
                        "note": t["note"], "data": t["data"]}
                       for w in full for t in w["history"]), key=lambda t: t["at"])
    nodes: dict[tuple, dict[str, Any]] = {}
    rels: dict[tuple, dict[str, Any]] = {}
    for w in full:
        ev = w.get("evidence") or {}
        for n in ev.get("nodes", []):
            nodes.setdefault((n.get("label"), str(n.get("key"))), n)
        for r in ev.get("relationships", []):
            rels.setdefault((r.get("type"), str(r.get("start")), str(r.get("end"))), r)
    measures = [{"warning_id": w["id"], "measure": m} for w in full for m in w["measures"]]
    return {**summarise(g), "warnings": [{k: v for k, v in w.items() if k != "history"}
                                         for w in full],
            "timeline": timeline, "measures": measures,
            "evidence": {"nodes": list(nodes.values()), "relationships": list(rels.values())}}


@dataclass
class BulkResult:
    ok: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)


def bulk(lifecycle: LifecycleStore, ids: Iterable[int], to: str, *, actor: str,
         assignee: str | None = None, outcome: str | None = None, feedback: str | None = None,
         measures: Sequence[str] = (), note: str | None = None) -> BulkResult:
    """Move each warning to ``to`` (``acknowledged``, ``in_progress``, ``closed``, or
    ``assigned``: set the assignee, taking an open warning on), one legal step at a time.
    A warning already there (or past it) is left as is and reported ``unchanged``."""
    res = BulkResult()
    if to == "closed" and outcome not in OUTCOMES:
        raise IllegalTransition(f"closing needs an outcome, one of {', '.join(OUTCOMES)} "
                                f"(got {outcome!r})", requested=to)
    for wid in dict.fromkeys(int(i) for i in ids):
        try:
            w = lifecycle.get(wid, transitions=False)
            target = "in_progress" if to == "assigned" else to
            if target not in STATUSES:
                raise IllegalTransition(f"unknown target {to!r}", requested=to)
            path = PATH[w["status"]]
            if target not in path:
                if to == "assigned" and w["status"] == "in_progress" and assignee:
                    reassign(lifecycle, wid, assignee, actor=actor, note=note)
                    res.ok.append({"id": wid, "from": w["status"], "to": w["status"],
                                   "steps": ["assigned"]})
                    continue
                res.ok.append({"id": wid, "from": w["status"], "to": w["status"],
                               "steps": [], "unchanged": True})
                continue
            steps = path[: path.index(target) + 1]
            for st in steps:
                last = st == target
                lifecycle.transition(
                    wid, st, actor=actor, assignee=assignee,
                    outcome=outcome if st == "closed" else None,
                    feedback=feedback if st == "closed" else None,
                    measures=measures if last else (), note=note if last else "bulk")
            res.ok.append({"id": wid, "from": w["status"], "to": target, "steps": steps})
        except (IllegalTransition, WarningNotFound) as e:
            res.failed.append({"id": wid, "reason": str(e)})
    return res


def reassign(lifecycle: LifecycleStore, warning_id: int, assignee: str, *, actor: str,
             note: str | None = None) -> None:
    """Hand a warning being handled to someone else (a history row, status unchanged)."""
    with lifecycle._lock:  # noqa: SLF001 - same package, one writer lock
        ev = lifecycle.get(warning_id, transitions=False)
        now = lifecycle.clock()
        db = lifecycle._tx()  # noqa: SLF001
        try:
            db.execute("UPDATE warning_events SET assignee=?, updated_at=? WHERE id=?",
                       (assignee, datetime.fromtimestamp(now, timezone.utc).isoformat(timespec="milliseconds"), warning_id))
            lifecycle._transition_row(db, warning_id, ev["status"], ev["status"], actor, now,  # noqa: SLF001
                                      note or f"assigned to {assignee}", {"assignee": assignee})
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

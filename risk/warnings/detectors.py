"""Rule kinds about entities: risk level crossing, risky new links, watch-listed
conveyances and drivers, credit downgrades. Each reads the graph through ``GraphView``."""

from __future__ import annotations

from typing import Any, Hashable, Mapping

from risk.warnings.events import Event
from risk.warnings.graphview import Evidence, Link, display, port_of
from risk.warnings.model import Detector, EvalContext, Finding

RISK_ORDER = {"低": 1, "中": 2, "高": 3}


class ScoreCrossing(Detector):
    """A node's risk level rose (e.g. 中 → 高) after a scoring run."""

    kind = "score_crossing"
    stateful = True
    defaults = {"warn_levels": {"高": "橙", "中": "黄"}, "red_score": 0.9, "labels": [],
                "first_sight_fires": True}

    def subjects(self, ev: Event, params: Mapping[str, Any]):
        if ev.kind == "scored" and ev.props.get("risk_level"):
            if not params["labels"] or ev.label in params["labels"]:
                yield (ev.label, ev.key), ev
        return

    def evaluate(self, subject: Hashable, ev: Event, params, cx: EvalContext) -> list[Finding]:
        new = str(ev.props["risk_level"])
        prev = ev.props.get("previous_level") or cx.state.get(ev.label, ev.key, "risk_level")
        cx.state.set(ev.label, ev.key, "risk_level", new)
        first = params["first_sight_fires"]  # True, False, or "red": only a red-level score
        if prev is None and not first:
            return []  # the first score only sets the baseline
        if RISK_ORDER.get(new, 0) <= RISK_ORDER.get(str(prev or "低"), 1):
            return []
        level = params["warn_levels"].get(new)
        if level is None:
            return []
        score = ev.props.get("risk_score")
        if isinstance(score, (int, float)) and score >= float(params["red_score"]):
            level = "红"
        elif prev is None and first == "red":
            return []  # first sight: only a red-level score is news, the rest is baseline
        node = cx.view.node(ev.label, ev.key)
        if node is None:
            return []  # scored something the graph does not hold: nothing to point at
        ctx = {"label": ev.label, "key": ev.key, "name": display(node, ev.key),
               "previous_level": prev or "—", "risk_level": new,
               "risk_score": round(float(score), 3) if isinstance(score, (int, float)) else "?",
               "model_version": ev.props.get("model_version", "?")}
        return [Finding((ev.label, ev.key, new), (ev.label, ev.key),
                        Evidence().node(ev.label, ev.key), ctx, level=level,
                        port=port_of(cx.view, ev.label, ev.key))]


class RiskyLink(Detector):
    """A new relationship touches a high-risk or case-involved entity."""

    kind = "risky_link"
    defaults = {"rel_types": ["LEGAL_REP_OF", "SHAREHOLDER_OF", "AGENT_FOR", "DROVE"],
                "risk_levels": ["高"], "case_kinds": [], "red_case_kinds": ["走私", "smuggling"]}

    def subjects(self, ev: Event, params):
        if ev.kind == "rel" and ev.rel_type in params["rel_types"]:
            yield (ev.rel_type, ev.start, ev.end), ev

    def _why(self, ref, params, cx: EvalContext) -> tuple[str, list[Link]] | None:
        node = cx.view.node(*ref)
        if node is None:
            return None
        cases = [l for l in cx.view.links(*ref, ["INVOLVED_IN"], labels=["Case"], direction="out")
                 if not params["case_kinds"] or l.other.props.get("kind") in params["case_kinds"]]
        if cases:
            return "case", cases
        if node.props.get("risk_level") in params["risk_levels"]:
            return "risk", []
        return None

    def evaluate(self, subject, ev: Event, params, cx: EvalContext) -> list[Finding]:
        out = []
        for risky, other in ((ev.start, ev.end), (ev.end, ev.start)):
            why = self._why(risky, params, cx)
            if why is None:
                continue
            reason, cases = why
            ev_ = Evidence().rel(ev.rel_type, ev.start, ev.end)
            for c in cases[:5]:
                ev_.link(c)
            red = any(c.other.props.get("kind") in params["red_case_kinds"] for c in cases)
            case = cases[0].other if cases else None
            rnode = cx.view.node(*risky)
            ctx = {"risky_label": risky[0], "risky_key": risky[1],
                   "risky": display(rnode, risky[1]),
                   "other_label": other[0], "other_key": other[1],
                   "other": display(cx.view.node(*other), other[1]), "rel_type": ev.rel_type,
                   "case_key": case.key if case else "—",
                   "case_kind": (case.props.get("kind") or "案件") if case else "—",
                   "reason_zh": f"涉案（{case.key}）" if case else "高风险",
                   "reason_en": f"involved in case {case.key}" if case else "high-risk",
                   "risk_level": (rnode.props.get("risk_level") if rnode else None) or "—"}
            out.append(Finding((ev.rel_type, *ev.start, *ev.end), other, ev_, ctx,
                               level="红" if red else None,
                               port=port_of(cx.view, *other) or port_of(cx.view, *risky)))
            break  # one situation, one finding: the first risky end explains it
        return out


class Watchlist(Detector):
    """A watch-listed vehicle, driver or container in a declaration or at a checkpoint."""

    kind = "watchlist"
    defaults = {"conveyances": ["Vehicle", "Container"], "check_drivers": True,
                "max_contexts": 20}

    def subjects(self, ev: Event, params):
        conv = params["conveyances"]
        if ev.kind == "node" and ev.label == "Declaration":
            yield ("Declaration", ev.key), None
        elif ev.kind != "rel":
            return
        elif ev.rel_type in ("CARRIED_BY", "IN_CONTAINER") and ev.start[0] == "Declaration":
            yield ev.start, None
        elif ev.rel_type == "AT_PORT" and ev.start[0] in conv:
            yield ev.start, ev.end[1]
        elif ev.rel_type == "DROVE" and "Vehicle" in conv:
            yield ev.end, None

    def _hits(self, conv: tuple[str, str], params, cx: EvalContext):
        """(watched ref, evidence links) for a conveyance and, for a vehicle, its drivers."""
        label, key = conv
        node = cx.view.node(label, key)
        if node is None:
            return
        if node.props.get("watchlisted") is True:
            yield (label, key), []
        if label == "Vehicle" and params["check_drivers"]:
            for d in cx.view.links(label, key, ["DROVE"], labels=["Person"], direction="in"):
                if d.other.props.get("watchlisted") is True:
                    yield ("Person", d.other.key), [d]

    def _finding(self, ctx_ref, ctx_link, conv, watched, links, cx: EvalContext, port):
        ev = Evidence()
        if ctx_link is not None:
            ev.link(ctx_link)
        ev.node(*ctx_ref).node(*conv)
        for l in links:
            ev.link(l)
        if port:
            ports = [l for l in cx.view.links(*ctx_ref, ["AT_PORT"], labels=["Port"],
                                              direction="out") if l.other.key == port]
            for l in ports[:1]:
                ev.link(l)
        wnode = cx.view.node(*watched)
        kind_zh = {"Vehicle": "车辆", "Container": "集装箱", "Person": "驾驶员"}[watched[0]]
        kind_en = {"Vehicle": "vehicle", "Container": "container", "Person": "driver"}[watched[0]]
        where_zh = f"报关单 {ctx_ref[1]}" if ctx_ref[0] == "Declaration" else f"口岸 {port}"
        where_en = (f"declaration {ctx_ref[1]}" if ctx_ref[0] == "Declaration"
                    else f"port {port}")
        ctx = {"watched_kind_zh": kind_zh, "watched_kind_en": kind_en,
               "watched": display(wnode, watched[1]) if watched[0] != "Person" else watched[1],
               "watched_key": watched[1], "conveyance": conv[1], "where_zh": where_zh,
               "where_en": where_en, "port": port or "—"}
        return Finding((*ctx_ref, *watched), watched, ev, ctx, port=port)

    def evaluate(self, subject, payload, params, cx: EvalContext) -> list[Finding]:
        label, key = subject
        out: list[Finding] = []
        if label == "Declaration":
            port = port_of(cx.view, label, key)
            for c in cx.view.links(label, key, ["CARRIED_BY", "IN_CONTAINER"],
                                   labels=params["conveyances"], direction="out"):
                for watched, links in self._hits((c.other.label, c.other.key), params, cx):
                    out.append(self._finding(subject, c, (c.other.label, c.other.key), watched,
                                             links, cx, port))
            return out
        hits = list(self._hits(subject, params, cx))
        if not hits:
            return out
        # a conveyance: at a checkpoint (AT_PORT) or carrying declarations
        ports = cx.view.links(label, key, ["AT_PORT"], labels=["Port"], direction="out")
        if payload:
            ports = [p for p in ports if p.other.key == payload]
        decls = cx.view.links(label, key, ["CARRIED_BY", "IN_CONTAINER"], labels=["Declaration"],
                              direction="in")
        for c in (ports + decls)[: int(params["max_contexts"])]:
            for watched, links in hits:
                if c.other.label == "Port":
                    f = self._finding(subject, c, subject, watched, links, cx, c.other.key)
                    f.dedup = ("Port", c.other.key, *watched)
                else:
                    f = self._finding((c.other.label, c.other.key), c, subject, watched, links,
                                      cx, port_of(cx.view, c.other.label, c.other.key))
                out.append(f)
        return out


class CreditDowngrade(Detector):
    """An enterprise's credit level dropped while it has declarations pending."""

    kind = "credit_downgrade"
    stateful = True
    defaults = {"order": ["高级认证", "一般认证", "一般信用", "失信"],
                "pending_statuses": ["pending", "submitted", "待审", "已申报", "审核中", "申报"],
                "red_levels": ["失信"]}

    def subjects(self, ev: Event, params):
        if ev.kind == "node" and ev.label == "Enterprise" and ev.props.get("credit_level"):
            yield ("Enterprise", ev.key), ev

    def evaluate(self, subject, ev: Event, params, cx: EvalContext) -> list[Finding]:
        new = str(ev.props["credit_level"])
        prev = cx.state.get("Enterprise", ev.key, "credit_level")
        cx.state.set("Enterprise", ev.key, "credit_level", new)
        order = list(params["order"])
        if prev is None or prev not in order or new not in order:
            return []
        if order.index(new) <= order.index(prev):
            return []  # same or better
        pending = [l for l in cx.view.links("Enterprise", ev.key, ["DECLARED"],
                                            labels=["Declaration"], direction="out")
                   if l.other.props.get("status") in params["pending_statuses"]]
        if not pending:
            return []
        evid = Evidence().node("Enterprise", ev.key)
        for l in pending[:20]:
            evid.link(l)
        ent = cx.view.node("Enterprise", ev.key)
        ctx = {"key": ev.key, "name": display(ent, ev.key), "previous": prev, "current": new,
               "pending": len(pending),
               "pending_keys": ", ".join(l.other.key for l in pending[:5])}
        port = next((p for p in (port_of(cx.view, "Declaration", l.other.key)
                                 for l in pending[:3]) if p), None)
        return [Finding(("Enterprise", ev.key, prev, new), ("Enterprise", ev.key), evid, ctx,
                        level="红" if new in params["red_levels"] else None, port=port)]

"""Rule kinds about flows: a new enterprise's volume spike, cargo backlog at a port
(yard occupancy, container dwell time), and the same shipment declared with inconsistent
HS codes or origins at different ports."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from risk.warnings.events import Event
from risk.warnings.graphview import Evidence, Link, display, parse_time
from risk.warnings.model import Detector, EvalContext, Finding


def _when(link: Link):
    return parse_time(link.props.get("at")) or parse_time(link.other.props.get("date"))


class VolumeSpike(Detector):
    """A recently registered enterprise suddenly declares much more than before."""

    kind = "volume_spike"
    defaults = {"new_within_days": 180, "window_days": 7, "min_declarations": 20,
                "factor": 3.0, "max_scan": 5000}

    def subjects(self, ev: Event, params):
        if ev.kind == "rel" and ev.rel_type == "DECLARED" and ev.start[0] == "Enterprise":
            yield ev.start, None

    def evaluate(self, subject, payload, params, cx: EvalContext) -> list[Finding]:
        ent = cx.view.node(*subject)
        registered = parse_time(ent.props.get("registered_on")) if ent else None
        if registered is None:
            return []  # age unknown: cannot call it new
        decls = [(t, l) for l in cx.view.links(*subject, ["DECLARED"], labels=["Declaration"],
                                               direction="out", limit=int(params["max_scan"]))
                 if (t := _when(l)) is not None]
        if not decls:
            return []
        ref = max(t for t, _ in decls)  # event time, not wall clock: replays behave the same
        age = (ref - registered).days
        if age > int(params["new_within_days"]):
            return []
        w = timedelta(days=float(params["window_days"]))
        recent = [(t, l) for t, l in decls if ref - w < t <= ref]
        before = [(t, l) for t, l in decls if ref - 2 * w < t <= ref - w]
        if len(recent) < int(params["min_declarations"]):
            return []
        if len(recent) < float(params["factor"]) * max(len(before), 1):
            return []
        evid = Evidence().node(*subject)
        for _, l in sorted(recent, key=lambda x: x[0], reverse=True)[:20]:
            evid.link(l)
        ctx = {"key": subject[1], "name": display(ent, subject[1]), "recent": len(recent),
               "before": len(before), "window_days": params["window_days"], "age_days": age,
               "registered_on": str(ent.props.get("registered_on"))}
        return [Finding(subject, subject, evid, ctx)]


class CargoBacklog(Detector):
    """Yard occupancy over a threshold, or containers dwelling at a port too long."""

    kind = "cargo_backlog"
    defaults = {"occupancy": [{"ratio": 0.95, "level": "红"}, {"ratio": 0.85, "level": "橙"}],
                "dwell_hours": 72, "min_dwelling": 1, "dwell_level": "黄", "max_scan": 5000}

    def subjects(self, ev: Event, params):
        if ev.label == "Port" and ev.kind in ("node", "tick"):
            if ev.kind == "tick" or "yard_occupancy" in ev.props:
                yield ("occupancy", ev.key), ev
            if ev.kind == "tick":
                yield ("dwell", ev.key), ev
        elif (ev.kind == "rel" and ev.rel_type == "AT_PORT" and ev.start[0] == "Container"):
            yield ("dwell", ev.end[1]), ev

    def evaluate(self, subject, ev: Event, params, cx: EvalContext) -> list[Finding]:
        mode, port = subject
        node = cx.view.node("Port", port)
        if node is None:
            return []
        return (self._occupancy if mode == "occupancy" else self._dwell)(port, node, ev, params,
                                                                         cx)

    def _occupancy(self, port, node, ev: Event, params, cx) -> list[Finding]:
        props = {**node.props, **{k: v for k, v in ev.props.items() if v is not None}}
        occ, cap = props.get("yard_occupancy"), props.get("yard_capacity")
        if not isinstance(occ, (int, float)) or not isinstance(cap, (int, float)) or cap <= 0:
            return []
        ratio = occ / cap
        for step in sorted(params["occupancy"], key=lambda s: -float(s["ratio"])):
            if ratio >= float(step["ratio"]):
                ctx = {"port": display(node, port), "port_key": port, "occupancy": occ,
                       "capacity": cap, "ratio_pct": round(100 * ratio, 1), "what_zh": "堆场占用率",
                       "what_en": "yard occupancy",
                       "detail_zh": f"{occ}/{cap}（{100 * ratio:.1f}%）",
                       "detail_en": f"{occ}/{cap} ({100 * ratio:.1f}%)"}
                return [Finding(("Port", port, "occupancy", step["level"]), ("Port", port),
                                Evidence().node("Port", port), ctx, level=step["level"],
                                port=port)]
        return []

    def _dwell(self, port, node, ev: Event, params, cx) -> list[Finding]:
        links = cx.view.links("Port", port, ["AT_PORT"], labels=["Container"], direction="in",
                              limit=int(params["max_scan"]))
        arrivals = [(t, l) for l in links if (t := parse_time(l.props.get("at"))) is not None]
        if not arrivals:
            return []
        # "now" is the tick's time, else the latest arrival at this port (event time)
        ref = parse_time(ev.at) if ev.kind == "tick" and ev.at else max(t for t, _ in arrivals)
        limit = ref - timedelta(hours=float(params["dwell_hours"]))
        dwelling = [(t, l) for t, l in arrivals
                    if t <= limit and not l.other.props.get("released_at")]
        if len(dwelling) < int(params["min_dwelling"]):
            return []
        dwelling.sort(key=lambda x: x[0])
        evid = Evidence().node("Port", port)
        for _, l in dwelling[:20]:
            evid.link(l)
        hours = (ref - dwelling[0][0]).total_seconds() / 3600
        ctx = {"port": display(node, port), "port_key": port, "what_zh": "集装箱滞留",
               "what_en": "container dwell time",
               "detail_zh": f"{len(dwelling)} 个集装箱超过 {params['dwell_hours']} 小时未放行"
                            f"（最长 {hours:.0f} 小时）",
               "detail_en": f"{len(dwelling)} containers held over {params['dwell_hours']} h "
                            f"(longest {hours:.0f} h)", "dwelling": len(dwelling)}
        return [Finding(("Port", port, "dwell"), ("Port", port), evid, ctx, port=port,
                        level=params["dwell_level"])]


class InconsistentGoods(Detector):
    """The same shipment (container or bill of lading) declared at different ports with
    different HS codes or origins."""

    kind = "inconsistent_goods"
    defaults = {"anchors": ["Container", "BillOfLading"], "hs_digits": 6, "check_origin": True,
                "max_scan": 200}
    _PROFILE = ("AT_PORT", "HAS_ITEM", "ORIGIN", "IN_CONTAINER", "UNDER_BL")

    def subjects(self, ev: Event, params):
        if ev.kind == "node" and ev.label == "Declaration":
            yield ev.key, None
        elif ev.kind == "rel" and ev.rel_type in self._PROFILE and ev.start[0] == "Declaration":
            yield ev.start[1], None

    def _profile(self, key: str, params, cx: EvalContext) -> dict[str, Any]:
        links = cx.view.links("Declaration", key, self._PROFILE, direction="out")
        n = int(params["hs_digits"])
        p: dict[str, Any] = {"ports": {}, "hs": {}, "origins": {}, "anchors": []}
        for l in links:
            if l.type == "AT_PORT":
                p["ports"][l.other.key] = l
            elif l.type == "HAS_ITEM":
                code = str(l.props.get("hs10") or l.other.key)
                p["hs"].setdefault(code[:n], l)
            elif l.type == "ORIGIN":
                p["origins"][l.other.key] = l
            elif l.other.label in params["anchors"]:
                p["anchors"].append(l)
        return p

    def evaluate(self, subject, payload, params, cx: EvalContext) -> list[Finding]:
        me = self._profile(subject, params, cx)
        if not me["ports"] or not me["anchors"]:
            return []
        out = []
        for a in me["anchors"]:
            anchor = (a.other.label, a.other.key)
            for o in cx.view.links(*anchor, [a.type], labels=["Declaration"], direction="in",
                                   limit=int(params["max_scan"])):
                if o.other.key == subject:
                    continue
                other = self._profile(o.other.key, params, cx)
                if not other["ports"] or set(other["ports"]) & set(me["ports"]):
                    continue  # same port, or port unknown: not "across ports"
                diff_hs = bool(me["hs"] and other["hs"] and not set(me["hs"]) & set(other["hs"]))
                diff_or = bool(params["check_origin"] and me["origins"] and other["origins"]
                               and not set(me["origins"]) & set(other["origins"]))
                if not (diff_hs or diff_or):
                    continue
                evid = Evidence().link(a).link(o)
                for prof in (me, other):
                    for group in ("ports", "hs", "origins"):
                        for l in list(prof[group].values())[:5]:
                            evid.link(l)
                what_zh = "、".join(w for w, on in (("HS 编码", diff_hs), ("原产地", diff_or)) if on)
                what_en = " and ".join(w for w, on in (("HS code", diff_hs), ("origin", diff_or))
                                       if on)
                pair = sorted([subject, o.other.key])
                ctx = {"anchor_label": anchor[0], "anchor": anchor[1], "decl_a": subject,
                       "decl_b": o.other.key, "port_a": ",".join(me["ports"]),
                       "port_b": ",".join(other["ports"]), "hs_a": ",".join(me["hs"]),
                       "hs_b": ",".join(other["hs"]), "origin_a": ",".join(me["origins"]),
                       "origin_b": ",".join(other["origins"]), "what_zh": what_zh,
                       "what_en": what_en}
                out.append(Finding((*anchor, *pair), ("Declaration", subject), evid, ctx,
                                   port=next(iter(me["ports"]))))
        return out

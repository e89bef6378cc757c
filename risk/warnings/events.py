"""What the rule engine evaluates: one ``Event`` per ingested record, score change or tick.

Ingest hands over the ``NodeRecord``/``RelRecord`` batches it has just written; scoring hands
over the risk properties it has just set; ``warnings run`` makes ticks (periodic checks such
as cargo dwell time). Plain dicts (JSON lines, the API) are accepted in the same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from graph.base import NodeRecord, RelRecord
from risk.warnings.exceptions import EventError

KINDS = ("node", "rel", "scored", "tick")


@dataclass(frozen=True)
class Event:
    kind: str  # node | rel | scored | tick
    label: str = ""  # node / scored / tick: the node label
    key: str = ""
    props: Mapping[str, Any] = field(default_factory=dict)
    rel_type: str = ""  # rel only
    start: tuple[str, str] | None = None  # rel only: (label, key)
    end: tuple[str, str] | None = None
    at: str | None = None  # when it happened (ISO), if known
    source: str = "unknown"

    def to_json(self) -> dict[str, Any]:
        d: dict[str, Any] = {"kind": self.kind, "source": self.source}
        if self.kind == "rel":
            d.update(type=self.rel_type, start=list(self.start or ()), end=list(self.end or ()))
        else:
            d.update(label=self.label, key=self.key)
        if self.props:
            d["props"] = {k: _plain(v) for k, v in self.props.items()}
        if self.at:
            d["at"] = self.at
        return d


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, (date, datetime)) else v


def from_record(rec: Any, i: int = 0) -> Event:
    """One Event from a NodeRecord, RelRecord, Event or dict; EventError names what is wrong."""
    if isinstance(rec, Event):
        return rec
    if isinstance(rec, NodeRecord):
        return Event("node", rec.label, rec.key, dict(rec.props), at=rec.seen_at,
                     source=rec.source)
    if isinstance(rec, RelRecord):
        return Event("rel", props=dict(rec.props), rel_type=rec.type,
                     start=(rec.start_label, rec.start_key), end=(rec.end_label, rec.end_key),
                     at=_plain(rec.props.get("at")) or rec.seen_at, source=rec.source)
    if isinstance(rec, Mapping):
        return _from_dict(rec, i)
    raise EventError(f"event #{i}: expected NodeRecord, RelRecord or dict, got "
                     f"{type(rec).__name__}")


def _from_dict(d: Mapping[str, Any], i: int) -> Event:
    kind = d.get("kind") or ("rel" if "type" in d and "start" in d else "node")
    if kind not in KINDS:
        raise EventError(f"event #{i}: field 'kind' must be one of {KINDS}, got {kind!r}")
    props = d.get("props") or {}
    if not isinstance(props, Mapping):
        raise EventError(f"event #{i}: field 'props' must be an object")
    src = str(d.get("source") or "unknown")
    at = d.get("at")
    if kind == "rel":
        try:
            start, end = tuple(d["start"]), tuple(d["end"])
            assert len(start) == 2 and len(end) == 2 and d["type"]
        except (KeyError, TypeError, AssertionError):
            raise EventError(f"event #{i}: a rel event needs 'type', 'start' [label, key] and "
                             "'end' [label, key]") from None
        return Event("rel", props=dict(props), rel_type=str(d["type"]),
                     start=(str(start[0]), str(start[1])), end=(str(end[0]), str(end[1])),
                     at=at or _plain(props.get("at")), source=src)
    label, key = d.get("label"), d.get("key")
    if not label or (kind != "tick" and not key):
        raise EventError(f"event #{i}: a {kind} event needs 'label' and 'key'")
    return Event(kind, str(label), str(key or ""), dict(props), at=at, source=src)


def from_records(records: Iterable[Any]) -> list[Event]:
    return [from_record(r, i) for i, r in enumerate(records)]


def from_score_changes(changes: Any, *, source: str = "scoring") -> list[Event]:
    """Score changes as ``scored`` events. Accepts the ``GraphStore.set_properties`` shape
    ``{label: {key: {risk_score, risk_level, ...}}}`` or a list of dicts with ``label``,
    ``key``, ``risk_score``, ``risk_level`` (and optionally ``previous_level``)."""
    out: list[Event] = []
    if isinstance(changes, Mapping):
        for label, per_key in changes.items():
            if not isinstance(per_key, Mapping):
                raise EventError(f"score changes for {label!r}: expected {{key: props}}")
            for key, props in per_key.items():
                out.append(Event("scored", str(label), str(key), dict(props),
                                 at=_plain(props.get("scored_at")), source=source))
        return out
    for i, c in enumerate(changes):
        if not isinstance(c, Mapping) or not c.get("label") or not c.get("key"):
            raise EventError(f"score change #{i}: needs 'label' and 'key'")
        props = {k: v for k, v in c.items() if k not in ("label", "key")}
        out.append(Event("scored", str(c["label"]), str(c["key"]), props,
                         at=_plain(props.get("scored_at")), source=source))
    return out

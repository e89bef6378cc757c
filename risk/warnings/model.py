"""The shapes the rule engine works with: levels, a configured ``Rule``, a ``Finding``
(what a detector reports), and the ``Detector`` base every rule kind implements."""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from typing import Any, Hashable, Iterable, Mapping, Protocol

from risk.warnings.events import Event
from risk.warnings.graphview import Evidence, GraphView, NodeRef

# warning levels, most severe first (红 red, 橙 orange, 黄 yellow, 蓝 blue)
LEVELS = ("红", "橙", "黄", "蓝")
LEVEL_RANK = {lvl: len(LEVELS) - i for i, lvl in enumerate(LEVELS)}
LEVEL_EN = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}


def check_level(level: str) -> str:
    if level not in LEVEL_RANK:
        raise ValueError(f"level {level!r} is not one of {'/'.join(LEVELS)}")
    return level


class _Safe(dict):
    def __missing__(self, k: str) -> str:
        return "?"


_FMT = string.Formatter()


def render(template: str, ctx: Mapping[str, Any]) -> str:
    """Fill ``{name}`` placeholders; a missing name shows as ``?`` instead of failing."""
    try:
        return _FMT.vformat(template, (), _Safe(ctx))
    except (ValueError, TypeError, IndexError, AttributeError):
        return template


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    level: str
    message_zh: str
    message_en: str
    params: Mapping[str, Any]
    suppress_for_s: float = 86_400.0
    enabled: bool = True
    description: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "level": self.level,
                "message": {"zh": self.message_zh, "en": self.message_en},
                "params": dict(self.params), "suppress_for_s": self.suppress_for_s,
                "enabled": self.enabled, "description": self.description}


@dataclass
class Finding:
    """One situation a detector found. ``dedup`` names the situation (with the rule id it
    becomes the de-duplication key); ``context`` fills the message templates."""

    dedup: tuple[str, ...]
    subject: NodeRef
    evidence: Evidence
    context: dict[str, Any] = field(default_factory=dict)
    level: str | None = None  # None = the rule's level
    port: str | None = None
    location: str | None = None


class State(Protocol):
    """Last observed value of a property, per node (for 'changed from … to …' rules)."""

    def get(self, label: str, key: str, prop: str) -> Any: ...

    def set(self, label: str, key: str, prop: str, value: Any) -> None: ...


@dataclass
class EvalContext:
    view: GraphView
    state: State


class Detector:
    """One rule kind. ``subjects`` maps an event to what should be evaluated (hashable
    subject keys with a payload); a ``stateful`` detector sees every event in order, the
    others see each subject once per batch (the last payload wins)."""

    kind: str = ""
    defaults: Mapping[str, Any] = {}
    stateful: bool = False

    def subjects(self, ev: Event, params: Mapping[str, Any]) -> Iterable[tuple[Hashable, Any]]:
        raise NotImplementedError

    def evaluate(self, subject: Hashable, payload: Any, params: Mapping[str, Any],
                 cx: EvalContext) -> list[Finding]:
        raise NotImplementedError

"""In-process publish/subscribe of new warning events, filtered by port, level and rule.

A subscription is either thread-side (``get``) or bound to an asyncio loop (``aget``, used by
the SSE route): publishing from the engine's thread hands events to the loop with
``call_soon_threadsafe``. Each subscription has a bounded queue; a subscriber that does not
keep up loses its oldest events and sees the count in ``dropped`` (publishing never blocks).
"""

from __future__ import annotations

import asyncio
import queue
import threading
from typing import Any, Iterable

from risk.warnings.model import LEVEL_RANK


def _as_set(v: str | Iterable[str] | None) -> frozenset[str] | None:
    if v is None or v == "":
        return None
    items = v.split(",") if isinstance(v, str) else list(v)
    s = frozenset(i.strip() for i in items if i and i.strip())
    return s or None


class Subscription:
    def __init__(self, broker: "Broker", *, port=None, level=None, rule=None,
                 min_level: str | None = None, maxsize: int = 1000,
                 loop: asyncio.AbstractEventLoop | None = None):
        self.broker = broker
        self.ports, self.levels, self.rules = _as_set(port), _as_set(level), _as_set(rule)
        self.min_rank = LEVEL_RANK.get(min_level, 0) if min_level else 0
        self.loop = loop
        self.dropped = 0
        self.closed = False
        self._q: Any = asyncio.Queue(maxsize) if loop else queue.Queue(maxsize)

    def matches(self, ev: dict[str, Any]) -> bool:
        return ((self.ports is None or ev.get("port") in self.ports)
                and (self.levels is None or ev.get("level") in self.levels)
                and (self.rules is None or ev.get("rule") in self.rules)
                and LEVEL_RANK.get(ev.get("level"), 0) >= self.min_rank)

    def _put(self, ev: dict[str, Any]) -> None:
        while True:
            try:
                self._q.put_nowait(ev)
                return
            except (queue.Full, asyncio.QueueFull):
                try:
                    self._q.get_nowait()  # drop the oldest, keep the newest
                    self.dropped += 1
                except (queue.Empty, asyncio.QueueEmpty):
                    pass

    def deliver(self, ev: dict[str, Any]) -> None:
        if self.closed:
            return
        if self.loop is None:
            self._put(ev)
            return
        try:
            self.loop.call_soon_threadsafe(self._put, ev)
        except RuntimeError:  # the loop is gone: the client left
            self.close()

    def get(self, timeout: float | None = None) -> dict[str, Any] | None:
        try:
            return self._q.get(timeout=timeout)
        except queue.Empty:
            return None

    async def aget(self, timeout: float | None = None) -> dict[str, Any] | None:
        try:
            return await asyncio.wait_for(self._q.get(), timeout)
        except asyncio.TimeoutError:
            return None

    def close(self) -> None:
        self.closed = True
        self.broker.unsubscribe(self)

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Broker:
    def __init__(self, *, maxsize: int = 1000):
        self.maxsize = maxsize
        self._subs: list[Subscription] = []
        self._lock = threading.Lock()
        self.published = 0

    def subscribe(self, *, port=None, level=None, rule=None, min_level: str | None = None,
                  loop: asyncio.AbstractEventLoop | None = None) -> Subscription:
        sub = Subscription(self, port=port, level=level, rule=rule, min_level=min_level,
                           maxsize=self.maxsize, loop=loop)
        with self._lock:
            self._subs.append(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            if sub in self._subs:
                self._subs.remove(sub)

    @property
    def subscribers(self) -> int:
        with self._lock:
            return len(self._subs)

    def publish(self, ev: dict[str, Any]) -> int:
        """Hand ``ev`` to every matching subscriber; returns how many."""
        with self._lock:
            subs = list(self._subs)
        self.published += 1
        n = 0
        for s in subs:
            if s.matches(ev):
                s.deliver(ev)
                n += 1
        return n

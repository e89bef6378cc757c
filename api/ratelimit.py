"""A small in-process sliding-window rate limiter (login and QA endpoints).

One process serves the API (uvicorn, one worker); behind several workers put the limit in
the reverse proxy as well.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    def __init__(self, per_minute: int, window_s: float = 60.0):
        self.limit = max(1, int(per_minute))
        self.window = window_s
        self._hits: dict[str, deque[float]] = {}
        self._noted: dict[str, float] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one request for ``key``; 0.0 when allowed, else seconds until it would be."""
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] >= self.window:
                q.popleft()
            if len(q) >= self.limit:
                return max(0.1, self.window - (now - q[0]))
            q.append(now)
            if len(self._hits) > 10_000:  # forget idle keys
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return 0.0

    def first_refusal(self, key: str) -> bool:
        """True once per window for ``key`` (audit a refusal, not every refused request)."""
        now = time.monotonic()
        with self._lock:
            last = self._noted.get(key)
            if last is not None and now - last < self.window:
                return False
            self._noted[key] = now
            if len(self._noted) > 10_000:
                self._noted = {k: t for k, t in self._noted.items() if now - t < self.window}
            return True

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

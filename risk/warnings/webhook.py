"""Optional webhook: POST each new warning as JSON, signed, with retries, off the caller's
thread.

Signature: ``X-PortSentinel-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>." + body)>``
with ``X-PortSentinel-Timestamp`` (epoch seconds); receivers check it with
``verify_signature`` and refuse stale timestamps. A 5xx, 429 or connection error is retried
with exponential back-off; any other 4xx is final.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

SIG_HEADER = "X-PortSentinel-Signature"
TS_HEADER = "X-PortSentinel-Timestamp"


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()


def verify_signature(secret: bytes, timestamp: str, body: bytes, signature: str, *,
                     max_age_s: float = 300.0, now: float | None = None) -> bool:
    try:
        age = abs((now if now is not None else time.time()) - float(timestamp))
    except (TypeError, ValueError):
        return False
    return age <= max_age_s and hmac.compare_digest(sign(secret, timestamp, body), signature)


@dataclass
class WebhookStats:
    delivered: int = 0
    failed: int = 0
    attempts: int = 0
    last_error: str | None = None
    log: list[dict[str, Any]] = field(default_factory=list)  # last 100 deliveries


class WebhookNotifier:
    def __init__(self, url: str, secret: bytes, *, retries: int = 3, backoff_s: float = 0.5,
                 timeout_s: float = 5.0):
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook url must be http(s), got {url!r}")
        self.url, self.secret = url, secret
        self.retries, self.backoff_s, self.timeout_s = int(retries), backoff_s, timeout_s
        self.stats = WebhookStats()
        self._q: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def send(self, event: dict[str, Any]) -> None:
        """Queue one event for delivery (returns at once)."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="warnings-webhook",
                                                daemon=True)
                self._thread.start()
        self._q.put(event)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued delivery finished (delivered or given up)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self._q.unfinished_tasks == 0:
                return True
            time.sleep(0.01)
        return False

    def _run(self) -> None:
        while True:
            ev = self._q.get()
            try:
                self.deliver(ev)
            except Exception as e:  # noqa: BLE001 - logged, counted; the worker lives on
                log.warning("webhook delivery of warning %s failed: %s", ev.get("id"), e)
            finally:
                self._q.task_done()

    def deliver(self, event: dict[str, Any]) -> bool:
        """POST one event now, retrying; True when the receiver accepted it."""
        body = json.dumps({"type": "warning", "event": event}, ensure_ascii=False,
                          default=str).encode()
        for attempt in range(self.retries + 1):
            ts = str(int(time.time()))
            req = urllib.request.Request(self.url, data=body, method="POST", headers={
                "Content-Type": "application/json; charset=utf-8", TS_HEADER: ts,
                SIG_HEADER: sign(self.secret, ts, body),
                "X-PortSentinel-Delivery": f"{event.get('id')}-{attempt}"})
            self.stats.attempts += 1
            try:
                with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                    status = resp.status
            except urllib.error.HTTPError as e:
                status = e.code
            except (urllib.error.URLError, OSError) as e:
                status, self.stats.last_error = 0, str(e)
            self.stats.log = (self.stats.log + [{"id": event.get("id"), "attempt": attempt,
                                                 "status": status}])[-100:]
            if 200 <= status < 300:
                self.stats.delivered += 1
                return True
            if status and status < 500 and status != 429:
                break  # the receiver refused it: retrying will not help
            if attempt < self.retries:
                time.sleep(self.backoff_s * (2 ** attempt))
        self.stats.failed += 1
        return False

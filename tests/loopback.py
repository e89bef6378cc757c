"""The real app served by uvicorn in a thread on a loopback port, for the tests that need a
real server (SSE streams, a browser): ``with LoopbackServer(app) as url:``. Shared by the
api, warnings and e2e tests (unique module name: imported as ``loopback``).

``drain_timeout`` (seconds, default 0: stop at once): on exit, first wait that long for the
HTTP requests still in flight to finish (counted at the ASGI level, so a sync route's worker
thread is done too). A caller that closes the graph store right after the server stops passes
one: a query still running in a worker thread would otherwise meet a closed store (the demo
screenshot script hung there). ``drained`` says whether the wait ended with none in flight."""

from __future__ import annotations

import threading
import time

from graph.testing import free_port

__all__ = ["LoopbackServer", "free_port"]


class _InFlight:
    """ASGI wrapper counting the HTTP requests between their start and their app's return."""

    def __init__(self, app):
        self.app, self.count, self._lock = app, 0, threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        with self._lock:
            self.count += 1
        try:
            return await self.app(scope, receive, send)
        finally:
            with self._lock:
                self.count -= 1


class LoopbackServer:
    """uvicorn in a daemon thread on 127.0.0.1; the context yields its base URL and stops the
    server when it exits (after draining in-flight requests for up to ``drain_timeout`` s)."""

    def __init__(self, app, start_timeout: float = 20.0, drain_timeout: float = 0.0):
        import uvicorn

        self.start_timeout, self.drain_timeout = start_timeout, drain_timeout
        self.inflight = _InFlight(app)
        self.drained: bool | None = None
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(self.inflight, host="127.0.0.1",
                                                    port=self.port, log_level="warning",
                                                    lifespan="off",
                                                    timeout_graceful_shutdown=2))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + self.start_timeout
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self.url

    def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` s for no request in flight; True when none is."""
        deadline = time.monotonic() + timeout
        while self.inflight.count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.inflight.count == 0

    def __exit__(self, *exc: object) -> None:
        if self.drain_timeout:
            self.drained = self.drain(self.drain_timeout)
        self.server.should_exit = True
        self.thread.join(15)

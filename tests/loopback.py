"""The real app served by uvicorn in a thread on a loopback port, for the tests that need a
real server (SSE streams, a browser): ``with LoopbackServer(app) as url:``. Shared by the
api, warnings and e2e tests (unique module name: imported as ``loopback``)."""

from __future__ import annotations

import threading
import time

from graph.testing import free_port

__all__ = ["LoopbackServer", "free_port"]


class LoopbackServer:
    """uvicorn in a daemon thread on 127.0.0.1; the context yields its base URL and stops the
    server when it exits."""

    def __init__(self, app, start_timeout: float = 20.0):
        import uvicorn

        self.start_timeout = start_timeout
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off",
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

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(15)

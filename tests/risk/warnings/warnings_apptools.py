"""A minimal FastAPI app around the warnings router, with auth and stores overridden, and a
real uvicorn server on a loopback port for the SSE test."""

from __future__ import annotations

import socket
import threading
import time

from fastapi import FastAPI

from api import deps, errors
from api.routes import warnings as routes
from api.users import User


class AuditRecorder(list):
    def __call__(self, action, target_type="", target_id="", detail=None, outcome="ok",
                 actor=None):
        self.append({"action": action, "target_id": target_id, "outcome": outcome})


def make_app(service, store, role: str = "duty_officer") -> FastAPI:
    app = FastAPI()
    app.state.audit_entries = audit = AuditRecorder()
    errors.install(app)
    app.include_router(routes.router)
    app.dependency_overrides[deps.current_user] = lambda: User("duty1", role)
    app.dependency_overrides[deps.get_store] = lambda: store
    app.dependency_overrides[deps.get_auditor] = lambda: audit
    app.dependency_overrides[routes.warning_service] = lambda: service
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LoopbackServer:
    """uvicorn in a thread on 127.0.0.1; stops when the context exits."""

    def __init__(self, app: FastAPI):
        import uvicorn
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="off",
                                                    timeout_graceful_shutdown=2))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "LoopbackServer":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

"""A minimal FastAPI app around the warnings router, with auth and stores overridden, and a
real uvicorn server on a loopback port for the SSE test (``loopback.LoopbackServer``)."""

from __future__ import annotations

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

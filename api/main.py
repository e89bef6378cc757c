"""The FastAPI app: routers per resource, problem+json errors, the static web UI at /ui/."""

from __future__ import annotations

import asyncio
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from api import errors
from api.config import ApiSettings, get_settings
from api.middleware import AccessLog, BodyLimit, MaskResponses
from api.routes import (audit, auth, cases, cockpit, declarations, explore, graph, health,
                        ingest, inspections, investigation_comments, investigations, knowledge,
                        models, portrait, qa, risk, targeting, targeting_jobs, users, warnings)
from api.state import AppState
from graph import GraphStore

log = logging.getLogger("api")
STATIC = Path(__file__).parent / "static"
ROUTES = (health, auth, users, graph, explore, investigations, investigation_comments, risk,
          targeting, targeting_jobs, declarations,
          inspections, cases, warnings, portrait, cockpit, ingest, qa, knowledge, models, audit)

# the UI loads only its own files (Cytoscape.js is vendored): no CDN, no inline script
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "form-action 'self'")
TAGS = [
    {"name": "health", "description": "liveness and readiness"},
    {"name": "auth", "description": "OAuth2 password flow (bearer JWT) and UI session cookie"},
    {"name": "users", "description": "users and roles (admin)"},
    {"name": "graph", "description": "knowledge-graph search, expansion and paths (analyst); "
                                     "person data masked unless the user has the `pii` grant"},
    {"name": "investigations", "description": "saved graph investigations"},
    {"name": "risk", "description": "risk scores and their explanations"},
    {"name": "targeting", "description": "targeting lists (布控清单) under an inspection budget"},
    {"name": "declarations", "description": "declarations, row-checked per role"},
    {"name": "inspections", "description": "inspection results (feed the models)"},
    {"name": "warnings", "description": "warning queue (预警)"},
    {"name": "ingest", "description": "data loads and quarantine (admin)"},
    {"name": "qa", "description": "smart consult: cited answers, streamed"},
    {"name": "knowledge", "description": "regulation documents and articles"},
    {"name": "models", "description": "model versions: promote and roll back (admin)"},
    {"name": "audit", "description": "hash-chained audit log (admin)"},
]


def _ensure_first_admin(state: AppState) -> None:
    s = state.settings
    _, created = state.users.ensure(username=s.admin_user,
                                    password=s.admin_password.get_secret_value(),
                                    role="admin", display_name="Administrator")
    if created:
        state.audit.append(actor="system", role="system", action="user.create",
                           target_type="user", target_id=s.admin_user,
                           detail={"role": "admin", "from": "settings"})
        return
    # a data dir from before issue 13 may still have the old fixed admin password: replace it
    if state.users.authenticate(s.admin_user, "change-me") is not None:
        state.users.update(s.admin_user, password=s.admin_password.get_secret_value())
        state.audit.append(actor="system", role="system", action="user.update",
                           target_type="user", target_id=s.admin_user,
                           detail={"password": "***", "reason": "placeholder password replaced"})


def create_app(*, settings: ApiSettings | None = None, store: GraphStore | None = None,
               ) -> FastAPI:
    """Build the app. ``store``: an open GraphStore to use (tests); default opens
    ``graph.open_store()`` on first use and closes it at shutdown."""
    settings = settings or get_settings()
    state = AppState(settings, store=store)
    _ensure_first_admin(state)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        anchoring = asyncio.create_task(_anchor_every(state))
        try:
            yield
        finally:
            anchoring.cancel()
            state.audit.anchor()  # the head at shutdown
            state.release_store()

    app = FastAPI(
        title="PortSentinel 智慧口岸风险情报 API",
        version="0.1.0",
        description="Graph-and-knowledge risk intelligence for smart ports (HS/T 82—2024). "
                    "Errors are `application/problem+json` (RFC 9457) with a stable `code`. "
                    "Lists are paginated with `limit`/`offset` and return "
                    "`{items, total, limit, offset, next_offset}`.",
        openapi_tags=TAGS, lifespan=lifespan)
    app.state.ps = state
    app.state.audit = state.audit
    errors.install(app)
    for module in ROUTES:
        app.include_router(module.router)

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Any) -> Any:
        response = await call_next(request)
        h = response.headers
        h.setdefault("X-Content-Type-Options", "nosniff")
        h.setdefault("X-Frame-Options", "DENY")
        h.setdefault("Referrer-Policy", "same-origin")
        if request.url.path.startswith("/ui"):
            h.setdefault("Content-Security-Policy", CSP)
        if settings.env == "production":
            h.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.mount("/ui", StaticFiles(directory=STATIC, html=True), name="ui")
    app.add_middleware(MaskResponses, masker_of=lambda: state.masker)
    app.add_middleware(BodyLimit, default=settings.max_body_bytes,
                       large=settings.max_ingest_bytes, large_prefixes=LARGE_BODIES)
    app.add_middleware(AccessLog)
    return app


# routes that take big batches (JSONL events); every other body is capped at max_body_bytes
LARGE_BODIES = ("/ingest/", "/warnings/events")


async def _anchor_every(state: AppState) -> None:
    """Append the audit head to the anchor file every ``audit_anchor_every_s`` seconds."""
    while True:
        await asyncio.sleep(state.settings.audit_anchor_every_s)
        try:
            await asyncio.to_thread(state.audit.anchor)
        except OSError:
            log.exception("anchoring the audit head")

"""Errors as problem+json (RFC 9457) with stable codes, mapped in one place.

Each package raises its own exceptions (one root per package, specific subclasses);
:data:`PACKAGE_ERRORS` maps those classes to an HTTP status and a stable ``code``. The raised
exception's MRO is walked, so a subclass not listed gets its nearest listed ancestor's entry
(every package root is listed). API-layer errors are :class:`ApiError` subclasses. Raw driver
or pydantic errors never reach a caller: anything else is a 500 with code ``internal`` and no
details (logged with its traceback).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.users import UserError, UserExists, UserNotFound
from graph import exceptions as graph_x
from ingest import exceptions as ingest_x
from knowledge import exceptions as knowledge_x
from qa import exceptions as qa_x
from risk import exceptions as risk_x
from risk.warnings import exceptions as warnings_x
from training import exceptions as training_x

log = logging.getLogger("api.errors")
PROBLEM = "application/problem+json"
TYPE_BASE = "https://portsentinel.example/problems/"


class ApiError(Exception):
    status = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(self, detail: str = "", *, code: str | None = None,
                 headers: dict[str, str] | None = None, **extra: Any):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        if code:
            self.code = code
        self.headers = headers or {}
        self.extra = extra


class Unauthenticated(ApiError):
    status, code, title = 401, "auth.unauthenticated", "Not signed in"

    def __init__(self, detail: str = "", **kw: Any):
        kw.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(detail, **kw)


class InvalidCredentials(Unauthenticated):
    code, title = "auth.invalid_credentials", "Wrong user name or password"


class Forbidden(ApiError):
    status, code, title = 403, "auth.forbidden", "Not allowed"


class NotFoundError(ApiError):
    status, code, title = 404, "not_found", "Not found"


class Conflict(ApiError):
    status, code, title = 409, "conflict", "Conflict"


class RateLimited(ApiError):
    status, code, title = 429, "rate_limited", "Too many requests"


# exception class -> (HTTP status, stable code)
PACKAGE_ERRORS: dict[type[BaseException], tuple[int, str]] = {
    graph_x.GraphError: (500, "graph.error"),
    graph_x.OntologyError: (422, "graph.ontology"),
    graph_x.RecordError: (422, "graph.invalid_record"),
    graph_x.NotFound: (404, "graph.not_found"),
    graph_x.GraphUnavailable: (503, "graph.unavailable"),
    graph_x.QueryTimeout: (503, "graph.timeout"),
    ingest_x.IngestError: (422, "ingest.error"),
    ingest_x.ValidationError: (422, "ingest.invalid"),
    risk_x.RiskError: (422, "risk.error"),
    risk_x.DataError: (422, "risk.invalid_data"),
    risk_x.ModelNotFittedError: (503, "models.not_fitted"),
    risk_x.ModelArtifactError: (503, "models.artifact_refused"),
    risk_x.RegistryError: (409, "models.registry"),
    warnings_x.WarningsError: (422, "risk.warnings.error"),
    warnings_x.WarningNotFound: (404, "warnings.not_found"),
    warnings_x.IllegalTransition: (409, "warnings.illegal_transition"),
    training_x.TrainingError: (422, "training.error"),
    knowledge_x.KnowledgeError: (422, "knowledge.error"),
    knowledge_x.IndexNotBuiltError: (503, "knowledge.index_not_built"),
    knowledge_x.ModelLoadError: (503, "knowledge.model_unavailable"),
    knowledge_x.ArticleNotFoundError: (404, "knowledge.not_found"),
    qa_x.QAError: (422, "qa.error"),
    qa_x.GeneratorError: (502, "qa.generator"),
    UserError: (422, "users.invalid"),
    UserExists: (409, "users.exists"),
    UserNotFound: (404, "users.not_found"),
}


def lookup(exc: BaseException) -> tuple[int, str] | None:
    """(status, code) of the nearest class in ``exc``'s MRO listed in the table."""
    for cls in type(exc).__mro__:
        hit = PACKAGE_ERRORS.get(cls)
        if hit is not None:
            return hit
    return None


def problem(status: int, code: str, title: str, detail: str, request: Request | None,
            headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    body = {"type": TYPE_BASE + code, "title": title, "status": status, "detail": detail,
            "code": code}
    if request is not None:
        body["instance"] = request.url.path
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _audit_denied(request: Request, exc: ApiError) -> None:
    audit = getattr(request.app.state, "audit", None)
    user = getattr(request.state, "user", None)
    if audit is None:
        return
    try:
        audit.append(actor=user.username if user else "-", role=user.role if user else "-",
                     action="access.denied", target_type="route",
                     target_id=f"{request.method} {request.url.path}", outcome="denied",
                     detail={"reason": exc.detail, "code": exc.code,
                             "query": str(request.url.query)[:300]},
                     ip=request.client.host if request.client else "")
    except Exception:  # noqa: BLE001 - never hide the 403 because the log failed
        log.exception("could not record a denied request")


async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
    if exc.status == 403:
        _audit_denied(request, exc)
    return problem(exc.status, exc.code, exc.title, exc.detail, request, exc.headers,
                   **exc.extra)


async def _package_error(request: Request, exc: Exception) -> JSONResponse:
    hit = lookup(exc)
    if hit is None:
        log.exception("unmapped error on %s %s", request.method, request.url.path,
                      exc_info=exc)
        return problem(500, "internal", "Internal error", "the server hit an unexpected error",
                       request)
    status, code = hit
    detail = str(exc) if status < 500 or status in (502, 503) else "the server hit an error"
    if status >= 500 and status not in (502, 503):
        log.error("error on %s %s: %r", request.method, request.url.path, exc)
    extra = {}
    if getattr(exc, "field", None):
        extra["field"] = exc.field  # type: ignore[attr-defined]
    return problem(status, code, type(exc).__name__, detail, request, **extra)


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""),
               "type": e.get("type", "")} for e in exc.errors()]
    first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
    return problem(422, "validation", "Invalid request",
                   f"{'.'.join(first['loc'])}: {first['msg']}", request, errors=errors)


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    codes = {404: "not_found", 405: "method_not_allowed", 401: "auth.unauthenticated",
             403: "auth.forbidden"}
    code = codes.get(exc.status_code, f"http_{exc.status_code}")
    return problem(exc.status_code, code, str(exc.detail), str(exc.detail), request,
                   getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, _api_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    for cls in PACKAGE_ERRORS:
        app.add_exception_handler(cls, _package_error)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, _package_error)  # type: ignore[arg-type]

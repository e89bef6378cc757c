"""ASGI middlewares: a request-body cap (refused before the body is read or parsed, so an
unauthenticated client cannot make the server buffer megabytes) and the access log (method,
path, status, time — never the query string, which carries searched phones and names)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any, Awaitable, Callable

from api.authz import scrub_text

access_log = logging.getLogger("api.access")
Scope = dict[str, Any]
ASGI = Callable[[Scope, Callable[..., Awaitable[Any]], Callable[..., Awaitable[Any]]],
                Awaitable[None]]


def _problem(status: int, code: str, detail: str) -> bytes:
    return json.dumps({"type": "about:blank", "title": "Payload Too Large" if status == 413
                       else "Bad Request", "status": status, "detail": detail,
                       "code": code}).encode()


class BodyLimit:
    """413 for a body over ``limit_for(path)`` bytes: at once from ``Content-Length``, or as
    soon as a chunked body passes the limit."""

    def __init__(self, app: ASGI, default: int, large: int, large_prefixes: tuple[str, ...]):
        self.app, self.default, self.large, self.prefixes = app, default, large, large_prefixes

    def limit_for(self, path: str) -> int:
        return self.large if path.startswith(self.prefixes) else self.default

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None:
            try:
                n = int(length)
            except ValueError:
                n = -1
            if n < 0 or n > limit:
                await self._refuse(send, limit)
                return
        seen = 0

        async def limited() -> Any:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise _TooLarge()
            return msg

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._refuse(send, limit)

    @staticmethod
    async def _refuse(send: Any, limit: int) -> None:
        body = _problem(413, "request.too_large", f"request body over {limit} bytes")
        await send({"type": "http.response.start", "status": 413, "headers": [
            (b"content-type", b"application/problem+json"),
            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


class AccessLog:
    """One line per request: ``METHOD /path status ms`` (path scrubbed, no query string)."""

    def __init__(self, app: ASGI):
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0, status = time.perf_counter(), [0]

        async def send_(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                status[0] = msg["status"]
            await send(msg)

        try:
            await self.app(scope, receive, send_)
        finally:
            client = (scope.get("client") or ("-",))[0]
            access_log.info("%s %s %s %d %.0fms", client, scope.get("method"),
                            scrub_text(scope.get("path", "")), status[0],
                            (time.perf_counter() - t0) * 1000)


# paths whose bodies are not user data (the schema, the docs, the UI's own files)
UNMASKED_PATHS = ("/openapi.json", "/docs", "/redoc", "/ui", "/health")


class MaskResponses:
    """The one masking layer on every response path: a JSON body (problem+json included) or
    an SSE event's ``data:`` JSON goes through :func:`api.authz.mask_payload` unless the
    signed-in user has the ``pii`` grant. Routes still mask their own nodes (the graph
    explorer needs tokens it can resolve); this pass catches whatever they did not."""

    def __init__(self, app: ASGI, masker_of: Callable[[], Any]):
        self.app, self.masker_of = app, masker_of

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope.get("path", "").startswith(UNMASKED_PATHS):
            await self.app(scope, receive, send)
            return
        mode: list[str | None] = [None]
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        def unmasked() -> bool:
            user = (scope.get("state") or {}).get("user")
            return bool(user is not None and user.has_grant("pii"))

        async def send_(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                ctype = dict(msg.get("headers") or []).get(b"content-type", b"").decode()
                if unmasked():
                    mode[0] = "pass"
                elif "json" in ctype and "ndjson" not in ctype:
                    mode[0] = "json"
                elif "ndjson" in ctype or ctype.startswith(("text/csv", "text/plain")):
                    mode[0] = "text"  # exports: JSON lines masked, other text scrubbed
                elif ctype.startswith("text/event-stream"):
                    mode[0] = "sse"
                else:
                    mode[0] = "pass"
                if mode[0] in ("json", "text"):
                    start.update(msg)
                    return
                await send(msg)
                return
            if mode[0] in ("json", "text"):
                chunks.append(msg.get("body", b""))
                if msg.get("more_body"):
                    return
                raw = b"".join(chunks)
                body = self._mask_json(raw) if mode[0] == "json" else self._mask_text(raw)
                headers = [(k, v) for k, v in start.get("headers", []) if k != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
            if mode[0] == "sse" and msg.get("body"):
                msg = dict(msg, body=self._mask_sse(msg["body"]))
            await send(msg)

        await self.app(scope, receive, send_)

    def _mask_json(self, body: bytes) -> bytes:
        from api.authz import mask_payload

        try:
            data = json.loads(body)
        except ValueError:
            return body
        return json.dumps(mask_payload(data, self.masker_of()), ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")

    def _mask_text(self, body: bytes) -> bytes:
        from api.authz import mask_payload

        out = []
        for line in body.decode("utf-8", errors="replace").split("\n"):
            s = line.strip()
            if s.startswith("{") and s.endswith("}"):
                try:
                    line = json.dumps(mask_payload(json.loads(s), self.masker_of()),
                                      ensure_ascii=False)
                except ValueError:
                    line = scrub_text(line)
            else:
                line = scrub_text(line)
            out.append(line)
        return "\n".join(out).encode("utf-8")

    def _mask_sse(self, body: bytes) -> bytes:
        from api.authz import mask_payload

        out = []
        for line in body.decode("utf-8").split("\n"):
            if line.startswith("data:"):
                raw = line[5:].strip()
                try:
                    line = "data: " + json.dumps(mask_payload(json.loads(raw), self.masker_of()),
                                                 ensure_ascii=False)
                except ValueError:
                    line = "data: " + scrub_text(raw)
            out.append(line)
        return "\n".join(out).encode("utf-8")

"""Pure ASGI middleware (no per-request task or buffering beyond what each one needs)."""

from __future__ import annotations

import orjson
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promptcrafter.api.observe import Observer
from promptcrafter.errors import BODY_TOO_LARGE, FORM_TOO_LARGE
from promptcrafter.numbers import digits_at_most

MAX_BODY = 1024 * 1024
MAX_FORM = 8 * MAX_BODY  # the UI's forms, under /ui/ (see FORM_TOO_LARGE)
_TOO_LARGE = orjson.dumps({"error": BODY_TOO_LARGE})
_FORM_TOO_LARGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Form too large</title>"
    f"<h1>413</h1><p>{FORM_TOO_LARGE}</p></html>"
).encode()
_UI = "/ui/"
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})
# Public documents and the UI's fingerprinted static files may be cached.
_NOT_API = ("/docs", "/redoc", "/openapi.json", "/ui/static/")


async def _send_error(
    send: Send, status: int, body: bytes, media: bytes = b"application/json"
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", media),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodyTooLarge(Exception):
    """The body grew past the limit while it was being read."""


async def read_body(receive: Receive, limit: int | None = None) -> bytes | None:
    """The whole request body (None if the client went away), counted as it arrives."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if limit is not None and size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands out ``body`` once, then defers to the real one."""
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if not replayed:
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


class BodyLimit:
    """Refuse bodies over 1 MiB (the UI's forms: 8 MiB, answered as a page) with 413 before
    anything parses them.

    A declared Content-Length over the limit is refused without reading; a chunked body is
    counted as it arrives. The accepted body is then replayed to the application. With logs
    or metrics on, a refusal is observed here, since it never reaches the fast path (where
    every other request is).
    """

    def __init__(
        self, app: ASGIApp, limit: int = MAX_BODY, observer: Observer | None = None
    ) -> None:
        self.app = app
        self.limit = limit
        self.observer = observer

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, form: bool) -> None:
        async def too_large(scope: Scope, receive: Receive, send: Send) -> None:
            if form:
                await _send_error(send, 413, _FORM_TOO_LARGE, b"text/html; charset=utf-8")
            else:
                await _send_error(send, 413, _TOO_LARGE)

        if self.observer is None:
            await too_large(scope, receive, send)
        else:
            await self.observer.observed(too_large, scope, receive, send)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in _BODYLESS:
            await self.app(scope, receive, send)
            return
        form = scope["path"].startswith(_UI)
        limit = max(self.limit, MAX_FORM) if form else self.limit
        for name, value in scope["headers"]:
            if name == b"content-length" and digits_at_most(value, limit) is None:
                await self._refuse(scope, receive, send, form)
                return
        try:
            body = await read_body(receive, limit)
        except BodyTooLarge:
            await self._refuse(scope, receive, send, form)
            return
        if body is None:
            if self.observer is not None:  # the client went away: logged with no status
                self.observer.record(scope, None, 0.0, self.observer.request_id(scope))
            return
        await self.app(scope, replaying(body, receive), send)


class SecurityHeaders:
    """``nosniff`` everywhere; ``no-store`` on API answers (they are private to a user)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        private = not scope["path"].startswith(_NOT_API)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                if private:
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ContractCORS(CORSMiddleware):
    """Starlette's CORS, with a refused preflight answered in the error format."""

    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code == 200:
            return response
        return Response(
            orjson.dumps({"error": "This origin, method or header is not allowed (CORS)."}),
            status_code=response.status_code,
            media_type="application/json",
        )

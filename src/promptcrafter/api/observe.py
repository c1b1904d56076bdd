"""Request logs and metrics: one ``Observer``, built only when either is on.

Two ways in, one record. The hot requests that ``FastPaths`` answers itself are observed there,
inline: it already holds the response object, so the status is read from it and the request
id is added to its headers, with no wrapper around ``send`` and no second layer per request.
Everything else (and every request the fast path hands on) goes through ``Observer.observed``,
which wraps ``send`` to see the final status; an exception counts as the 500 that the server
error layer outside will answer. ``BodyLimit``'s own 413 answers go through ``observed`` too.

The route template comes from where the request was routed: FastAPI leaves its route in
``scope["route"]``, and the fast path, which skips FastAPI's routing, names its template in
``scope[ROUTE]``. A path no route matched has no template (null in the log, ``unmatched`` in
metrics), so raw paths never become labels. The caller is whoever ``authenticate_request``
recorded in ``scope[CALLER]``.
"""

from __future__ import annotations

import os
import re
import secrets
import time
from collections.abc import Iterator

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promptcrafter.accesslog import AccessLog, request_id
from promptcrafter.api.deps import CALLER, Caller
from promptcrafter.api.responses import error_response
from promptcrafter.errors import TOKEN_INVALID
from promptcrafter.metrics import CONTENT_TYPE, Metrics

METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = b"x-request-id"
# The fast path names its requests' route templates here (see api/fastpath.py).
ROUTE = "promptcrafter.route"
_VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")
_ID_BATCH = 256
_set_request_id = request_id.set  # bound once: a method look-up less per request


class Observer:
    def __init__(
        self,
        access_log: AccessLog | None,
        metrics: Metrics | None,
        metrics_token: str | None = None,
    ) -> None:
        self.access_log = access_log
        self.metrics = metrics
        self._expected_auth = f"Bearer {metrics_token}".encode() if metrics_token else None
        self._ids: Iterator[bytes] = iter(())

    def request_id(self, scope: Scope) -> bytes | None:
        """The request's id when requests are logged (kept if valid, else made), put in the
        context for any other record logged while the request runs; else None."""
        rid = self.take_id(scope)
        if rid is not None:
            _set_request_id(rid)
        return rid

    def take_id(self, scope: Scope) -> bytes | None:
        """``request_id`` without the context: the fast path puts the id there only on its
        error branches, the one place its requests log a record (the set was 8% of the
        instructions that observing a request took, 1.3k of 15.8k)."""
        if self.access_log is None:
            return None
        for name, value in scope["headers"]:
            if name == REQUEST_ID_HEADER:
                rid = bytes(value) if _VALID_ID.fullmatch(value) else self._made_id()
                break
        else:
            rid = next(self._ids, None) or self._made_id()
        return rid

    @staticmethod
    def enter(rid: bytes | None) -> None:
        """Put a ``take_id`` id in the context, before something may log."""
        if rid is not None:
            _set_request_id(rid)

    def _made_id(self) -> bytes:
        rid = next(self._ids, None)
        if rid is None:
            self._ids = _fresh_ids()
            rid = next(self._ids)
        return rid

    def record(self, scope: Scope, status: int | None, seconds: float, rid: bytes | None) -> None:
        # The fast path names its template; else FastAPI left the route it matched, if any.
        template: str | None = scope.get(ROUTE)
        if template is None:
            route = scope.get("route")
            if route is not None:
                # A mounted app's routes (the UI's, under /ui) are relative to its mount
                # point, which Starlette keeps in root_path: "/ui" + "/prompts/{id}", not the
                # API's "/prompts/{id}".
                template = scope.get("root_path", "") + route.path
        self.record_route(scope["method"], template, scope.get(CALLER), status, seconds, rid)

    def record_route(
        self,
        method: str,
        template: str | None,
        caller: Caller | None,
        status: int | None,
        seconds: float,
        rid: bytes | None,
    ) -> None:
        """``record`` for a request whose route and caller are known (the fast path's)."""
        if self.metrics is not None:
            self.metrics.observe(method, template, status, seconds)
        log = self.access_log
        if log is not None:
            if caller is None:
                log.request(method, template, status, seconds, rid or b"", None)
            else:
                # caller.user.id, not the caller.id property: a Python call less per line.
                log.request(
                    method, template, status, seconds, rid or b"", caller.user.id, caller.key_id
                )

    def scrape_app(self, scope: Scope) -> ASGIApp | None:
        """The scrape endpoint when metrics are on and this is its path."""
        if self.metrics is not None and scope["path"] == METRICS_PATH:
            scope[ROUTE] = METRICS_PATH
            return self._scrape
        return None

    async def observed(self, app: ASGIApp, scope: Scope, receive: Receive, send: Send) -> None:
        """Run ``app`` for the request, then record it with the status it answered."""
        started = time.perf_counter()
        rid = self.request_id(scope)
        status: int | None = None

        async def observed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                if rid is not None:
                    message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, rid)]
            await send(message)

        try:
            await app(scope, receive, observed_send)
        except BaseException:
            if status is None:
                status = 500  # what the server-error layer outside us will answer
            raise
        finally:
            self.record(scope, status, time.perf_counter() - started, rid)

    async def _scrape(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.metrics is not None
        if scope["method"] not in ("GET", "HEAD"):
            response = error_response(405, "This method is not allowed on this path.")
            response.headers["Allow"] = "GET, HEAD"
        elif self._expected_auth is not None and not secrets.compare_digest(
            _header(scope, b"authorization"), self._expected_auth
        ):
            response = error_response(401, TOKEN_INVALID)
        else:
            services = scope["app"].state.services
            body = self.metrics.exposition(services.db)
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", CONTENT_TYPE.encode()),
                        (b"content-length", str(len(body)).encode()),
                        (b"x-content-type-options", b"nosniff"),
                        (b"cache-control", b"no-store"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await response(scope, receive, send)


def _fresh_ids() -> Iterator[bytes]:
    """Request ids, 128 random bits each as 32 hex digits, 256 from one system call.

    They need to be unique, not secret; made in a batch by C code (hex() with a separator
    every 16 bytes, then split), an id costs a next() instead of a formatting per request.
    """
    return iter(os.urandom(16 * _ID_BATCH).hex(" ", 16).encode().split())


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""

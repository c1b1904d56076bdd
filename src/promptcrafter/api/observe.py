"""Request logs and metrics: one pure-ASGI middleware, installed only when either is on.

It sits outside everything else, so it times the whole answer and sees its final status. The
route template comes from where the request was routed: FastAPI leaves its route in
``scope["route"]``, and the fast path, which skips FastAPI's routing, names its template in
``scope[ROUTE]``. A path no route matched has no template (null in the log, ``unmatched`` in
metrics), so raw paths never become labels. The caller is whoever ``authenticate_request``
recorded in ``scope[CALLER]``.
"""

from __future__ import annotations

import os
import random
import re
import secrets
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from promptcrafter.accesslog import AccessLog, request_id
from promptcrafter.api.deps import CALLER
from promptcrafter.api.fastpath import ROUTE
from promptcrafter.api.responses import error_response
from promptcrafter.errors import TOKEN_INVALID
from promptcrafter.metrics import CONTENT_TYPE, Metrics

METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = b"x-request-id"
_VALID_ID = re.compile(rb"[A-Za-z0-9._-]{1,128}")


class Observe:
    def __init__(
        self,
        app: ASGIApp,
        access_log: AccessLog | None,
        metrics: Metrics | None,
        metrics_token: str | None = None,
    ) -> None:
        self.app = app
        self.access_log = access_log
        self.metrics = metrics
        self._expected_auth = f"Bearer {metrics_token}".encode() if metrics_token else None
        # Request ids need to be unique, not secret: a seeded generator is a tenth of the
        # cost of the system's random source.
        self._random = random.Random(os.urandom(32))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        if self.metrics is not None and scope["path"] == METRICS_PATH:
            scope[ROUTE] = METRICS_PATH
            app: ASGIApp = self._scrape
        else:
            app = self.app
        rid: bytes | None = None
        text_id = ""
        if self.access_log is not None:
            for name, value in scope["headers"]:
                if name == REQUEST_ID_HEADER:
                    if _VALID_ID.fullmatch(value):
                        rid = value
                    break
            if rid is None:
                rid = b"%032x" % self._random.getrandbits(128)
            text_id = rid.decode()
            request_id.set(text_id)
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
            self._record(scope, status, time.perf_counter() - started, text_id)

    def _record(self, scope: Scope, status: int | None, seconds: float, rid: str) -> None:
        route = scope.get("route")
        template: str | None = route.path if route is not None else scope.get(ROUTE)
        method: str = scope["method"]
        if self.metrics is not None:
            self.metrics.observe(method, template, status, seconds)
        if self.access_log is not None:
            caller = scope.get(CALLER)
            self.access_log.request(
                method,
                template,
                status,
                seconds,
                rid,
                caller.id if caller else None,
                caller.key_id if caller else None,
            )

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


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return b""

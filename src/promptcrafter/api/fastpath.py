"""A lean path for the hottest requests, in front of FastAPI.

``GET /prompts/{id}``, ``GET /search``, ``POST /logs``, ``PATCH /prompts/{id}`` and
``POST /prompts/{id}/render`` are what scripts hammer. For the ordinary shape of those
requests (a well-formed id; only the ``q`` parameter; a JSON body that the route's own model
accepts; at most one ``If-Match``) this layer answers directly, calling the same functions as
the FastAPI routes: ``authenticate``, the same request model, the store, the encoders and the
error renderer. It skips FastAPI's per-request routing, dependency solving and middleware
stack, which cost more than the database work itself. Anything else, including every request
it is unsure about and every invalid body, goes to FastAPI unchanged (the body replayed), which
then gives the detailed answer. ``HotPaths`` is called at the application's door (api/front.py)
and, for what the door leaves alone, by ``FastPaths``, the innermost middleware.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import parse_qsl

import orjson
from pydantic import ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from promptcrafter.api import exact_json
from promptcrafter.api.deps import Caller, authenticate_request
from promptcrafter.api.errors import render, unexpected
from promptcrafter.api.middleware import MAX_BODY, read_body, replaying
from promptcrafter.api.models import LogIn, PromptPatch, RenderIn
from promptcrafter.api.observe import REQUEST_ID_HEADER, ROUTE, Observer
from promptcrafter.api.responses import prompt_response
from promptcrafter.api.routes import logs as log_routes
from promptcrafter.api.routes import prompts as prompt_routes
from promptcrafter.api.routes import render as render_routes
from promptcrafter.api.routes import search
from promptcrafter.api.routing import is_json
from promptcrafter.errors import DomainError
from promptcrafter.ids import PROMPT_ID
from promptcrafter.numbers import digits_at_most
from promptcrafter.security.clientip import client_ip
from promptcrafter.services import Services
from promptcrafter.store import prompts
from promptcrafter.store.database import StoreError

_PROMPT_PREFIX = "/prompts/"
# scope[ROUTE] holds the template of the FastAPI route these requests would otherwise reach,
# for logs and metrics (api/observe.py); tests check that both name a request alike.

Handler = Callable[[Services, Caller, Any], Awaitable[Response]]
Body = TypeVar("Body", LogIn, PromptPatch, RenderIn)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _client_ip(services: Services, scope: Scope) -> str:
    peer = scope["client"][0] if scope.get("client") else None
    return client_ip(peer, _header(scope, b"x-forwarded-for"), services.trusted_proxies)


def _search_query(query_string: bytes) -> tuple[bool, str | None]:
    """(handled here?, q): only a lone, non-repeated ``q`` parameter is handled here."""
    if not query_string:
        return True, None
    try:
        # errors="strict": bytes that are no UTF-8 go to the route, which refuses them.
        pairs = parse_qsl(
            query_string.decode("latin-1"),
            keep_blank_values=True,
            strict_parsing=True,
            errors="strict",
        )
    except ValueError:
        return False, None
    if len(pairs) != 1 or pairs[0][0] != "q":
        return False, None
    return True, pairs[0][1]


async def _prompt(services: Services, caller: Caller, prompt_id: str | None) -> Response:
    assert prompt_id is not None
    return prompt_response(await prompts.get(services.db, caller.id, prompt_id))


async def _search(services: Services, caller: Caller, q: str | None) -> Response:
    return await search.answer(services.db, caller.id, q)


async def _create_log(services: Services, caller: Caller, body: LogIn) -> Response:
    return await log_routes.record(services.db, caller.id, body)


async def _update_prompt(
    services: Services, caller: Caller, change: tuple[tuple[str, str | None], PromptPatch]
) -> Response:
    (prompt_id, if_match), body = change
    return await prompt_routes.apply_patch(services.db, caller, prompt_id, body, if_match)


async def _render(services: Services, caller: Caller, job: tuple[str, RenderIn]) -> Response:
    return await render_routes.answer(services.db, caller.id, *job)


_RENDER_SUFFIX = "/render"


def _valid_body(scope: Scope, body: bytes, model: type[Body]) -> Body | None:
    content_type = _header(scope, b"content-type")
    if content_type is not None and not is_json(content_type):
        return None
    try:
        value = exact_json.loads(body) if model is RenderIn else orjson.loads(body)
        return model.model_validate(value)
    except (orjson.JSONDecodeError, ValidationError):
        return None


def _if_match(scope: Scope) -> tuple[bool, str | None]:
    """(handled here?, If-Match): a repeated If-Match is left to FastAPI."""
    values = [value for key, value in scope["headers"] if key == b"if-match"]
    if len(values) > 1:
        return False, None
    return True, values[0].decode("latin-1") if values else None


# Added to the answers given in front of the middleware stack, where SecurityHeaders (which adds
# them to everything else) never sees them; every hot route is an API route, so private.
FRONT_HEADERS = ((b"x-content-type-options", b"nosniff"), (b"cache-control", b"no-store"))
# True on a request the front door looked at and handed on, so the inner layer does not try
# again; False when it left the request to the inner layer (a body it did not read).
DECLINED = "promptcrafter.fast_declined"


class HotPaths:
    """Recognises the hot requests and answers them; ``take`` hands back the ``receive`` to go
    on with (the body replayed when it was read) for every request it leaves to FastAPI.

    It runs in one of two places. In front of the whole stack (``front=True``, see api/front.py)
    it skips FastAPI's and Starlette's per-request layers too, so it does their part itself: the
    security headers on its answers, the body limit (only a declared Content-Length within the
    limit is read here; anything else goes to ``BodyLimit``), and a 500 in the error format for
    an unexpected exception. Inside the stack (the innermost middleware, for requests the front
    door leaves alone, such as a CORS request) those layers around it do that work.

    With logs or metrics on, its own answers are observed here, inline (api/observe.py).
    """

    def __init__(self, observer: Observer | None, *, front: bool) -> None:
        self.observer = observer
        self.front = front
        self.extra_headers = FRONT_HEADERS if front else ()

    async def take(self, scope: Scope, receive: Receive, send: Send) -> Receive | None:
        method = scope["method"]
        path: str = scope["path"]
        if method == "GET":
            if path.startswith(_PROMPT_PREFIX) and not scope["query_string"]:
                prompt_id = path[len(_PROMPT_PREFIX) :]
                if PROMPT_ID.fullmatch(prompt_id):
                    scope[ROUTE] = "/prompts/{id}"
                    await self._answer(scope, receive, send, _prompt, prompt_id)
                    return None
            elif path == "/search":
                handled, q = _search_query(scope["query_string"])
                if handled:
                    scope[ROUTE] = "/search"
                    await self._answer(scope, receive, send, _search, q)
                    return None
            return receive
        if scope["query_string"] or method not in _BODY_METHODS:
            return receive
        if method == "POST" and path == "/logs":
            return await self._with_body(scope, receive, send, "/logs", LogIn, _create_log, None)
        if not path.startswith(_PROMPT_PREFIX):
            return receive
        if method == "POST" and path.endswith(_RENDER_SUFFIX):
            # A render serves production code on every call: FastAPI's per-request work was
            # more than the render of a 20 kB template.
            prompt_id = path[len(_PROMPT_PREFIX) : -len(_RENDER_SUFFIX)]
            if not PROMPT_ID.fullmatch(prompt_id):
                return receive
            return await self._with_body(
                scope, receive, send, "/prompts/{id}/render", RenderIn, _render, prompt_id
            )
        if method == "PATCH":
            # Saving a prompt: FastAPI's routing and dependency solving cost more than the
            # write itself (two thirds of the server's time per PATCH on SQLite).
            prompt_id = path[len(_PROMPT_PREFIX) :]
            handled, if_match = _if_match(scope)
            if not handled or not PROMPT_ID.fullmatch(prompt_id):
                return receive
            return await self._with_body(
                scope,
                receive,
                send,
                "/prompts/{id}",
                PromptPatch,
                _update_prompt,
                (prompt_id, if_match),
            )
        return receive

    async def _with_body(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        route: str,
        model: type[Body],
        handler: Handler,
        target: Any,
    ) -> Receive | None:
        """Read the body, and answer if the route's model accepts it."""
        if self.front and not _declared_within_limit(scope):
            # BodyLimit, in the stack, refuses or counts it as it arrives; then the inner
            # fast path may still answer it.
            scope[DECLINED] = False
            return receive
        body = await read_body(receive)  # a declared length (or BodyLimit) bounds it
        if body is None:
            if self.observer is not None:  # the client went away: logged with no status
                self.observer.record(scope, None, 0.0, self.observer.request_id(scope))
            return None
        receive = replaying(body, receive)
        parsed = _valid_body(scope, body, model)
        if parsed is None:
            return receive
        scope[ROUTE] = route
        arg = parsed if target is None else (target, parsed)
        await self._answer(scope, receive, send, handler, arg)
        return None

    async def _answer(
        self, scope: Scope, receive: Receive, send: Send, handler: Handler, arg: Any
    ) -> None:
        observer = self.observer
        if observer is not None:
            started = time.perf_counter()
            rid = observer.take_id(scope)  # in the context only on the error branches
        services: Services = scope["app"].state.services
        caller: Caller | None = None
        try:
            caller = await authenticate_request(
                services,
                scope,
                _header(scope, b"authorization"),
                lambda: _client_ip(services, scope),
            )
            response = await handler(services, caller, arg)
        except (DomainError, StoreError) as exc:
            if observer is not None:
                observer.enter(rid)  # a database error is logged
            response = render(exc)
        except Exception as exc:
            if observer is not None:
                observer.enter(rid)
            if not self.front:  # the server error layer outside answers (and logs) the 500
                if observer is not None:
                    observer.record(scope, 500, time.perf_counter() - started, rid)
                raise
            response = unexpected(exc)
        if self.extra_headers:
            response.raw_headers.extend(self.extra_headers)
        if observer is None:
            await response(scope, receive, send)
            return
        if rid is not None:
            response.raw_headers.append((REQUEST_ID_HEADER, rid))
        try:
            await response(scope, receive, send)
        finally:
            # The response object knows its status: no wrapper around send is needed.
            seconds = time.perf_counter() - started
            observer.record_route(
                scope["method"], scope[ROUTE], caller, response.status_code, seconds, rid
            )


_BODY_METHODS = frozenset({"POST", "PATCH"})


def _declared_within_limit(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-length":
            return digits_at_most(value, MAX_BODY) is not None
    return False


class FastPaths:
    """The innermost middleware: the hot requests the front door did not look at (a CORS
    request, whose headers the CORS layer outside adds) are answered here, and with logs or
    metrics on, every other request is observed through ``Observer.observed``. Off, the
    observer is None and no request pays for either."""

    def __init__(self, app: ASGIApp, observer: Observer | None = None) -> None:
        self.app = app
        self.observer = observer
        self.hot = HotPaths(observer, front=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not scope.get(DECLINED):
            taken = await self.hot.take(scope, receive, send)
            if taken is None:
                return
            receive = taken
        observer = self.observer
        if observer is None:
            await self.app(scope, receive, send)
        else:
            await observer.observed(observer.scrape_app(scope) or self.app, scope, receive, send)

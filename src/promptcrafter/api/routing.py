"""The route class every endpoint uses, and the per-route error sentences.

It tightens FastAPI's request handling to the contract: bodies are parsed by orjson (strict
UTF-8, no NaN, no lone surrogates, bounded nesting), only JSON bodies are accepted, and unknown
or repeated query parameters are refused before any work is done.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import unquote_to_bytes

import orjson
from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.dependencies.utils import request_params_to_args
from fastapi.routing import APIRoute
from starlette.responses import Response

from promptcrafter.api import exact_json
from promptcrafter.api.deps import _caller, request_caller
from promptcrafter.api.response_models import ErrorOut
from promptcrafter.errors import (
    MALFORMED_PARAMS,
    MISSING_OR_INVALID,
    NOT_JSON,
    BadRequest,
    UnsupportedMediaType,
)

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Sentences:
    """What a route says when its body, path or query parameters are invalid."""

    body: str = MISSING_OR_INVALID
    path: str = "The request is malformed."
    query: str = MALFORMED_PARAMS
    # Parameters with a sentence of their own (a version number beside a prompt id): used
    # when only such parameters are invalid.
    named: tuple[tuple[str, str], ...] = ()

    def for_location(self, location: str, names: list[str]) -> str:
        own = dict(self.named)
        if names and all(name in own for name in names):
            return own[names[0]]
        return self.path if location == "path" else self.query


_ATTRIBUTE = "__promptcrafter_sentences__"
DEFAULT_SENTENCES = Sentences()


def sentences(named: dict[str, str] | None = None, **kwargs: str) -> Callable[[F], F]:
    def mark(endpoint: F) -> F:
        setattr(endpoint, _ATTRIBUTE, Sentences(named=tuple((named or {}).items()), **kwargs))
        return endpoint

    return mark


def sentences_for(request: Request) -> Sentences:
    route = request.scope.get("route")
    endpoint = getattr(route, "endpoint", None)
    found = getattr(endpoint, _ATTRIBUTE, None)
    return found if isinstance(found, Sentences) else DEFAULT_SENTENCES


class _JSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = orjson.loads(await self.body())
        return self._json


class _ExactJSONRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = exact_json.loads(await self.body())
        return self._json


def is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (
        media.startswith("application/") and media.endswith("+json")
    )


def _utf8_query(query_string: bytes) -> bool:
    """Whether the query string, percent-decoded, is UTF-8 (names, values and separators
    alike: a separator is ASCII and cannot complete a broken sequence)."""
    try:
        unquote_to_bytes(query_string).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _not_utf8(query_string: bytes) -> list[str]:
    """The names of the parameters whose values are not UTF-8 once percent-decoded (names
    were checked before: an undecodable one is no parameter of any route)."""
    names = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        try:
            unquote_to_bytes(value.replace(b"+", b" ")).decode("utf-8")
        except UnicodeDecodeError:
            names.append(unquote_to_bytes(name.replace(b"+", b" ")).decode("utf-8", "replace"))
    return names


def _authenticates(dependant: Dependant) -> bool:
    return any(sub.call is _caller or _authenticates(sub) for sub in dependant.dependencies)


def _query_names(dependant: Dependant) -> set[str]:
    names = {param.alias for param in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


class ContractRoute(APIRoute):
    request_class: type[Request] = _JSONRequest

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, endpoint, **kwargs)
        # HEAD wherever GET works (RFC 9110; uptime checkers send it): the GET answer's
        # headers, no body (uvicorn drops it). The OpenAPI document lists only the GET.
        if self.methods is not None and "GET" in self.methods:
            self.methods.add("HEAD")

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        # A body sent without Content-Type is read as JSON, as the fast path reads it: FastAPI
        # would otherwise hand the raw bytes to validation ("not a valid dictionary") on some
        # routes while others accepted the same request. Another media type is a 415 below.
        self.strict_content_type = False
        handler = super().get_route_handler()
        query_names = frozenset(_query_names(self.dependant))
        # The route's own parameters: the sentence it gives for a query is about them. Those
        # of shared dependencies (paging, filters) are judged with the general one.
        own_names = frozenset(param.alias for param in self.dependant.query_params)
        takes_body = self.body_field is not None
        authenticates = _authenticates(self.dependant)
        path_params = self.dependant.path_params

        async def contract_handler(request: Request) -> Response:
            if authenticates:  # 401 and an API key's 403 before any 400 (SPEC Part 2)
                await request_caller(request)
            if request.scope["query_string"]:
                keys = [key for key, _ in request.query_params.multi_items()]
                if len(keys) != len(set(keys)) or not query_names.issuperset(keys):
                    # The path is judged before the query (SPEC Part 2): with a malformed id
                    # too, the handler's own validation answers with the path's sentence.
                    _, path_errors = request_params_to_args(path_params, request.path_params)
                    if not path_errors:
                        raise BadRequest(MALFORMED_PARAMS)
                if not _utf8_query(request.scope["query_string"]):
                    # Starlette would decode such bytes to U+FFFD and go on: a silent change
                    # of what was asked (a lone surrogate's bytes are no UTF-8 either).
                    _, path_errors = request_params_to_args(path_params, request.path_params)
                    if not path_errors:
                        names = _not_utf8(request.scope["query_string"])
                        if names and own_names.issuperset(names):
                            raise BadRequest(sentences_for(request).for_location("query", names))
                        raise BadRequest(MALFORMED_PARAMS)
            if takes_body:
                content_type = request.headers.get("content-type")
                if content_type is not None and not is_json(content_type):
                    raise UnsupportedMediaType(NOT_JSON)
            return await handler(request_class(request.scope, request.receive))

        request_class = self.request_class
        return contract_handler


_DESCRIPTIONS = {
    400: "Invalid input (the body says which rule failed)",
    401: "Authentication token missing, expired or invalid",
    403: "The resource belongs to another user",
    404: "No such resource",
    409: "Conflicts with existing data",
    412: "If-Match does not match the current ETag",
    413: "Request body over 1 MiB",
    415: "Body is not JSON",
    429: "Too many attempts; see Retry-After",
    503: "Database unavailable",
}


class ExactNumbersRoute(ContractRoute):
    """A route whose body keeps every integer exact (``api/exact_json.py``): render's."""

    request_class = _ExactJSONRequest


def documented_errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses a route can answer, all ``{"error": ...}``."""
    return {code: {"model": ErrorOut, "description": _DESCRIPTIONS[code]} for code in codes}

"""One place that turns every failure into the contract's ``{"error": ...}`` body."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.routing import Match

from promptcrafter.api.params import RESERVED, RESERVED_TYPE
from promptcrafter.api.responses import ORJSONResponse, error_response
from promptcrafter.api.routing import sentences_for
from promptcrafter.errors import BODY_TOO_LARGE, DATABASE_DOWN, NOT_JSON, DomainError
from promptcrafter.store.database import DatabaseUnavailable, StoreError

log = logging.getLogger("promptcrafter")

PASSWORD_POLICY = "The password does not meet the security requirements."

_STATUS_SENTENCES = {
    400: "The request is malformed.",
    404: "No resource exists at this path.",
    405: "This method is not allowed on this path.",
    413: BODY_TOO_LARGE,
    415: NOT_JSON,
}


def render(exc: DomainError | StoreError) -> Response:
    """The answer for a domain or storage error, wherever it was raised."""
    if isinstance(exc, DomainError):
        if exc.details is not None:
            body = {"error": exc.message, "details": exc.details}
            return ORJSONResponse(body, status_code=exc.status_code, headers=exc.headers)
        return error_response(exc.status_code, exc.message, exc.headers)
    if not isinstance(exc, DatabaseUnavailable):
        log.error("database error: %s", exc)
    return error_response(503, DATABASE_DOWN, {"Retry-After": "1"})


def _field(error: Any) -> str | None:
    """The field an error is about; None for a body that is not JSON at all, whose location
    is a character offset, not a field."""
    if error.get("type") == "json_invalid":
        return None
    return ".".join(str(part) for part in error.get("loc", ())[1:]) or None


async def _known(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError | StoreError)
    return render(exc)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    said = sentences_for(request)
    errors = list(exc.errors())
    places = {str(error.get("loc", ("body",))[0]) for error in errors}
    if "path" in places and all(
        error.get("type") == RESERVED_TYPE
        for error in errors
        if error.get("loc", ("",))[0] == "path"
    ):
        message = RESERVED
    elif "path" in places or "query" in places:
        location = "path" if "path" in places else "query"
        names = [
            str(loc[1])
            for loc in (error.get("loc", ()) for error in errors)
            if len(loc) > 1 and loc[0] == location
        ]
        message = said.for_location(location, names)
    elif all(error.get("type") == "password_policy" for error in errors):
        message = PASSWORD_POLICY
    else:
        message = said.body
    # Field names and problems only: submitted values (passwords!) are never echoed.
    details = [
        {"field": _field(error), "problem": str(error.get("msg", "invalid"))}
        for error in errors[:20]
    ]
    return ORJSONResponse({"error": message, "details": details}, status_code=400)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    message = _STATUS_SENTENCES.get(exc.status_code, "The request could not be served.")
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return error_response(exc.status_code, message, headers or None)


def _allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches({**request.scope, "method": "\x00"})
        if match is Match.PARTIAL:
            methods |= getattr(route, "methods", None) or set()
    return sorted(methods)


def unexpected(exc: Exception) -> Response:
    """The 500 for a bug: logged with its traceback, answered in the error format."""
    log.exception("unhandled error", exc_info=exc)
    return error_response(500, "The server failed to handle this request.")


async def _unexpected(_: Request, exc: Exception) -> Response:
    return unexpected(exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _known)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(StoreError, _known)
    app.add_exception_handler(Exception, _unexpected)

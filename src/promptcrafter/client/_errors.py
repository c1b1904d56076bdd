"""Exceptions raised by the PromptCrafter SDK and the mapping from HTTP responses to them."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

START_HINT = "Start it with `make run` or `promptcrafter serve` and try again."


class PromptCrafterError(Exception):
    """Base class of every exception the SDK raises on purpose."""


class PromptCrafterConnectionError(PromptCrafterError, ConnectionError):
    """The server could not be reached (refused connection, DNS failure, timeout, ...)."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.url = url

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message,), self.__dict__)


class UnreadableAnswerError(PromptCrafterError):
    """The server answered with a success status but a body that is not the API's (a captive
    portal or a misconfigured proxy answering in its place, for instance)."""


class PromptCrafterAPIError(PromptCrafterError):
    """The server answered with an error status.

    ``message`` is the server's own sentence (the ``error`` field of its JSON body) and
    ``status_code`` the HTTP status. ``details`` holds the optional ``details`` list.
    """

    def __init__(
        self,
        message: str,
        status_code: int,
        *,
        details: list[Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.details = details
        self.body = body
        self.headers = headers or {}

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status_code={self.status_code}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only state would be lost by the default pickling of exceptions.
        return (type(self), (self.message, self.status_code), self.__dict__)


class BadRequestError(PromptCrafterAPIError):
    """400: the request was malformed or its data invalid."""


class AuthenticationError(PromptCrafterAPIError):
    """401: missing, invalid or expired token, or wrong email or password."""


class ForbiddenError(PromptCrafterAPIError):
    """403: the resource belongs to another user."""


class NotFoundError(PromptCrafterAPIError):
    """404: no such resource."""


class ConflictError(PromptCrafterAPIError):
    """409: the request conflicts with existing data (an email already in use, ...)."""


class RateLimitError(PromptCrafterAPIError):
    """429: too many requests. ``retry_after`` is the server's advised wait in seconds."""

    def __init__(
        self,
        message: str,
        status_code: int = 429,
        *,
        retry_after: float | None = None,
        details: list[Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message, status_code, details=details, body=body, headers=headers)
        self.retry_after = retry_after


class ServerError(PromptCrafterAPIError):
    """5xx: the server failed or is unavailable."""


_BY_STATUS: dict[int, type[PromptCrafterAPIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: ForbiddenError,
    404: NotFoundError,
    409: ConflictError,
}


def parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return max(0.0, (when - datetime.now(UTC)).total_seconds())
    if not math.isfinite(seconds):
        return None
    return max(0.0, seconds)


def _read_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
        return None


def error_from_response(response: httpx.Response) -> PromptCrafterAPIError:
    """Build the exception matching an error response."""
    status = response.status_code
    body = _read_body(response)
    message: str | None = None
    details: list[Any] | None = None
    if isinstance(body, dict):
        error = body.get("error")
        if isinstance(error, str) and error.strip():
            message = error
        raw_details = body.get("details")
        if isinstance(raw_details, list):
            details = raw_details
    if message is None:
        reason = response.reason_phrase or "Error"
        message = f"The server answered HTTP {status} {reason}."
    headers = dict(response.headers)
    if status == 429:
        return RateLimitError(
            message,
            status,
            retry_after=parse_retry_after(response.headers.get("Retry-After")),
            details=details,
            body=body,
            headers=headers,
        )
    cls = ServerError if status >= 500 else _BY_STATUS.get(status, PromptCrafterAPIError)
    return cls(message, status, details=details, body=body, headers=headers)


def connection_error(exc: httpx.TransportError, base_url: str) -> PromptCrafterConnectionError:
    """Explain a transport failure in words a user can act on."""
    if isinstance(exc, httpx.ConnectTimeout):
        text = (
            f"Timed out connecting to the PromptCrafter server at {base_url}. "
            f"Check the URL and that the server is running. {START_HINT}"
        )
    elif isinstance(exc, httpx.ConnectError):
        cause = str(exc) or "connection refused"
        text = (
            f"Cannot connect to the PromptCrafter server at {base_url} ({cause}). "
            f"The server is offline or unreachable. {START_HINT}"
        )
    elif isinstance(exc, httpx.TimeoutException):
        text = f"The PromptCrafter server at {base_url} did not answer in time ({exc})."
    else:
        text = f"The connection to the PromptCrafter server at {base_url} failed ({exc})."
    return PromptCrafterConnectionError(text, url=base_url)

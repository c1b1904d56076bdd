"""Domain errors. Each carries its HTTP status and the contract's sentence; one handler renders."""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    status_code = 400
    headers: ClassVar[dict[str, str] | None] = None

    def __init__(
        self,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.details = details  # rendered as the error body's ``details`` list
        if headers is not None:
            self.headers = headers  # type: ignore[misc]  # per-instance override


class BadRequest(DomainError):
    status_code = 400


class Unauthorized(DomainError):
    status_code = 401
    headers: ClassVar[dict[str, str] | None] = {"WWW-Authenticate": "Bearer"}


class Forbidden(DomainError):
    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    status_code = 409


class PreconditionFailed(DomainError):
    status_code = 412


class PayloadTooLarge(DomainError):
    status_code = 413


class UnsupportedMediaType(DomainError):
    status_code = 415


class TooManyRequests(DomainError):
    status_code = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


class ServiceUnavailable(DomainError):
    status_code = 503


# The contract's sentences, named once.
MISSING_OR_INVALID = "Required fields are missing or invalid."
MALFORMED_PARAMS = "The request is malformed or contains invalid parameters."
TOKEN_MISSING = "Authentication token is missing."
TOKEN_INVALID = "Authentication token is expired or invalid."
BAD_CREDENTIALS = "Incorrect email or password."
DATABASE_DOWN = "The database is not reachable right now; try again shortly."
BODY_TOO_LARGE = "The request body is larger than 1 MiB."
# A browser form sends each byte of UTF-8 text as %XX: a 200,000-character prompt in CJK is
# 1.8 MB, in emoji 2.4 MB, so forms get a larger limit than JSON bodies.
FORM_TOO_LARGE = "The form is larger than 8 MiB."
NOT_JSON = "Send the body as JSON (Content-Type: application/json)."
KEY_READ_ONLY = "This API key may only read."
KEY_NOT_FOR_ACCOUNT = "API keys cannot manage the account."
LOGIN_AGAIN = "Log in again to create an API key."

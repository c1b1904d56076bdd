"""Transport-independent plumbing shared by the sync and async clients.

A request is described once as a :class:`Call` (method, path, body, how to read the answer);
both clients turn it into an ``httpx.Request`` with :func:`build_request`, send it with their
own I/O, and read the answer with :func:`handle_response`. Retry decisions live in
:class:`RetryPolicy`. The state both clients hold (base URL, token, retry policy) and the
methods that do no I/O live in :class:`ClientBase`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar, Generic, TypeVar

import httpx

from promptcrafter.client._cache import Key, PromptCache, credential_mark
from promptcrafter.client._errors import (
    PromptCrafterConnectionError,
    UnreadableAnswerError,
    connection_error,
    error_from_response,
    parse_retry_after,
)

T = TypeVar("T")
HttpT = TypeVar("HttpT", httpx.Client, httpx.AsyncClient)

URL_ENV = "PROMPTCRAFTER_URL"
API_KEY_ENV = "PROMPTCRAFTER_API_KEY"
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_RETRY_DELAY = 60.0
RETRY_STATUSES = frozenset({429, 503})

Timeout = float | httpx.Timeout | None


def _version() -> str:
    try:
        from promptcrafter import __version__
    except ImportError:  # pragma: no cover - the package always defines it
        return "unknown"
    return str(__version__)


USER_AGENT = f"promptcrafter-python/{_version()}"


def resolve_base_url(base_url: str | None) -> str:
    """The explicit URL, else ``$PROMPTCRAFTER_URL``, else the local default; no trailing slash."""
    url = (base_url or os.environ.get(URL_ENV) or DEFAULT_BASE_URL).strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValueError(f"The PromptCrafter URL must start with http:// or https://, got {url!r}.")
    try:
        httpx.URL(url)
    except httpx.InvalidURL as exc:
        raise ValueError(f"The PromptCrafter URL {url!r} is not a valid URL ({exc}).") from None
    return url.rstrip("/")


def default_headers() -> dict[str, str]:
    return {"Accept": "application/json", "User-Agent": USER_AGENT}


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API operation: what to send and how to read a successful answer."""

    method: str
    path: str
    parse: Callable[[httpx.Response], T]
    body: dict[str, Any] | None = None
    params: dict[str, str] | None = None
    authenticated: bool = True


def build_request(
    http: httpx.Client | httpx.AsyncClient, call: Call[Any], token: str | None
) -> httpx.Request:
    headers: dict[str, str] = {}
    if call.authenticated and token:
        headers["Authorization"] = f"Bearer {token}"
    return http.build_request(
        call.method, call.path, json=call.body, params=call.params, headers=headers
    )


def handle_response(call: Call[T], response: httpx.Response) -> T:
    """Return the parsed answer, or raise the exception matching an error status."""
    if not response.is_success:
        raise error_from_response(response)
    return call.parse(response)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounded retries of 429 and 503 answers, waiting as long as ``Retry-After`` says.

    Without ``Retry-After`` the wait doubles from ``backoff`` seconds. A wait longer than
    ``max_delay`` is not attempted: the error is raised at once instead.
    """

    max_retries: int = 0
    max_delay: float = DEFAULT_MAX_RETRY_DELAY
    backoff: float = 0.5

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be zero or more")
        if self.max_delay < 0:
            raise ValueError("max_retry_delay must be zero or more")

    def delay(self, response: httpx.Response, attempt: int) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to stop here."""
        if response.status_code not in RETRY_STATUSES or attempt >= self.max_retries:
            return None
        advised = parse_retry_after(response.headers.get("Retry-After"))
        wait = advised if advised is not None else self.backoff * (2**attempt)
        if wait > self.max_delay:
            return None
        return wait


class ClientBase(Generic[HttpT]):
    """What the blocking and asyncio clients share: everything but sending requests.

    A subclass sets ``_name`` (shown by ``repr``) and creates ``_http`` in its ``__init__``
    after calling this one, from :attr:`base_url` and :func:`default_headers`.
    """

    _name: ClassVar[str]
    _http: HttpT

    def __init__(
        self,
        token: str | None,
        base_url: str | None,
        max_retries: int,
        max_retry_delay: float,
        api_key: str | None = None,
    ) -> None:
        self._base_url = resolve_base_url(base_url)
        # An API key travels as a bearer credential too; $PROMPTCRAFTER_API_KEY is the default.
        self._token = token or api_key or os.environ.get(API_KEY_ENV, "").strip() or None
        self._retry = RetryPolicy(max_retries=max_retries, max_delay=max_retry_delay)
        self._prompt_cache = PromptCache()

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def token(self) -> str | None:
        return self._token

    def set_token(self, token: str | None) -> None:
        """Use ``token`` for the following requests (None to send none)."""
        self._token = token

    def __repr__(self) -> str:
        return f"{self._name}(base_url={self._base_url!r})"

    def _cache_key(self, prompt_id: str, version: int | None, label: str | None) -> Key:
        """A cached copy belongs to the credential that fetched it: after ``set_token``,
        ``login`` or ``logout`` another account's copy is never served, fresh or stale."""
        return (credential_mark(self._token), prompt_id, version, label)

    def _build(self, call: Call[Any]) -> httpx.Request:
        return build_request(self._http, call, self._token)

    def _connection_error(self, exc: httpx.TransportError) -> PromptCrafterConnectionError:
        return connection_error(exc, self._base_url)


# --- reading answers -------------------------------------------------------------------------


def read_json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as exc:
        raise UnreadableAnswerError(
            f"The server answered HTTP {response.status_code} with a body that is not JSON."
        ) from exc


def read_object(response: httpx.Response) -> dict[str, Any]:
    data = read_json(response)
    if not isinstance(data, dict):
        raise UnreadableAnswerError("The server answered with JSON that is not an object.")
    return data


def read_list(response: httpx.Response) -> list[dict[str, Any]]:
    data = read_json(response)
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise UnreadableAnswerError("The server answered with JSON that is not a list of objects.")
    return data


def read_nothing(response: httpx.Response) -> None:
    return None

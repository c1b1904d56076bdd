"""The asyncio client: the blocking client's methods, awaited."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from promptcrafter.client import _endpoints as ep
from promptcrafter.client._async_registry import AsyncRegistryMethods
from promptcrafter.client._cache import UNREACHABLE, PromptCache
from promptcrafter.client._common import (
    DEFAULT_MAX_RETRY_DELAY,
    DEFAULT_TIMEOUT,
    Call,
    ClientBase,
    Timeout,
    default_headers,
    handle_response,
)
from promptcrafter.client._types import ApiKey, Log, Prompt, User

T = TypeVar("T")


class AsyncPromptCrafterClient(AsyncRegistryMethods, ClientBase[httpx.AsyncClient]):
    """Asyncio client of the PromptCrafter API; same methods as ``PromptCrafterClient``.

    ``base_url`` defaults to ``$PROMPTCRAFTER_URL``, then ``http://127.0.0.1:8000``.
    ``max_retries`` (default 0) bounds the retries of 429 and 503 answers; each retry waits
    as long as the server's ``Retry-After`` asks, unless that exceeds ``max_retry_delay``.
    Use it as an async context manager, or await :meth:`aclose`.
    """

    _name = "AsyncPromptCrafterClient"

    def __init__(
        self,
        token: str | None = None,
        base_url: str | None = None,
        timeout: Timeout = DEFAULT_TIMEOUT,
        *,
        api_key: str | None = None,
        max_retries: int = 0,
        max_retry_delay: float = DEFAULT_MAX_RETRY_DELAY,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        super().__init__(token, base_url, max_retries, max_retry_delay, api_key)
        self._http = httpx.AsyncClient(
            base_url=self._base_url,
            timeout=timeout,
            headers=default_headers(),
            transport=transport,
        )

    # --- plumbing ------------------------------------------------------------------------------

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncPromptCrafterClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _send(self, call: Call[T]) -> T:
        attempt = 0
        while True:
            request = self._build(call)
            try:
                response = await self._http.send(request)
            except httpx.TransportError as exc:
                raise self._connection_error(exc) from exc
            wait = self._retry.delay(response, attempt)
            if wait is None:
                return handle_response(call, response)
            attempt += 1
            await asyncio.sleep(wait)

    # --- auth ----------------------------------------------------------------------------------

    async def signup(self, name: str, email: str, password: str) -> str:
        """Create an account; returns its token and uses it from now on."""
        token = await self._send(ep.signup(name, email, password))
        if token is None:  # a server that only answers with a message
            return await self.login(email, password)
        self._token = token
        return token

    async def login(self, email: str, password: str) -> str:
        """Exchange credentials for a token; returns it and uses it from now on."""
        token = await self._send(ep.login(email, password))
        self._token = token
        return token

    async def logout(self) -> None:
        """Revoke the current token on the server and forget it."""
        try:
            await self._send(ep.logout())
        finally:
            self._token = None

    async def get_me(self) -> User:
        """The account the token belongs to."""
        return await self._send(ep.me())

    async def change_password(self, current_password: str, new_password: str) -> None:
        """Change the password. Every token issued before, this client's too, stops working:
        log in again with the new password."""
        await self._send(ep.change_password(current_password, new_password))

    async def create_api_key(
        self, name: str, scope: str = "write", expires_in_days: int | None = None
    ) -> ApiKey:
        """A new API key (``scope`` "read" or "write"); its ``key`` is shown only here. Needs
        a login from the last 10 minutes."""
        return await self._send(ep.create_api_key(name, scope, expires_in_days))

    async def list_api_keys(self) -> list[ApiKey]:
        return await self._send(ep.list_api_keys())

    async def revoke_api_key(self, key_id: str) -> None:
        """Delete a key; it stops working at once."""
        await self._send(ep.revoke_api_key(key_id))

    async def health(self) -> dict[str, Any]:
        return await self._send(ep.health())

    # --- prompts -------------------------------------------------------------------------------

    async def create_prompt(
        self,
        title: str,
        content: str,
        model: str,
        tags: Sequence[str] | None = None,
        *,
        commit_message: str | None = None,
        first_version: int | None = None,
    ) -> Prompt:
        """Store a new prompt. ``first_version`` numbers its first version (default 1), for
        imports of a history that began later."""
        call = ep.create_prompt(title, content, model, tags, commit_message, first_version)
        return await self._send(call)

    async def get_prompt(
        self,
        prompt_id: str,
        version: int | None = None,
        label: str | None = None,
        cache_ttl: float | None = None,
    ) -> Prompt:
        """The prompt, or as of a ``version`` or ``label``. With ``cache_ttl`` (seconds) a copy
        is reused that long, and served (marked ``stale``) when the server cannot be reached."""
        call = ep.get_prompt(prompt_id, version, label)
        if cache_ttl is None:
            return await self._send(call)
        ttl = PromptCache.check_ttl(cache_ttl)
        key = self._cache_key(prompt_id, version, label)
        cached = self._prompt_cache.fresh(key, ttl)
        if cached is not None:
            return cached
        try:
            prompt = await self._send(call)
        except UNREACHABLE:
            stale = self._prompt_cache.last_good(key)
            if stale is None:
                raise
            return stale
        self._prompt_cache.store(key, prompt)
        return prompt

    async def get_prompts(self) -> list[Prompt]:
        """All the caller's prompts, oldest first."""
        return await self._send(ep.get_prompts())

    async def update_prompt(self, prompt_id: str, **fields: Any) -> Prompt:
        """Change any of ``title``, ``content``, ``model``, ``tags`` (with an optional
        ``commit_message`` for the version it makes); returns the new state."""
        return await self._send(ep.update_prompt(prompt_id, fields))

    async def delete_prompt(self, prompt_id: str) -> None:
        """Delete a prompt and its logs."""
        await self._send(ep.delete_prompt(prompt_id))

    async def search_prompts(self, query: str) -> list[Prompt]:
        """The caller's prompts containing every word of ``query``, best match first."""
        return await self._send(ep.search_prompts(query))

    # --- logs ----------------------------------------------------------------------------------

    async def create_log(
        self,
        prompt_id: str,
        output: str,
        model_used: str,
        notes: str | None = None,
        score: float | None = None,
        *,
        prompt_version: int | None = None,
        label: str | None = None,
    ) -> Log:
        """Record an output; ``prompt_version`` or ``label`` says which version produced it
        (default: the current one)."""
        call = ep.create_log(prompt_id, output, model_used, notes, score, prompt_version, label)
        return await self._send(call)

    async def get_logs(self) -> list[Log]:
        """All the caller's logs, oldest first."""
        return await self._send(ep.get_logs())

    async def get_logs_by_prompt(self, prompt_id: str) -> list[Log]:
        return await self._send(ep.get_logs_by_prompt(prompt_id))

    async def delete_log(self, log_id: str) -> None:
        await self._send(ep.delete_log(log_id))

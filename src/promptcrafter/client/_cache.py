"""A client-side cache of prompt texts, for ``get_prompt(..., cache_ttl=...)``.

An application that renders a labelled prompt on every request should not need a round trip
each time, nor fail when the prompt server is briefly away. A copy younger than the call's
``cache_ttl`` is served without asking; an older one is fetched again, and if the server cannot
be reached (no connection, a 5xx answer, or a body that is not the API's) the last good copy
is served, marked ``stale: True``, instead of raising. Answers that say the prompt is gone (404,
403) or the credential is refused (401) are never papered over. Copies are kept per credential,
so a client that changes accounts never serves one account's prompt to another.
"""

from __future__ import annotations

import copy
import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from promptcrafter.client._errors import (
    PromptCrafterConnectionError,
    ServerError,
    UnreadableAnswerError,
)
from promptcrafter.client._types import Prompt

# (the credential's mark, prompt id, version, label)
Key = tuple[str | None, str, int | None, str | None]
# What makes a stale copy worth serving: the server was not reached or did not answer as itself.
UNREACHABLE = (PromptCrafterConnectionError, ServerError, UnreadableAnswerError)
# Bounded so a process that reads many distinct prompts cannot grow without limit.
MAX_ENTRIES = 1024


@dataclass(slots=True)
class _Entry:
    prompt: Prompt
    fetched_at: float


def credential_mark(token: str | None) -> str | None:
    """Who a copy was fetched as, without keeping the token itself in the cache."""
    return None if token is None else hashlib.sha256(token.encode()).hexdigest()


class PromptCache:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._entries: dict[Key, _Entry] = {}
        self._lock = threading.Lock()

    @staticmethod
    def check_ttl(ttl: float) -> float:
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not ttl >= 0:
            raise ValueError("cache_ttl must be a number of seconds, zero or more")
        return float(ttl)

    def fresh(self, key: Key, ttl: float) -> Prompt | None:
        """A copy fetched less than ``ttl`` seconds ago, or None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or self._clock() - entry.fetched_at >= ttl:
                return None
            return copy.deepcopy(entry.prompt)

    def store(self, key: Key, prompt: Prompt) -> None:
        with self._lock:
            self._entries.pop(key, None)
            if len(self._entries) >= MAX_ENTRIES:
                self._entries.pop(next(iter(self._entries)))  # the oldest stored
            self._entries[key] = _Entry(copy.deepcopy(prompt), self._clock())

    def last_good(self, key: Key) -> Prompt | None:
        """The last copy fetched, however old, flagged as stale; None if there is none."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            stale = copy.deepcopy(entry.prompt)
        stale["stale"] = True
        return stale

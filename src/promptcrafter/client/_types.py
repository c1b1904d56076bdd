"""Shapes of the JSON objects the API returns (plain dicts at run time)."""

from __future__ import annotations

from typing import NotRequired, TypedDict


class User(TypedDict):
    """An account, as returned by ``GET /auth/me``."""

    _id: str
    name: str
    email: str
    createdAt: str


class Prompt(TypedDict):
    """A stored prompt. ``version``, ``labels`` and ``variables`` come from servers with the
    registry; ``stale`` is set (True) only on a cached copy served because the server could
    not be reached (see ``get_prompt(cache_ttl=...)``)."""

    _id: str
    ownerId: str
    title: str
    content: str
    model: str
    tags: list[str]
    createdAt: str
    updatedAt: str
    version: NotRequired[int]
    labels: NotRequired[dict[str, int]]
    variables: NotRequired[list[str]]
    stale: NotRequired[bool]


class Log(TypedDict):
    """A recorded output of a tested prompt; ``notes`` and ``score`` are None when not given."""

    _id: str
    promptId: str
    output: str
    modelUsed: str
    notes: str | None
    score: float | None
    createdAt: str
    promptVersion: NotRequired[int | None]
    label: NotRequired[str | None]
    model: NotRequired[str]


class Version(TypedDict):
    """One immutable snapshot in a prompt's history."""

    promptId: str
    version: int
    title: str
    content: str
    model: str
    tags: list[str]
    variables: list[str]
    commitMessage: str | None
    labels: list[str]
    createdAt: str


class Label(TypedDict):
    """A name pointing at one version of a prompt."""

    name: str
    version: int
    updatedAt: str


class LabelChange(TypedDict):
    """One entry of a label's history; ``version`` is None for a deletion, ``previousVersion``
    None for a creation."""

    name: str
    version: int | None
    previousVersion: int | None
    by: str
    at: str


class Rendered(TypedDict):
    """A template filled in by ``POST /prompts/{id}/render``."""

    promptId: str
    version: int
    rendered: str
    used: list[str]
    missing: list[str]
    unused: list[str]


class ApiKey(TypedDict):
    """An API key; ``key`` itself is present only in the answer that created it."""

    _id: str
    name: str
    scope: str
    prefix: str
    createdAt: str
    expiresAt: str | None
    lastUsedAt: str | None
    key: NotRequired[str]

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
    """A stored prompt."""

    _id: str
    ownerId: str
    title: str
    content: str
    model: str
    tags: list[str]
    createdAt: str
    updatedAt: str


class Log(TypedDict):
    """A recorded output of a tested prompt; ``notes`` and ``score`` are None when not given."""

    _id: str
    promptId: str
    output: str
    modelUsed: str
    notes: str | None
    score: float | None
    createdAt: str


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

"""Following ``Link: <...>; rel="next"`` through a paged listing, checking its shape."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.api import Account

LINK = re.compile(r'^<(/[^>\s]*)>; rel="next"$')


def next_url(response: httpx.Response) -> str | None:
    """The relative URL of the next page, or None; fails on any other ``Link`` shape."""
    link = response.headers.get("link")
    if link is None:
        return None
    match = LINK.match(link)
    assert match, link
    url = match.group(1)
    parts = urlsplit(url)
    assert not parts.scheme and not parts.netloc, url
    query = parse_qs(parts.query)
    assert "cursor" in query and "limit" in query, url
    return url


def link_params(response: httpx.Response) -> dict[str, list[str]]:
    url = next_url(response)
    assert url is not None
    return parse_qs(urlsplit(url).query)


def walk(
    client: httpx.Client,
    account: Account,
    path: str,
    params: dict[str, Any],
    between: Callable[[int], None] | None = None,
) -> tuple[list[dict[str, Any]], list[int]]:
    """Every item of a paged listing, following Link; ``between(n)`` runs after page n.
    Returns the items and each page's size."""
    response = client.get(path, params=params, headers=account.headers)
    items: list[dict[str, Any]] = []
    sizes: list[int] = []
    limit = int(params["limit"])
    for number in range(10_000):
        assert response.status_code == 200, response.text
        page = response.json()
        assert isinstance(page, list)
        assert len(page) <= limit
        items.extend(page)
        sizes.append(len(page))
        url = next_url(response)
        if url is None:
            return items, sizes
        assert len(page) == limit  # only a full page can have a next one
        if between is not None:
            between(number)
        response = client.get(url, headers=account.headers)
    raise AssertionError("the walk never ended")


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["_id"] for item in items]


def newest_first(items: list[dict[str, Any]]) -> list[str]:
    """The ids of ``items`` (listed in creation order) as ``sort=-createdAt`` orders them:
    newest first, and items of the same millisecond oldest first (SPEC: ties by creation)."""
    order = sorted(range(len(items)), key=lambda i: (items[i]["createdAt"], -i), reverse=True)
    return [items[i]["_id"] for i in order]

"""Part 2 (the registry) sentences and small request helpers shared by its API tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import Account, Api
from tests.support.contract import ok_json

NO_SUCH_VERSION = "No such version of this prompt."
NO_SUCH_LABEL = "No such label on this prompt."
RESERVED = 'The label "latest" is reserved.'
TOO_LARGE = "The rendered text would be larger than 2 MiB."

# Version references that are not an integer >= 1, as they go into a path or a query.
BAD_VERSIONS = ["0", "-1", "1.5", "x", "1e3", "+2", " 1", "00"]
BAD_LABELS = ["Prod", "1abc", "_x", "a" * 37, "a b", "é", "a:b"]


def headers(account: Account, if_match: str | None = None) -> dict[str, str]:
    result = dict(account.headers)
    if if_match is not None:
        result["If-Match"] = if_match
    return result


def patch(api: Api, account: Account, prompt_id: str, body: Any, **kw: Any) -> httpx.Response:
    return api.client.patch(f"/prompts/{prompt_id}", json=body, headers=headers(account, **kw))


def versions(api: Api, account: Account, prompt_id: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok_json(
        api.client.get(f"/prompts/{prompt_id}/versions", headers=account.headers)
    )
    return result


def set_label(
    api: Api, account: Account, prompt_id: str, name: str, version: Any
) -> httpx.Response:
    return api.client.put(
        f"/prompts/{prompt_id}/labels/{name}", json={"version": version}, headers=account.headers
    )


def current(api: Api, account: Account, prompt_id: str) -> dict[str, Any]:
    result: dict[str, Any] = ok_json(
        api.client.get(f"/prompts/{prompt_id}", headers=account.headers)
    )
    return result


def with_versions(api: Api, account: Account, *contents: str, **fields: Any) -> dict[str, Any]:
    """A prompt whose versions 1, 2, ... have these contents; the last answer."""
    prompt = api.create_prompt(account, content=contents[0], **fields)
    for content in contents[1:]:
        prompt = ok_json(patch(api, account, prompt["_id"], {"content": content}))
    return prompt

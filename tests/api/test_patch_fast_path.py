"""PATCH /prompts/{id} on the fast path (api/fastpath.py) answers as the FastAPI route does.

An ordinary PATCH never reaches FastAPI now; tests/api/test_prompt_changes.py and
test_versions.py check the contract through it. These check what only the fast path's own code
could get wrong: the answer's fields and headers, refusals (an invalid body is handed to
FastAPI for its detailed 400), key scopes, If-Match, the version it records, and search
seeing the new content as soon as the PATCH answers."""

from __future__ import annotations

from typing import Any

import httpx
from tests.support.api import Account, Api

STALE = "The prompt was changed since you read it (If-Match does not match its ETag)."
READ_ONLY = "This API key may only read."
NOT_YOURS = "Prompt does not belong to the authenticated user."
NOT_FOUND = "No prompt found with the specified ID."
INVALID = "Submitted data is invalid."


def _patch(api: Api, account: Account, path: str, body: Any, **headers: str) -> httpx.Response:
    return api.client.patch(path, json=body, headers={**account.headers, **headers})


def _prompt_id(api: Api, account: Account) -> str:
    fields = {"title": "Fast prompt", "content": "Hello", "model": "gpt-4", "tags": ["t"]}
    return str(api.create_prompt(account, **fields)["_id"])


def test_a_patch_answers_the_changed_prompt_and_records_the_version(api: Api) -> None:
    owner = api.signup()
    prompt_id = _prompt_id(api, owner)
    body = {"content": "Hi {{ name }}", "tags": ["b", "a"], "commitMessage": "Greet"}
    answer = _patch(api, owner, f"/prompts/{prompt_id}", body)
    assert answer.status_code == 200
    assert answer.headers["etag"] == '"2"'
    assert answer.headers["content-type"].startswith("application/json")
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"]  # added once
    changed = answer.json()
    assert changed == api.client.get(f"/prompts/{prompt_id}", headers=owner.headers).json()
    assert (changed["title"], changed["content"], changed["tags"]) == (
        "Fast prompt",
        "Hi {{ name }}",
        ["b", "a"],
    )
    assert (changed["version"], changed["variables"]) == (2, ["name"])
    versions = api.client.get(f"/prompts/{prompt_id}/versions", headers=owner.headers).json()
    assert [(v["version"], v["commitMessage"]) for v in versions] == [(2, "Greet"), (1, None)]


def test_refusals_answer_as_the_route_does(api: Api) -> None:
    owner, stranger = api.signup(), api.signup()
    prompt_id = _prompt_id(api, owner)
    missing = "prompt" + "0" * 26
    cases: list[tuple[Account, str, Any, dict[str, str], int, str]] = [
        (stranger, prompt_id, {"title": "Mine now"}, {}, 403, NOT_YOURS),
        (owner, missing, {"title": "Gone away"}, {}, 404, NOT_FOUND),
        (owner, prompt_id, {"title": "Stale one"}, {"If-Match": '"7"'}, 412, STALE),
        (owner, prompt_id, {"title": None}, {}, 400, INVALID),
        (owner, prompt_id, {}, {}, 400, INVALID),
    ]
    for account, target, body, headers, status, sentence in cases:
        answer = _patch(api, account, f"/prompts/{target}", body, **headers)
        assert (answer.status_code, answer.json()["error"]) == (status, sentence), body
    assert api.client.get(f"/prompts/{prompt_id}", headers=owner.headers).json()["version"] == 1


def test_if_match_and_key_scopes_hold(api: Api) -> None:
    owner = api.signup()
    prompt_id = _prompt_id(api, owner)
    stale = _patch(api, owner, f"/prompts/{prompt_id}", {"title": "Late"}, **{"If-Match": '"0"'})
    assert (stale.status_code, stale.json()) == (412, {"error": STALE})
    fresh = _patch(api, owner, f"/prompts/{prompt_id}", {"title": "On time"}, **{"If-Match": '"1"'})
    assert (fresh.status_code, fresh.json()["version"]) == (200, 2)
    key = {"name": "ro", "scope": "read"}
    made = api.client.post("/auth/keys", json=key, headers=owner.headers)
    read = {"Authorization": f"Bearer {made.json()['key']}"}
    refused = api.client.patch(f"/prompts/{prompt_id}", json={"title": "Nope"}, headers=read)
    assert (refused.status_code, refused.json()) == (403, {"error": READ_ONLY})


def test_search_finds_the_new_content_as_soon_as_the_patch_answers(api: Api) -> None:
    owner = api.signup()
    prompt_id = _prompt_id(api, owner)
    word = "zanzibarquokka"
    assert api.client.get("/search", params={"q": word}, headers=owner.headers).json() == []
    changed = _patch(api, owner, f"/prompts/{prompt_id}", {"content": f"About {word} today"})
    assert changed.status_code == 200
    found = api.client.get("/search", params={"q": word}, headers=owner.headers).json()
    assert [prompt["_id"] for prompt in found] == [prompt_id]

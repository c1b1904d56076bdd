"""The Prompts table, continued: PATCH, DELETE (with its cascade to logs) and ETag/If-Match."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    LOG_LIST_NO_PROMPT,
    LOG_NOT_FOUND,
    PROMPT_BAD_PATCH,
    PROMPT_NOT_FOUND,
    assert_error,
    assert_timestamp,
    get_prompt,
    list_logs,
    list_prompts,
    ok_json,
)

TIMESTAMP = "2024-06-20T13:20:12.000Z"


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Editor")


@pytest.fixture(scope="module")
def target(module_api: Api, owner: Account) -> dict[str, Any]:
    """A prompt every refused PATCH aims at: it must never change."""
    return module_api.create_prompt(owner, title="Untouchable", tags=["stable"])


def patch(
    api: Api, account: Account, prompt_id: str, body: Any, if_match: str | None = None
) -> httpx.Response:
    headers = dict(account.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return api.client.patch(f"/prompts/{prompt_id}", json=body, headers=headers)


def delete(
    api: Api, account: Account, prompt_id: str, if_match: str | None = None
) -> httpx.Response:
    headers = dict(account.headers)
    if if_match is not None:
        headers["If-Match"] = if_match
    return api.client.delete(f"/prompts/{prompt_id}", headers=headers)


CHANGES = [
    pytest.param({"title": "A brand new title"}, id="title"),
    pytest.param({"content": "Completely different content"}, id="content"),
    pytest.param({"model": "claude-3-opus"}, id="model"),
    pytest.param({"tags": ["fresh", "tags"]}, id="tags"),
    pytest.param({"tags": []}, id="tags-cleared"),
    pytest.param({"title": "Two at once", "model": "m2"}, id="title-and-model"),
    pytest.param(
        {"title": "All four", "content": "new", "model": "m3", "tags": ["x"]}, id="everything"
    ),
    pytest.param({"title": "t" * 100, "content": "c" * 200_000}, id="at-the-limits"),
]


@pytest.mark.parametrize("changes", CHANGES)
def test_patch_changes_only_the_given_fields(
    api: Api, owner: Account, changes: dict[str, Any]
) -> None:
    original = api.create_prompt(owner, tags=["old", "tags"])
    updated = ok_json(patch(api, owner, original["_id"], changes))
    changed = {name: value for name, value in changes.items() if original[name] != value}
    # Part 2: a change makes the next version (and ``variables`` follow the content).
    part2 = {"version": original["version"] + 1, "variables": []}
    assert updated == {**original, **changes, **part2, "updatedAt": updated["updatedAt"]}
    assert changed
    assert_timestamp(updated["updatedAt"])
    assert updated["updatedAt"] > original["updatedAt"]
    assert ok_json(get_prompt(api.client, owner, original["_id"])) == updated


def test_each_patch_moves_updated_at_forward(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner)
    seen = [prompt["updatedAt"]]
    for title in ("Edit one", "Edit two", "Edit three"):
        edited = ok_json(patch(api, owner, prompt["_id"], {"title": title}))
        assert edited["createdAt"] == prompt["createdAt"]
        seen.append(edited["updatedAt"])
    assert seen == sorted(seen) and len(set(seen)) == len(seen)


REFUSED_PATCHES = [
    pytest.param({}, id="empty"),
    pytest.param({"title": "ab"}, id="title-2"),
    pytest.param({"title": "t" * 101}, id="title-101"),
    pytest.param({"title": "   "}, id="title-blank"),
    pytest.param({"title": 5}, id="title-int"),
    pytest.param({"title": None}, id="title-null"),
    pytest.param({"content": ""}, id="content-empty"),
    pytest.param({"content": "\n\t "}, id="content-blank"),
    pytest.param({"content": "c" * 200_001}, id="content-200001"),
    pytest.param({"model": ""}, id="model-empty"),
    pytest.param({"model": "m" * 101}, id="model-101"),
    pytest.param({"model": 3}, id="model-int"),
    pytest.param({"tags": "a"}, id="tags-string"),
    pytest.param({"tags": ["t" * 51]}, id="tag-51"),
    pytest.param({"tags": [""]}, id="tag-empty"),
    pytest.param({"tags": [f"t{i}" for i in range(51)]}, id="tags-51"),
    pytest.param({"tags": [1]}, id="tag-int"),
    pytest.param({"_id": "prompt123"}, id="_id"),
    pytest.param({"ownerId": "user123"}, id="ownerId"),
    pytest.param({"createdAt": TIMESTAMP}, id="createdAt"),
    pytest.param({"updatedAt": TIMESTAMP}, id="updatedAt"),
    pytest.param({"title": "Fine title", "ownerId": "user123"}, id="valid-plus-ownerId"),
    pytest.param({"title": "Fine title", "colour": "blue"}, id="valid-plus-unknown"),
    pytest.param([{"title": "Fine title"}], id="array"),
    pytest.param("Fine title", id="string"),
]


@pytest.mark.parametrize("body", REFUSED_PATCHES)
def test_invalid_patch_is_refused_and_changes_nothing(
    api: Api, owner: Account, target: dict[str, Any], body: Any
) -> None:
    before = get_prompt(api.client, owner, target["_id"])
    assert_error(patch(api, owner, target["_id"], body), 400, PROMPT_BAD_PATCH)
    after = get_prompt(api.client, owner, target["_id"])
    assert ok_json(after) == ok_json(before) == target
    assert after.headers.get("etag") == before.headers.get("etag")


def test_delete_answers_204_and_the_prompt_is_gone(api: Api, owner: Account) -> None:
    kept = api.create_prompt(owner, title="Kept prompt")
    doomed = api.create_prompt(owner, title="Doomed prompt")
    response = delete(api, owner, doomed["_id"])
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(get_prompt(api.client, owner, doomed["_id"]), 404, PROMPT_NOT_FOUND)
    assert_error(delete(api, owner, doomed["_id"]), 404, PROMPT_NOT_FOUND)
    assert_error(patch(api, owner, doomed["_id"], {"title": "Back?"}), 404, PROMPT_NOT_FOUND)
    ids = [p["_id"] for p in list_prompts(api.client, owner)]
    assert doomed["_id"] not in ids and kept["_id"] in ids
    assert ok_json(get_prompt(api.client, owner, kept["_id"])) == kept


def test_delete_takes_the_prompts_logs_with_it(api: Api) -> None:
    user = api.signup()
    doomed = api.create_prompt(user, title="Doomed prompt")
    kept = api.create_prompt(user, title="Kept prompt")
    first = api.create_log(user, doomed["_id"], output="one")
    survivor = api.create_log(user, kept["_id"], output="two")
    last = api.create_log(user, doomed["_id"], output="three")
    assert list_logs(api.client, user) == [first, survivor, last]
    assert delete(api, user, doomed["_id"]).status_code == 204
    assert list_logs(api.client, user) == [survivor]
    assert list_logs(api.client, user, kept["_id"]) == [survivor]
    response = api.client.get("/logs", params={"promptId": doomed["_id"]}, headers=user.headers)
    assert_error(response, 404, LOG_LIST_NO_PROMPT)
    response = api.client.delete(f"/logs/{first['_id']}", headers=user.headers)
    assert_error(response, 404, LOG_NOT_FOUND)


def created_with_etag(api: Api, owner: Account) -> tuple[dict[str, Any], str]:
    response = api.client.post(
        "/prompts",
        json={"title": "Versioned", "content": "v1", "model": "gpt-4"},
        headers=owner.headers,
    )
    etag = response.headers.get("etag")
    assert etag, response.headers
    return ok_json(response, 201), etag


def test_etag_follows_every_change(api: Api, owner: Account) -> None:
    prompt, first = created_with_etag(api, owner)
    assert get_prompt(api.client, owner, prompt["_id"]).headers.get("etag") == first
    response = patch(api, owner, prompt["_id"], {"content": "v2"})
    second = response.headers.get("etag")
    assert response.status_code == 200 and second and second != first
    assert get_prompt(api.client, owner, prompt["_id"]).headers.get("etag") == second


def test_patch_with_a_stale_if_match_is_412_and_changes_nothing(api: Api, owner: Account) -> None:
    prompt, stale = created_with_etag(api, owner)
    response = patch(api, owner, prompt["_id"], {"content": "v2"})  # no If-Match: allowed
    current_body, current = ok_json(response), response.headers["etag"]
    assert current_body["content"] == "v2"
    assert_error(patch(api, owner, prompt["_id"], {"content": "lost update"}, stale), 412)
    fetched = get_prompt(api.client, owner, prompt["_id"])
    assert ok_json(fetched) == current_body
    assert fetched.headers.get("etag") == current
    response = patch(api, owner, prompt["_id"], {"content": "v3"}, current)
    assert ok_json(response)["content"] == "v3"
    assert ok_json(get_prompt(api.client, owner, prompt["_id"]))["content"] == "v3"


def test_delete_with_a_stale_if_match_is_412_and_keeps_the_prompt(api: Api, owner: Account) -> None:
    prompt, stale = created_with_etag(api, owner)
    edited = patch(api, owner, prompt["_id"], {"title": "Edited since"})
    current_body, current = ok_json(edited), edited.headers["etag"]
    assert_error(delete(api, owner, prompt["_id"], stale), 412)
    assert ok_json(get_prompt(api.client, owner, prompt["_id"])) == current_body
    assert delete(api, owner, prompt["_id"], current).status_code == 204
    assert_error(get_prompt(api.client, owner, prompt["_id"]), 404, PROMPT_NOT_FOUND)


def test_concurrent_patches_with_one_etag_let_exactly_one_win(
    api: Api, owner: Account, live_server: Any
) -> None:
    prompt, etag = created_with_etag(api, owner)

    def attempt(n: int) -> httpx.Response:
        with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
            headers = {**owner.headers, "If-Match": etag}
            return http.patch(
                f"/prompts/{prompt['_id']}", json={"content": f"writer {n}"}, headers=headers
            )

    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(attempt, range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 7, [r.text for r in responses]
    [winner] = [r.json() for r in responses if r.status_code == 200]
    assert ok_json(get_prompt(api.client, owner, prompt["_id"])) == winner

"""SPEC Part 2, Versions: snapshots on create and PATCH, the history routes, restore."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    MALFORMED_PARAMS,
    MISSING_OR_INVALID,
    PROMPT_BAD_PATCH,
    PROMPT_GET_BAD_ID,
    PROMPT_NO_READ,
    PROMPT_NOT_FOUND,
    PROMPT_NOT_YOURS,
    PROMPT_WRITE_BAD_ID,
    assert_error,
    assert_timestamp,
    ok_json,
)
from tests.support.registry import (
    BAD_VERSIONS,
    NO_SUCH_LABEL,
    NO_SUCH_VERSION,
    current,
    headers,
    patch,
    set_label,
    versions,
    with_versions,
)

VERSION_KEYS = {
    "promptId", "version", "title", "content", "model", "tags", "variables", "commitMessage",
    "labels", "createdAt",
}  # fmt: skip


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Historian")


@pytest.fixture(scope="module")
def stranger(module_api: Api) -> Account:
    return module_api.signup(name="Stranger")


def test_create_makes_version_one_with_its_commit_message(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(
        owner, content="Hi {{ name }}, {{topic}} {{name}}", tags=["a"], commitMessage="First cut"
    )
    assert (prompt["version"], prompt["labels"], prompt["variables"]) == (1, {}, ["name", "topic"])
    [first] = versions(api, owner, prompt["_id"])
    assert set(first) == VERSION_KEYS
    assert first == {
        "promptId": prompt["_id"],
        "version": 1,
        "title": prompt["title"],
        "content": prompt["content"],
        "model": prompt["model"],
        "tags": ["a"],
        "variables": ["name", "topic"],
        "commitMessage": "First cut",
        "labels": [],
        "createdAt": prompt["createdAt"],
    }
    without = api.create_prompt(owner)
    assert versions(api, owner, without["_id"])[0]["commitMessage"] is None


@pytest.mark.parametrize("message", ["", "   ", "x" * 501, 5, "nul\x00"])
def test_create_refuses_a_bad_commit_message(api: Api, owner: Account, message: Any) -> None:
    body = {"title": "Title", "content": "c", "model": "m", "commitMessage": message}
    assert_error(api.client.post("/prompts", json=body, headers=owner.headers), 400,
                 MISSING_OR_INVALID)  # fmt: skip


def test_a_changing_patch_makes_the_next_version(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner, content="one", tags=["x", "y"])
    response = patch(api, owner, prompt["_id"], {"content": "two {{v}}", "commitMessage": "why"})
    updated = ok_json(response)
    assert response.headers["etag"] == '"2"'
    assert (updated["version"], updated["variables"]) == (2, ["v"])
    second, first = versions(api, owner, prompt["_id"])
    assert (second["version"], first["version"]) == (2, 1)
    assert second == {
        **first,
        "version": 2,
        "content": "two {{v}}",
        "variables": ["v"],
        "commitMessage": "why",
        "createdAt": updated["updatedAt"],
    }
    # Tag order counts: a reordering is a change.
    reordered = ok_json(patch(api, owner, prompt["_id"], {"tags": ["y", "x"]}))
    assert reordered["version"] == 3
    assert versions(api, owner, prompt["_id"])[0]["tags"] == ["y", "x"]


def test_a_patch_of_equal_values_changes_nothing(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner, title="Same", content="same", tags=["a", "b"])
    body = {"title": "Same", "content": "same", "tags": ["a", "b"], "model": prompt["model"]}
    for attempt in (body, {"title": "Same"}, {**body, "commitMessage": "no-op"}):
        response = patch(api, owner, prompt["_id"], attempt)
        assert ok_json(response) == prompt
        assert response.headers["etag"] == '"1"'
    assert ok_json(patch(api, owner, prompt["_id"], body, if_match='"1"')) == prompt
    assert [v["version"] for v in versions(api, owner, prompt["_id"])] == [1]
    assert current(api, owner, prompt["_id"]) == prompt


def test_a_stale_if_match_is_412_even_when_nothing_would_change(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "a", "b")
    for body in ({"content": "b"}, {"content": "c"}):
        assert_error(patch(api, owner, prompt["_id"], body, if_match='"1"'), 412)
    assert current(api, owner, prompt["_id"]) == prompt


def test_a_body_of_only_a_commit_message_is_refused(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner)
    for body in (
        {"commitMessage": "only this"},
        {"commitMessage": ""},
        {"title": "Ok", "commitMessage": ""},
    ):
        assert_error(patch(api, owner, prompt["_id"], body), 400, PROMPT_BAD_PATCH)
    assert current(api, owner, prompt["_id"]) == prompt


def test_versions_are_listed_newest_first_and_fetched_one_by_one(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "v1", "v2", "v3")
    listed = versions(api, owner, prompt["_id"])
    assert [(v["version"], v["content"]) for v in listed] == [(3, "v3"), (2, "v2"), (1, "v1")]
    for version in listed:
        assert_timestamp(version["createdAt"])
        one = api.client.get(f"/prompts/{prompt['_id']}/versions/{version['version']}",
                             headers=owner.headers)  # fmt: skip
        assert ok_json(one) == version
    assert_error(api.client.get(f"/prompts/{prompt['_id']}/versions/4", headers=owner.headers),
                 404, NO_SUCH_VERSION)  # fmt: skip
    huge = api.client.get(f"/prompts/{prompt['_id']}/versions/{'9' * 40}", headers=owner.headers)
    assert_error(huge, 404, NO_SUCH_VERSION)


def test_listed_versions_carry_the_labels_pointing_at_them(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "v1", "v2")
    for name, version in (("staging", 2), ("prod", 1), ("beta", 1)):
        ok_json(set_label(api, owner, prompt["_id"], name, version))
    listed = versions(api, owner, prompt["_id"])
    assert [v["labels"] for v in listed] == [["staging"], ["beta", "prod"]]
    one = api.client.get(f"/prompts/{prompt['_id']}/versions/1", headers=owner.headers)
    assert ok_json(one)["labels"] == ["beta", "prod"]


def test_the_prompt_as_of_a_version_or_label(api: Api, owner: Account) -> None:
    first = api.create_prompt(owner, title="Old title", content="{{a}} old", tags=["t1"])
    latest = ok_json(patch(api, owner, first["_id"], {"title": "New title", "content": "new"}))
    ok_json(set_label(api, owner, first["_id"], "prod", 1))
    labels = {"prod": 1}
    as_of_one = {**first, "labels": labels}
    url = f"/prompts/{first['_id']}"
    for params in ({"version": "1"}, {"version": "001"}, {"label": "prod"}):
        response = api.client.get(url, params=params, headers=owner.headers)
        assert ok_json(response) == as_of_one, params
        assert response.headers["etag"] == '"1"'
    for params in ({"version": "2"}, {"label": "latest"}):
        assert ok_json(api.client.get(url, params=params, headers=owner.headers)) == {
            **latest,
            "labels": labels,
        }
    cases = [
        ({"version": "3"}, 404, NO_SUCH_VERSION),
        ({"label": "staging"}, 404, NO_SUCH_LABEL),
        ({"version": "1", "label": "prod"}, 400, MALFORMED_PARAMS),
        *(({"version": bad}, 400, MALFORMED_PARAMS) for bad in BAD_VERSIONS),
        ({"label": "Prod"}, 400, MALFORMED_PARAMS),
    ]
    for params, status, sentence in cases:
        assert_error(api.client.get(url, params=params, headers=owner.headers), status, sentence)


def test_restore_copies_an_old_version_as_the_next(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "first", "second")
    url = f"/prompts/{prompt['_id']}/versions/1/restore"
    restored = api.client.post(url, json={"commitMessage": "back"}, headers=owner.headers)
    body = ok_json(restored)
    assert (body["version"], body["content"], restored.headers["etag"]) == (3, "first", '"3"')
    newest = versions(api, owner, prompt["_id"])[0]
    assert (newest["version"], newest["content"], newest["commitMessage"]) == (3, "first", "back")
    # Restoring what is already current makes nothing new, and If-Match is honoured.
    assert ok_json(api.client.post(url, headers=owner.headers)) == body
    same = api.client.post(f"/prompts/{prompt['_id']}/versions/3/restore", headers=owner.headers)
    assert ok_json(same) == body
    stale = api.client.post(
        f"/prompts/{prompt['_id']}/versions/2/restore", headers=headers(owner, if_match='"2"')
    )
    assert_error(stale, 412)
    fresh = api.client.post(
        f"/prompts/{prompt['_id']}/versions/2/restore", headers=headers(owner, if_match='"3"')
    )
    assert ok_json(fresh)["version"] == 4
    assert [v["version"] for v in versions(api, owner, prompt["_id"])] == [4, 3, 2, 1]
    missing = api.client.post(f"/prompts/{prompt['_id']}/versions/9/restore", headers=owner.headers)
    assert_error(missing, 404, NO_SUCH_VERSION)
    bad = api.client.post(url, json={"commitMessage": ""}, headers=owner.headers)
    assert_error(bad, 400, MISSING_OR_INVALID)


def routes(prompt_id: str) -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/prompts/{prompt_id}/versions", None),
        ("GET", f"/prompts/{prompt_id}/versions/1", None),
        ("POST", f"/prompts/{prompt_id}/versions/1/restore", {"commitMessage": "x"}),
    ]


def test_another_users_prompt_is_403_and_stays_as_it_was(
    api: Api, owner: Account, stranger: Account
) -> None:
    prompt = with_versions(api, owner, "mine", "still mine")
    for method, path, body in routes(prompt["_id"]):
        response = api.client.request(method, path, json=body, headers=stranger.headers)
        assert_error(response, 403, PROMPT_NOT_YOURS)
    for params in ({"version": "1"}, {"label": "latest"}, {"version": "7"}):
        response = api.client.get(f"/prompts/{prompt['_id']}", params=params,
                                  headers=stranger.headers)  # fmt: skip
        assert_error(response, 403, PROMPT_NO_READ)
    assert current(api, owner, prompt["_id"]) == prompt
    assert [v["version"] for v in versions(api, owner, prompt["_id"])] == [2, 1]


def test_absent_and_malformed_prompts_and_versions(api: Api, owner: Account) -> None:
    for method, path, body in routes("prompt3"):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 404, PROMPT_NOT_FOUND)
    for method, path, body in routes("invalid_prompt_id"):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 400, PROMPT_WRITE_BAD_ID)
    response = api.client.get("/prompts/bad_id", params={"version": "0"}, headers=owner.headers)
    assert_error(response, 400, PROMPT_GET_BAD_ID)  # the path wins over the query
    prompt = api.create_prompt(owner)
    for bad in BAD_VERSIONS:
        for method, suffix in (("GET", ""), ("POST", "/restore")):
            path = f"/prompts/{prompt['_id']}/versions/{bad}{suffix}"
            assert_error(api.client.request(method, path, headers=owner.headers), 400,
                         MALFORMED_PARAMS)  # fmt: skip
    unauthenticated = api.client.get(f"/prompts/{prompt['_id']}/versions")
    assert_error(unauthenticated, 401)


def test_deleting_the_prompt_deletes_its_history(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "a", "b")
    ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    assert api.client.delete(f"/prompts/{prompt['_id']}", headers=owner.headers).status_code == 204
    for method, path, body in routes(prompt["_id"]):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 404, PROMPT_NOT_FOUND)


def test_a_history_longer_than_one_read_is_listed_whole(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, *(f"content {index}" for index in range(1, 206)))
    listed = versions(api, owner, prompt["_id"])
    assert [v["version"] for v in listed] == list(range(205, 0, -1))
    assert [v["content"] for v in listed[:2]] == ["content 205", "content 204"]

"""The Prompts table: create, list and read, and the id errors of every /prompts/{id} route.

PATCH, DELETE and ETags are in test_prompt_changes.py.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    ABSENT_PROMPT_IDS,
    MALFORMED_PARAMS,
    MISSING_OR_INVALID,
    PROMPT_GET_BAD_ID,
    PROMPT_NO_READ,
    PROMPT_NOT_FOUND,
    PROMPT_NOT_YOURS,
    PROMPT_WRITE_BAD_ID,
    assert_error,
    assert_prompt,
    get_prompt,
    list_prompts,
    ok_json,
)

VALID = {
    "title": "Summarise a paper",
    "content": "Summarise this paper in 5 lines.",
    "model": "gpt-4o",
}
TIMESTAMP = "2024-06-20T13:20:12.000Z"


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Prompt Owner")


@pytest.fixture(scope="module")
def refused(module_api: Api) -> Account:
    """An account whose every create is refused: its library must stay empty."""
    return module_api.signup(name="Refused Writer")


@pytest.fixture(scope="module")
def stranger(module_api: Api) -> Account:
    return module_api.signup(name="Stranger")


@pytest.fixture(scope="module")
def owned(module_api: Api, owner: Account) -> dict[str, Any]:
    return module_api.create_prompt(owner, title="Owned prompt", tags=["kept"])


def post_prompt(api: Api, account: Account, body: Any) -> Any:
    return api.client.post("/prompts", json=body, headers=account.headers)


def test_create_answers_201_with_the_stored_prompt(api: Api, owner: Account) -> None:
    body = {**VALID, "tags": ["research", "summary"]}
    response = post_prompt(api, owner, body)
    created = ok_json(response, 201)
    assert_prompt(created, owner, **body)
    assert response.headers.get("etag")
    fetched = get_prompt(api.client, owner, created["_id"])
    assert ok_json(fetched) == created
    assert fetched.headers.get("etag") == response.headers["etag"]


def test_tags_are_an_empty_list_when_omitted(api: Api, owner: Account) -> None:
    created = ok_json(post_prompt(api, owner, VALID), 201)
    assert_prompt(created, owner, tags=[], **VALID)
    assert ok_json(get_prompt(api.client, owner, created["_id"]))["tags"] == []


def test_ids_are_distinct(api: Api, owner: Account) -> None:
    ids = {api.create_prompt(owner)["_id"] for _ in range(3)}
    assert len(ids) == 3


def test_listing_is_the_callers_prompts_oldest_first(
    api: Api, stranger: Account, owned: dict[str, Any]
) -> None:
    user = api.signup()
    assert list_prompts(api.client, user) == []
    first = api.create_prompt(user, title="First prompt")
    api.create_prompt(stranger, title="Not the caller's")
    second = api.create_prompt(user, title="Second prompt", tags=["b"])
    third = api.create_prompt(user, title="Third prompt")
    assert list_prompts(api.client, user) == [first, second, third]
    assert owned["_id"] not in {p["_id"] for p in list_prompts(api.client, stranger)}


ACCEPTED = [
    pytest.param({"title": "abc"}, id="title-3"),
    pytest.param({"title": "t" * 100}, id="title-100"),
    pytest.param({"content": "c"}, id="content-1"),
    pytest.param({"content": "c" * 200_000}, id="content-200000"),
    pytest.param({"model": "m"}, id="model-1"),
    pytest.param({"model": "m" * 100}, id="model-100"),
    pytest.param({"tags": []}, id="tags-empty"),
    pytest.param({"tags": ["t"]}, id="tag-1"),
    pytest.param({"tags": ["t" * 50]}, id="tag-50"),
    pytest.param({"tags": [f"tag{i}" for i in range(50)]}, id="tags-50"),
]


@pytest.mark.parametrize("fields", ACCEPTED)
def test_values_at_the_limits_are_accepted(
    api: Api, owner: Account, fields: dict[str, Any]
) -> None:
    body = {**VALID, **fields}
    created = ok_json(post_prompt(api, owner, body), 201)
    assert_prompt(created, owner, **fields)
    assert ok_json(get_prompt(api.client, owner, created["_id"])) == created


def _without(name: str) -> dict[str, Any]:
    return {key: value for key, value in VALID.items() if key != name}


REJECTED_FIELDS: list[tuple[str, Any]] = [
    ("title", "ab"),
    ("title", "t" * 101),
    ("title", ""),
    ("title", "   \t "),
    ("title", 5),
    ("title", None),
    ("title", ["abc"]),
    ("title", "null\x00byte"),
    ("content", ""),
    ("content", " \n "),
    ("content", "c" * 200_001),
    ("content", 5),
    ("content", True),
    ("model", ""),
    ("model", "  "),
    ("model", "m" * 101),
    ("model", 4),
    ("tags", "a"),
    ("tags", ["t" * 51]),
    ("tags", [""]),
    ("tags", ["  "]),
    ("tags", [f"tag{i}" for i in range(51)]),
    ("tags", [5]),
    ("tags", {"a": "b"}),
    ("_id", "prompt123"),
    ("ownerId", "user123"),
    ("createdAt", TIMESTAMP),
    ("updatedAt", TIMESTAMP),
    ("colour", "blue"),
]
REJECTED = [
    *(
        pytest.param({**VALID, name: value}, id=f"{name}-{str(value)[:12]!r}-{i}")
        for i, (name, value) in enumerate(REJECTED_FIELDS)
    ),
    *(pytest.param(_without(name), id=f"missing-{name}") for name in VALID),
    pytest.param({}, id="empty-object"),
    pytest.param([VALID], id="array"),
    pytest.param("a title", id="string"),
]


@pytest.mark.parametrize("body", REJECTED)
def test_invalid_bodies_are_refused_and_nothing_is_stored(
    api: Api, refused: Account, body: Any
) -> None:
    assert_error(post_prompt(api, refused, body), 400, MISSING_OR_INVALID)
    assert list_prompts(api.client, refused) == []


RAW_BODIES = [
    pytest.param(b'{"title": "abc", "content": "c", "model": "m",}', id="trailing-comma"),
    pytest.param(b'{"title": "abc", "content": "c", "model": ', id="truncated"),
    pytest.param(b'{"title": "ab\\ud800c", "content": "c", "model": "m"}', id="lone-surrogate"),
    pytest.param(b'{"title": "abc", "content": "c", "model": "m"} x', id="trailing-data"),
    pytest.param(b'{"title": "abc", "content": "c", "model": "m", "tags": NaN}', id="nan"),
    pytest.param(b"", id="no-body"),
]


@pytest.mark.parametrize("raw", RAW_BODIES)
def test_malformed_json_is_a_400(api: Api, refused: Account, raw: bytes) -> None:
    headers = {**refused.headers, "Content-Type": "application/json"}
    assert_error(api.client.post("/prompts", content=raw, headers=headers), 400, MISSING_OR_INVALID)
    assert list_prompts(api.client, refused) == []


# (method, the sentence for a malformed id, the sentence for another user's prompt, body)
ID_ROUTES = [
    pytest.param("GET", PROMPT_GET_BAD_ID, PROMPT_NO_READ, None, id="get"),
    pytest.param(
        "PATCH", PROMPT_WRITE_BAD_ID, PROMPT_NOT_YOURS, {"title": "New title"}, id="patch"
    ),
    pytest.param("DELETE", PROMPT_WRITE_BAD_ID, PROMPT_NOT_YOURS, None, id="delete"),
]
MALFORMED_IDS = [
    "invalid_prompt_id",
    "prompt",
    "PROMPT123",
    "Prompt123",
    "promptABC",
    "prompt_1",
    "prompt-1",
    "prompt 1",
    "promptÉ1",
    "prompt" + "a" * 65,
    "log123",
    "123",
]


@pytest.mark.parametrize("prompt_id", MALFORMED_IDS)
@pytest.mark.parametrize(("method", "bad_id", "not_yours", "body"), ID_ROUTES)
def test_malformed_id_is_a_400_with_the_routes_sentence(
    api: Api, owner: Account, method: str, bad_id: str, not_yours: str, body: Any, prompt_id: str
) -> None:
    response = api.client.request(method, f"/prompts/{prompt_id}", json=body, headers=owner.headers)
    assert_error(response, 400, bad_id)


@pytest.mark.parametrize("prompt_id", ABSENT_PROMPT_IDS)
@pytest.mark.parametrize(("method", "bad_id", "not_yours", "body"), ID_ROUTES)
def test_absent_id_is_a_404(
    api: Api, owner: Account, method: str, bad_id: str, not_yours: str, body: Any, prompt_id: str
) -> None:
    response = api.client.request(method, f"/prompts/{prompt_id}", json=body, headers=owner.headers)
    assert_error(response, 404, PROMPT_NOT_FOUND)


@pytest.mark.parametrize(("method", "bad_id", "not_yours", "body"), ID_ROUTES)
def test_another_users_prompt_is_a_403_and_stays_as_it_was(
    api: Api,
    owner: Account,
    stranger: Account,
    owned: dict[str, Any],
    method: str,
    bad_id: str,
    not_yours: str,
    body: Any,
) -> None:
    before = get_prompt(api.client, owner, owned["_id"])
    response = api.client.request(
        method, f"/prompts/{owned['_id']}", json=body, headers=stranger.headers
    )
    assert_error(response, 403, not_yours)
    after = get_prompt(api.client, owner, owned["_id"])
    assert ok_json(after) == ok_json(before) == owned
    assert after.headers.get("etag") == before.headers.get("etag")


def test_a_long_listing_is_complete_and_in_order(api: Api) -> None:
    """More prompts than one page of the store: the listing must still be whole and ordered."""
    user = api.signup()
    created = [api.create_prompt(user, title=f"Prompt {i:04d}") for i in range(501)]
    assert list_prompts(api.client, user) == created


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        # (``limit`` is known since Part 2: tests/api/test_paging_prompts.py.)
        pytest.param("GET", "/prompts?offset=10", None, id="list"),
        pytest.param("POST", "/prompts?draft=1", VALID, id="create"),
        pytest.param("GET", "/prompts/{id}?fields=title", None, id="get"),
        pytest.param("PATCH", "/prompts/{id}?force=1", {"title": "Changed title"}, id="patch"),
        pytest.param("DELETE", "/prompts/{id}?cascade=0", None, id="delete"),
    ],
)
def test_unknown_query_parameters_are_refused_and_change_nothing(
    api: Api, owner: Account, owned: dict[str, Any], method: str, path: str, body: Any
) -> None:
    before = list_prompts(api.client, owner)
    url = path.format(id=owned["_id"])
    response = api.client.request(method, url, json=body, headers=owner.headers)
    assert_error(response, 400, MALFORMED_PARAMS)
    assert list_prompts(api.client, owner) == before
    assert ok_json(get_prompt(api.client, owner, owned["_id"])) == owned


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_json_is_refused(api: Api, refused: Account, content_type: str) -> None:
    headers = {**refused.headers, "Content-Type": content_type}
    response = api.client.post("/prompts", content=b"title=abc", headers=headers)
    assert response.status_code in (400, 415), response.text
    assert_error(response, response.status_code)
    assert list_prompts(api.client, refused) == []

"""The Logs table: POST /logs. Listing and DELETE are in test_log_listing.py."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    ABSENT_PROMPT_IDS,
    LOG_PROMPT_UNAVAILABLE,
    MISSING_OR_INVALID,
    assert_error,
    assert_log,
    list_logs,
    ok_json,
)


@pytest.fixture(scope="module")
def author(module_api: Api) -> Account:
    return module_api.signup(name="Log Author")


@pytest.fixture(scope="module")
def refused(module_api: Api) -> tuple[Account, dict[str, Any]]:
    """An account with one prompt whose every log is refused: it must stay without logs."""
    account = module_api.signup(name="Refused Logger")
    return account, module_api.create_prompt(account)


def post_log(api: Api, account: Account, body: Any) -> Any:
    return api.client.post("/logs", json=body, headers=account.headers)


def accepted(api: Api, author: Account, **fields: Any) -> dict[str, Any]:
    """POST a log on a fresh prompt; check the answer and that it reads back the same."""
    prompt = api.create_prompt(author)
    body = {"promptId": prompt["_id"], "output": "An output", "modelUsed": "Claude", **fields}
    created = ok_json(post_log(api, author, body), 201)
    assert_log(created, promptId=prompt["_id"])
    assert list_logs(api.client, author, prompt["_id"]) == [created]
    return created


def test_create_answers_201_with_every_field(api: Api, author: Account) -> None:
    created = accepted(
        api, author, output="The model said hi.", modelUsed="gpt-4o", notes="Too terse", score=6.5
    )
    assert_log(
        created, output="The model said hi.", modelUsed="gpt-4o", notes="Too terse", score=6.5
    )


def test_optional_fields_come_back_null(api: Api, author: Account) -> None:
    created = accepted(api, author)
    assert created["notes"] is None and created["score"] is None


@pytest.mark.parametrize("score", [0, 10, 7, 7.5, 0.1, 9.99])
def test_scores_from_0_to_10_are_kept_as_sent(api: Api, author: Account, score: float) -> None:
    created = accepted(api, author, score=score)
    assert created["score"] == score
    assert type(created["score"]) is type(score)


def test_model_is_accepted_in_place_of_model_used(api: Api, author: Account) -> None:
    prompt = api.create_prompt(author)
    body = {"promptId": prompt["_id"], "output": "An output", "model": "gemini-pro"}
    created = ok_json(post_log(api, author, body), 201)
    assert_log(created, modelUsed="gemini-pro")
    assert list_logs(api.client, author, prompt["_id"]) == [created]


ACCEPTED = [
    pytest.param({"output": "o"}, id="output-1"),
    pytest.param({"output": "o" * 500_000}, id="output-500000"),
    pytest.param({"modelUsed": "m"}, id="model-1"),
    pytest.param({"modelUsed": "m" * 100}, id="model-100"),
    pytest.param({"notes": "n" * 5000}, id="notes-5000"),
    pytest.param({"notes": "n"}, id="notes-1"),
    # notes are optional free text: only required strings must not be blank
    pytest.param({"notes": ""}, id="notes-empty"),
    pytest.param({"notes": "  \n"}, id="notes-blank"),
]


@pytest.mark.parametrize("fields", ACCEPTED)
def test_values_at_the_limits_are_accepted(
    api: Api, author: Account, fields: dict[str, Any]
) -> None:
    created = accepted(api, author, **fields)
    assert_log(created, **fields)


REFUSED_FIELDS: list[tuple[str, Any]] = [
    ("promptId", "invalid_prompt_id"),
    ("promptId", "prompt"),
    ("promptId", "PROMPT1"),
    ("promptId", "log123"),
    ("promptId", ""),
    ("promptId", 5),
    ("promptId", None),
    ("output", ""),
    ("output", "  \n "),
    ("output", "o" * 500_001),
    ("output", 5),
    ("output", None),
    ("output", "nul\x00"),
    ("modelUsed", ""),
    ("modelUsed", "  "),
    ("modelUsed", "m" * 101),
    ("modelUsed", 5),
    ("notes", "n" * 5001),
    ("notes", 5),
    ("score", -0.1),
    ("score", 10.1),
    ("score", -1),
    ("score", 11),
    ("score", True),
    ("score", False),
    ("score", "7"),
    ("score", [7]),
    ("model", "also-a-model"),
    ("_id", "log123"),
    ("createdAt", "2024-06-20T13:20:12.000Z"),
    ("colour", "blue"),
]


def _base(prompt_id: str) -> dict[str, Any]:
    return {"promptId": prompt_id, "output": "An output", "modelUsed": "Claude"}


def _body(prompt_id: str, change: tuple[str, ...]) -> dict[str, Any]:
    body = _base(prompt_id)
    if len(change) == 1:
        del body[change[0]]
    else:
        body[change[0]] = change[1]
    return body


REFUSED = [
    *(
        pytest.param((name, value), id=f"{name}-{str(value)[:12]!r}-{i}")
        for i, (name, value) in enumerate(REFUSED_FIELDS)
    ),
    *(pytest.param((name,), id=f"missing-{name}") for name in ("promptId", "output", "modelUsed")),
]


@pytest.mark.parametrize("change", REFUSED)
def test_invalid_bodies_are_refused_and_nothing_is_stored(
    api: Api, refused: tuple[Account, dict[str, Any]], change: tuple[str, ...]
) -> None:
    account, prompt = refused
    assert_error(post_log(api, account, _body(prompt["_id"], change)), 400, MISSING_OR_INVALID)
    assert list_logs(api.client, account) == []


@pytest.mark.parametrize("body", [[], "text", 7, None], ids=["array", "string", "number", "null"])
def test_a_body_that_is_not_an_object_is_refused(
    api: Api, refused: tuple[Account, dict[str, Any]], body: Any
) -> None:
    account, _ = refused
    assert_error(post_log(api, account, body), 400, MISSING_OR_INVALID)
    assert list_logs(api.client, account) == []


def test_model_alone_but_empty_is_refused(
    api: Api, refused: tuple[Account, dict[str, Any]]
) -> None:
    account, prompt = refused
    body = {"promptId": prompt["_id"], "output": "An output", "model": ""}
    assert_error(post_log(api, account, body), 400, MISSING_OR_INVALID)
    assert list_logs(api.client, account) == []


@pytest.mark.parametrize("prompt_id", ABSENT_PROMPT_IDS)
def test_absent_prompt_is_a_404(
    api: Api, refused: tuple[Account, dict[str, Any]], prompt_id: str
) -> None:
    account, _ = refused
    assert_error(post_log(api, account, _base(prompt_id)), 404, LOG_PROMPT_UNAVAILABLE)
    assert list_logs(api.client, account) == []


def test_someone_elses_prompt_is_a_404_and_gets_no_log(
    api: Api, author: Account, refused: tuple[Account, dict[str, Any]]
) -> None:
    account, _ = refused
    theirs = api.create_prompt(author)
    assert_error(post_log(api, account, _base(theirs["_id"])), 404, LOG_PROMPT_UNAVAILABLE)
    assert list_logs(api.client, account) == []
    assert list_logs(api.client, author, theirs["_id"]) == []

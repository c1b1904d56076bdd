"""The Logs table, continued: GET /logs, GET /logs?promptId=, GET /logs-by-prompt, DELETE."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    ABSENT_LOG_IDS,
    ABSENT_PROMPT_IDS,
    LOG_BAD_ID,
    LOG_BAD_PROMPT_PARAM,
    LOG_LIST_FORBIDDEN,
    LOG_LIST_NO_PROMPT,
    LOG_NOT_FOUND,
    LOG_NOT_YOURS,
    MALFORMED_PARAMS,
    assert_error,
    get_prompt,
    list_logs,
    ok_json,
)

BY_PROMPT_PATHS = ["/logs", "/logs-by-prompt"]


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Log Owner")


@pytest.fixture(scope="module")
def stranger(module_api: Api) -> Account:
    return module_api.signup(name="Log Stranger")


@pytest.fixture(scope="module")
def library(module_api: Api, owner: Account, stranger: Account) -> dict[str, Any]:
    """The owner's two prompts and three interleaved logs, one empty prompt, and a stranger's
    prompt with a log of its own. Nothing in this module changes them."""
    first = module_api.create_prompt(owner, title="First prompt")
    second = module_api.create_prompt(owner, title="Second prompt")
    empty = module_api.create_prompt(owner, title="Prompt without logs")
    logs = [
        module_api.create_log(owner, first["_id"], output="one", score=1),
        module_api.create_log(owner, second["_id"], output="two", notes="second"),
        module_api.create_log(owner, first["_id"], output="three", modelUsed="other-model"),
    ]
    theirs = module_api.create_prompt(stranger, title="Stranger's prompt")
    their_log = module_api.create_log(stranger, theirs["_id"], output="theirs")
    return {
        "first": first,
        "second": second,
        "empty": empty,
        "logs": logs,
        "theirs": theirs,
        "their_log": their_log,
    }


def by_prompt(api: Api, account: Account, path: str, query: str) -> httpx.Response:
    # The query string is written out so that empty and repeated values reach the server.
    return api.client.get(f"{path}?{query}" if query else path, headers=account.headers)


def test_get_logs_is_the_callers_logs_oldest_first(
    api: Api, owner: Account, stranger: Account, library: dict[str, Any]
) -> None:
    assert list_logs(api.client, owner) == library["logs"]
    assert list_logs(api.client, stranger) == [library["their_log"]]


def test_a_new_user_has_no_logs(api: Api) -> None:
    assert list_logs(api.client, api.signup()) == []


@pytest.mark.parametrize("path", BY_PROMPT_PATHS)
def test_filter_by_prompt_returns_that_prompts_logs_oldest_first(
    api: Api, owner: Account, library: dict[str, Any], path: str
) -> None:
    first_logs = [library["logs"][0], library["logs"][2]]
    response = by_prompt(api, owner, path, f"promptId={library['first']['_id']}")
    assert ok_json(response) == first_logs
    response = by_prompt(api, owner, path, f"promptId={library['second']['_id']}")
    assert ok_json(response) == [library["logs"][1]]


@pytest.mark.parametrize("path", BY_PROMPT_PATHS)
def test_a_prompt_without_logs_gives_an_empty_array(
    api: Api, owner: Account, library: dict[str, Any], path: str
) -> None:
    response = by_prompt(api, owner, path, f"promptId={library['empty']['_id']}")
    assert ok_json(response) == []


BAD_FILTERS = [
    pytest.param("promptId=", id="empty"),
    pytest.param("promptId=invalid_prompt_id", id="invalid"),
    pytest.param("promptId=prompt", id="prefix-only"),
    pytest.param("promptId=PROMPT1", id="uppercase"),
    pytest.param("promptId=log123", id="log-id"),
    pytest.param("promptId=prompt" + "a" * 65, id="too-long"),
    pytest.param("promptId=%20", id="blank"),
]


@pytest.mark.parametrize("query", BAD_FILTERS)
@pytest.mark.parametrize("path", BY_PROMPT_PATHS)
def test_malformed_prompt_id_filter_is_a_400(
    api: Api, owner: Account, path: str, query: str
) -> None:
    assert_error(by_prompt(api, owner, path, query), 400, LOG_BAD_PROMPT_PARAM)


def test_logs_by_prompt_without_prompt_id_is_a_400(api: Api, owner: Account) -> None:
    assert_error(by_prompt(api, owner, "/logs-by-prompt", ""), 400, LOG_BAD_PROMPT_PARAM)


@pytest.mark.parametrize("path", BY_PROMPT_PATHS)
def test_another_users_prompt_is_a_403(
    api: Api, owner: Account, library: dict[str, Any], path: str
) -> None:
    response = by_prompt(api, owner, path, f"promptId={library['theirs']['_id']}")
    assert_error(response, 403, LOG_LIST_FORBIDDEN)


@pytest.mark.parametrize("prompt_id", ABSENT_PROMPT_IDS)
@pytest.mark.parametrize("path", BY_PROMPT_PATHS)
def test_an_absent_prompt_is_a_404(api: Api, owner: Account, path: str, prompt_id: str) -> None:
    response = by_prompt(api, owner, path, f"promptId={prompt_id}")
    assert_error(response, 404, LOG_LIST_NO_PROMPT)


@pytest.mark.parametrize(
    "query",
    # (``limit`` is a known parameter since Part 2's paging; ``offset`` is not.)
    ["offset=10", "promptid=prompt3", "prompt_id=prompt3", "q=x"],
    ids=["offset", "lowercase-name", "snake-name", "q"],
)
def test_unknown_query_parameter_on_logs_is_a_400(
    api: Api, owner: Account, library: dict[str, Any], query: str
) -> None:
    assert_error(by_prompt(api, owner, "/logs", query), 400, MALFORMED_PARAMS)
    valid = f"promptId={library['first']['_id']}&{query}"
    assert_error(by_prompt(api, owner, "/logs", valid), 400, MALFORMED_PARAMS)


def test_unknown_query_parameters_elsewhere_are_a_400(
    api: Api, owner: Account, library: dict[str, Any]
) -> None:
    query = f"promptId={library['first']['_id']}&offset=1"
    assert_error(by_prompt(api, owner, "/logs-by-prompt", query), 400, MALFORMED_PARAMS)
    log_id = library["logs"][0]["_id"]
    response = api.client.delete(f"/logs/{log_id}?force=1", headers=owner.headers)
    assert_error(response, 400, MALFORMED_PARAMS)
    assert list_logs(api.client, owner) == library["logs"]


def test_a_long_listing_is_complete_and_in_order(api: Api) -> None:
    """More logs than one page of the store, on both listings: whole and ordered."""
    user = api.signup()
    prompt = api.create_prompt(user)
    created = [api.create_log(user, prompt["_id"], output=f"Output {i}") for i in range(501)]
    assert list_logs(api.client, user) == created
    assert list_logs(api.client, user, prompt["_id"]) == created


def delete_log(api: Api, account: Account, log_id: str) -> httpx.Response:
    return api.client.delete(f"/logs/{log_id}", headers=account.headers)


def test_delete_answers_204_and_the_log_is_gone(api: Api) -> None:
    user = api.signup(name="Log Deleter")
    prompt = api.create_prompt(user)
    first = api.create_log(user, prompt["_id"], output="first")
    doomed = api.create_log(user, prompt["_id"], output="doomed")
    last = api.create_log(user, prompt["_id"], output="last")
    response = delete_log(api, user, doomed["_id"])
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert list_logs(api.client, user) == [first, last]
    assert list_logs(api.client, user, prompt["_id"]) == [first, last]
    assert_error(delete_log(api, user, doomed["_id"]), 404, LOG_NOT_FOUND)
    assert ok_json(get_prompt(api.client, user, prompt["_id"])) == prompt


@pytest.mark.parametrize(
    "log_id",
    ["invalid_log_id", "log", "LOG123", "log_1", "log-1", "logÉ", "log" + "a" * 65, "prompt123"],
)
def test_malformed_log_id_is_a_400(api: Api, owner: Account, log_id: str) -> None:
    assert_error(delete_log(api, owner, log_id), 400, LOG_BAD_ID)


@pytest.mark.parametrize("log_id", ABSENT_LOG_IDS)
def test_absent_log_is_a_404(api: Api, owner: Account, log_id: str) -> None:
    assert_error(delete_log(api, owner, log_id), 404, LOG_NOT_FOUND)


def test_another_users_log_is_a_403_and_stays(
    api: Api, owner: Account, stranger: Account, library: dict[str, Any]
) -> None:
    assert_error(delete_log(api, owner, library["their_log"]["_id"]), 403, LOG_NOT_YOURS)
    assert list_logs(api.client, stranger) == [library["their_log"]]


@pytest.mark.parametrize("written", ["1_0", "%205", "5%20", "0x5", "+", "1e999", "%EF%BC%95"])
@pytest.mark.parametrize("name", ["minScore", "maxScore"])
def test_a_score_bound_is_a_decimal_number_only(
    api: Api, owner: Account, library: dict[str, Any], name: str, written: str
) -> None:
    """float() reads underscores, surrounding blanks and full-width digits; a bound is the
    400 for a bad value instead (review of 2026-12-07: `minScore=1_0` filtered as 10)."""
    answer = api.client.get(f"/logs?{name}={written}", headers=owner.headers)
    assert_error(answer, 400, MALFORMED_PARAMS)


def test_a_score_bound_may_be_written_as_people_write_decimals(
    api: Api, owner: Account, library: dict[str, Any]
) -> None:
    for written in ("1", "1.0", ".5", "1.", "1e0"):
        answer = api.client.get(f"/logs?minScore={written}", headers=owner.headers)
        assert [log["output"] for log in ok_json(answer)] == ["one"], written

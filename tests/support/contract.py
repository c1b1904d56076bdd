"""The contract's sentences and shapes, and small readers, shared by the API tests."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support.api import Account

PROMPT_ID = re.compile(r"^prompt[0-9a-z]+$")
LOG_ID = re.compile(r"^log[0-9a-z]+$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
PROMPT_KEYS = {"_id", "ownerId", "title", "content", "model", "tags", "createdAt", "updatedAt"}
LOG_KEYS = {"_id", "promptId", "output", "modelUsed", "notes", "score", "createdAt"}
# Part 2 adds these to the objects (Part 1's keys and values stay as they were).
PROMPT_KEYS |= {"version", "labels", "variables"}
LOG_KEYS |= {"promptVersion", "label", "model"}

MISSING_OR_INVALID = "Required fields are missing or invalid."
MALFORMED_PARAMS = "The request is malformed or contains invalid parameters."
TOKEN_MISSING = "Authentication token is missing."
TOKEN_INVALID = "Authentication token is expired or invalid."

PROMPT_GET_BAD_ID = "The request is malformed or the prompt ID format is invalid."
PROMPT_WRITE_BAD_ID = "The prompt ID format is invalid."
PROMPT_BAD_PATCH = "Submitted data is invalid."
PROMPT_NOT_FOUND = "No prompt found with the specified ID."
PROMPT_NO_READ = "You do not have permission to access this resource."
PROMPT_NOT_YOURS = "Prompt does not belong to the authenticated user."

LOG_PROMPT_UNAVAILABLE = "Prompt ID does not exist or is not accessible."
LOG_BAD_PROMPT_PARAM = "`promptId` missing or malformed"
LOG_LIST_FORBIDDEN = "User is not authorized to view logs for this prompt."
LOG_LIST_NO_PROMPT = "No logs found for the specified prompt ID."
LOG_BAD_ID = "The request is malformed or the log ID format is invalid."
LOG_NOT_FOUND = "No log found with the specified ID."
LOG_NOT_YOURS = "Log does not belong to the authenticated user."

SEARCH_BAD_QUERY = "Missing or malformed query string."

# Well-formed ids that nobody was ever given.
ABSENT_PROMPT_IDS = ["prompt3", "prompt" + "z" * 64]
ABSENT_LOG_IDS = ["log3", "log" + "z" * 64]


def assert_error(response: httpx.Response, status: int, sentence: str | None = None) -> None:
    """``status`` with ``{"error": sentence}`` (a ``details`` list allowed, nothing else)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict), body
    assert "error" in body and set(body) <= {"error", "details"}, body
    assert isinstance(body["error"], str) and body["error"], body
    if sentence is not None:
        assert body["error"] == sentence, body
    if "details" in body:
        assert isinstance(body["details"], list), body


def assert_timestamp(value: Any) -> None:
    """The contract's UTC millisecond format, and a moment close to now (so really UTC)."""
    assert isinstance(value, str) and TIMESTAMP.match(value), value
    moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=10), value


def assert_prompt(body: Any, owner: Account, **fields: Any) -> None:
    assert isinstance(body, dict) and set(body) == PROMPT_KEYS, body
    assert PROMPT_ID.match(body["_id"]), body["_id"]
    assert body["ownerId"] == owner.user["_id"]
    assert_timestamp(body["createdAt"])
    assert_timestamp(body["updatedAt"])
    for name, value in fields.items():
        assert body[name] == value, name


def assert_log(body: Any, **fields: Any) -> None:
    assert isinstance(body, dict) and set(body) == LOG_KEYS, body
    assert LOG_ID.match(body["_id"]), body["_id"]
    assert_timestamp(body["createdAt"])
    for name, value in fields.items():
        assert body[name] == value, name


def ok_json(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def get_prompt(client: httpx.Client, account: Account, prompt_id: str) -> httpx.Response:
    return client.get(f"/prompts/{prompt_id}", headers=account.headers)


def list_prompts(client: httpx.Client, account: Account) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok_json(client.get("/prompts", headers=account.headers))
    return result


def list_logs(
    client: httpx.Client, account: Account, prompt_id: str | None = None
) -> list[dict[str, Any]]:
    params = {} if prompt_id is None else {"promptId": prompt_id}
    response = client.get("/logs", params=params, headers=account.headers)
    result: list[dict[str, Any]] = ok_json(response)
    return result


def search(client: httpx.Client, account: Account, query: str) -> list[dict[str, Any]]:
    response = client.get("/search", params={"q": query}, headers=account.headers)
    result: list[dict[str, Any]] = ok_json(response)
    return result

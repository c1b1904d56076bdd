"""SPEC Part 2, Diff: GET /prompts/{id}/diff, content checked against difflib."""

from __future__ import annotations

import difflib
from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import ABSENT_PROMPT_IDS, PROMPT_NOT_FOUND, assert_error, ok_json
from tests.support.registry import NO_SUCH_LABEL, NO_SUCH_VERSION, patch, set_label

MALFORMED = "The request is malformed or contains invalid parameters."
ID_INVALID = "The prompt ID format is invalid."
NOT_YOURS = "Prompt does not belong to the authenticated user."

V1 = {
    "title": "Greeting",
    "content": "Hello {{ name }}.\nLine two\nLine three\nLine four\nBye",
    "model": "gpt-4o",
    "tags": ["a", "b"],
}
V2 = {"content": "Hello {{ name }}.\nLine 2\nLine three\nLine four\nBye {{ who }}"}
V3 = {"title": "Greeting, kinder", "model": "claude", "tags": ["b", "c", "d"]}


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Diff Owner")


@pytest.fixture(scope="module")
def prompt_id(module_api: Api, owner: Account) -> str:
    prompt = module_api.create_prompt(owner, **V1)
    for change in (V2, V3):
        ok_json(patch(module_api, owner, prompt["_id"], change))
    ok_json(set_label(module_api, owner, prompt["_id"], "prod", 1))
    return str(prompt["_id"])


def get_diff(api: Api, account: Account, prompt_id: str, **params: str) -> Any:
    return api.client.get(f"/prompts/{prompt_id}/diff", params=params, headers=account.headers)


def unified(before: str, after: str, n_from: int, n_to: int) -> str:
    return "\n".join(
        difflib.unified_diff(
            before.splitlines(),
            after.splitlines(),
            fromfile=f"v{n_from}",
            tofile=f"v{n_to}",
            n=3,
            lineterm="",
        )
    )


def test_content_and_variables(api: Api, owner: Account, prompt_id: str) -> None:
    body = ok_json(get_diff(api, owner, prompt_id, **{"from": "1", "to": "2"}))
    assert set(body) == {
        "promptId", "from", "to", "title", "model", "tags", "variables", "content"
    }  # fmt: skip
    assert (body["promptId"], body["from"], body["to"]) == (prompt_id, 1, 2)
    assert body["title"] is None and body["model"] is None
    assert body["tags"] == {"added": [], "removed": []}
    assert body["variables"] == {"added": ["who"], "removed": []}
    content = body["content"]
    assert content["changed"] is True
    assert content["unified"] == unified(V1["content"], V2["content"], 1, 2)
    assert content["lines"] == [
        {"op": "equal", "text": "Hello {{ name }}."},
        {"op": "delete", "text": "Line two"},
        {"op": "insert", "text": "Line 2"},
        {"op": "equal", "text": "Line three"},
        {"op": "equal", "text": "Line four"},
        {"op": "delete", "text": "Bye"},
        {"op": "insert", "text": "Bye {{ who }}"},
    ]


def test_defaults_are_the_current_version_and_the_one_before(
    api: Api, owner: Account, prompt_id: str
) -> None:
    body = ok_json(get_diff(api, owner, prompt_id))
    assert (body["from"], body["to"]) == (2, 3)
    assert body["title"] == {"from": "Greeting", "to": "Greeting, kinder"}
    assert body["model"] == {"from": "gpt-4o", "to": "claude"}
    assert body["tags"] == {"added": ["c", "d"], "removed": ["a"]}
    assert body["content"] == {
        "changed": False,
        "unified": "",
        "lines": [{"op": "equal", "text": line} for line in V2["content"].splitlines()],
    }
    # Only `to` given: `from` is the version before it.
    assert ok_json(get_diff(api, owner, prompt_id, to="2"))["from"] == 1


def test_labels_and_latest(api: Api, owner: Account, prompt_id: str) -> None:
    body = ok_json(get_diff(api, owner, prompt_id, **{"from": "prod", "to": "latest"}))
    assert (body["from"], body["to"]) == (1, 3)
    assert body["tags"] == {"added": ["c", "d"], "removed": ["a"]}
    assert body["content"]["unified"] == unified(V1["content"], V2["content"], 1, 3)
    backwards = ok_json(get_diff(api, owner, prompt_id, **{"from": "3", "to": "prod"}))
    assert backwards["variables"] == {"added": [], "removed": ["who"]}


def test_the_first_version_is_compared_with_itself(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner, content="only\ntext")
    body = ok_json(get_diff(api, owner, prompt["_id"]))
    assert (body["from"], body["to"]) == (1, 1)
    assert body["content"]["changed"] is False and body["content"]["unified"] == ""
    assert ok_json(get_diff(api, owner, prompt["_id"], to="1"))["from"] == 1


@pytest.mark.parametrize(
    ("params", "sentence"),
    [
        ({"from": "9"}, NO_SUCH_VERSION),
        ({"to": "9"}, NO_SUCH_VERSION),
        ({"from": "staging"}, NO_SUCH_LABEL),
        ({"to": "staging", "from": "1"}, NO_SUCH_LABEL),
    ],
)
def test_unknown_versions_and_labels_are_404(
    api: Api, owner: Account, prompt_id: str, params: dict[str, str], sentence: str
) -> None:
    assert_error(get_diff(api, owner, prompt_id, **params), 404, sentence)


@pytest.mark.parametrize(
    "params",
    [{"from": "0"}, {"to": "-2"}, {"from": "1.0"}, {"to": "Prod"}, {"from": ""}, {"a": "1"}],
)
def test_bad_parameters_are_400_before_ownership(
    api: Api, prompt_id: str, params: dict[str, str]
) -> None:
    stranger = api.signup(name="Diff stranger")
    assert_error(get_diff(api, stranger, prompt_id, **params), 400, MALFORMED)


def test_another_users_prompt_is_403(api: Api, prompt_id: str) -> None:
    stranger = api.signup(name="Diff stranger 2")
    assert_error(get_diff(api, stranger, prompt_id), 403, NOT_YOURS)
    assert_error(get_diff(api, stranger, prompt_id, **{"from": "99"}), 403, NOT_YOURS)


@pytest.mark.parametrize("absent", ABSENT_PROMPT_IDS)
def test_an_absent_prompt_is_404(api: Api, owner: Account, absent: str) -> None:
    assert_error(get_diff(api, owner, absent), 404, PROMPT_NOT_FOUND)


def test_a_malformed_id_is_400(api: Api, owner: Account) -> None:
    assert_error(get_diff(api, owner, "invalid_prompt_id"), 400, ID_INVALID)


def test_the_routes_are_documented(api: Api) -> None:
    paths = ok_json(api.client.get("/openapi.json"))["paths"]
    for route in ("stats", "compare", "diff"):
        operation = paths[f"/prompts/{{id}}/{route}"]["get"]
        assert {"200", "400", "401", "403", "404"} <= set(operation["responses"])
        assert "422" not in operation["responses"]
    names = {p["name"] for p in paths["/prompts/{id}/compare"]["get"]["parameters"]}
    assert {"id", "a", "b", "model"} <= names
    names = {p["name"] for p in paths["/prompts/{id}/diff"]["get"]["parameters"]}
    assert {"from", "to"} <= names

"""SPEC Part 2, Logs and versions: each log records the version that produced it."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    LOG_PROMPT_UNAVAILABLE,
    MISSING_OR_INVALID,
    assert_error,
    assert_log,
    list_logs,
    ok_json,
)
from tests.support.registry import NO_SUCH_LABEL, NO_SUCH_VERSION, set_label, with_versions


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Logger")


def post_log(api: Api, account: Account, prompt_id: str, **fields: Any) -> Any:
    body = {"promptId": prompt_id, "output": "out", "modelUsed": "m1", **fields}
    return api.client.post("/logs", json=body, headers=account.headers)


def test_a_log_records_a_concrete_version(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one", "two", "three")
    ok_json(set_label(api, owner, prompt["_id"], "prod", 2))
    cases = [
        ({}, 3, None),
        ({"promptVersion": 1}, 1, None),
        ({"label": "prod"}, 2, "prod"),
        ({"label": "latest"}, 3, "latest"),
    ]
    made = []
    for fields, version, label in cases:
        log = ok_json(post_log(api, owner, prompt["_id"], **fields), 201)
        assert_log(log, promptVersion=version, label=label, modelUsed="m1", model="m1")
        made.append(log)
    # The label's target at the time counts: moving it later changes no log.
    ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    assert list_logs(api.client, owner, prompt["_id"]) == made
    via_alias = ok_json(post_log(api, owner, prompt["_id"], modelUsed=None, model="m2"), 201)
    assert (via_alias["modelUsed"], via_alias["model"]) == ("m2", "m2")


def test_unknown_versions_and_labels_are_404_and_nothing_is_stored(
    api: Api, owner: Account
) -> None:
    prompt = with_versions(api, owner, "one")
    assert_error(post_log(api, owner, prompt["_id"], promptVersion=2), 404, NO_SUCH_VERSION)
    assert_error(post_log(api, owner, prompt["_id"], promptVersion=2**40), 404, NO_SUCH_VERSION)
    assert_error(post_log(api, owner, prompt["_id"], label="prod"), 404, NO_SUCH_LABEL)
    stranger = api.signup(name="Stranger")
    for fields in ({}, {"promptVersion": 1}, {"label": "latest"}, {"promptVersion": 5}):
        response = post_log(api, stranger, prompt["_id"], **fields)
        assert_error(response, 404, LOG_PROMPT_UNAVAILABLE)
    assert_error(post_log(api, owner, "prompt3", label="prod"), 404, LOG_PROMPT_UNAVAILABLE)
    assert list_logs(api.client, owner, prompt["_id"]) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"promptVersion": 1, "label": "prod"},
        {"promptVersion": 0},
        {"promptVersion": "1"},
        {"promptVersion": 1.0},
        {"promptVersion": True},
        {"label": "Prod"},
        {"label": ""},
        {"label": 3},
    ],
)
def test_malformed_version_fields_are_400(api: Api, owner: Account, fields: dict[str, Any]) -> None:
    prompt = api.create_prompt(owner)
    assert_error(post_log(api, owner, prompt["_id"], **fields), 400, MISSING_OR_INVALID)
    assert list_logs(api.client, owner, prompt["_id"]) == []

"""SPEC Part 2, Labels: set, move, delete, list, history, and the reserved ``latest``."""

from __future__ import annotations

from typing import Any

import pytest
from tests.security.helpers import fetch
from tests.support.api import Account, Api
from tests.support.contract import (
    MALFORMED_PARAMS,
    MISSING_OR_INVALID,
    PROMPT_NOT_FOUND,
    PROMPT_NOT_YOURS,
    PROMPT_WRITE_BAD_ID,
    assert_error,
    assert_timestamp,
    ok_json,
)
from tests.support.registry import (
    BAD_LABELS,
    NO_SUCH_LABEL,
    NO_SUCH_VERSION,
    RESERVED,
    current,
    set_label,
    versions,
    with_versions,
)
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Labeller")


@pytest.fixture(scope="module")
def stranger(module_api: Api) -> Account:
    return module_api.signup(name="Stranger")


def labels(api: Api, account: Account, prompt_id: str) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok_json(
        api.client.get(f"/prompts/{prompt_id}/labels", headers=account.headers)
    )
    return result


def history(api: Api, account: Account, prompt_id: str, name: str) -> list[dict[str, Any]]:
    response = api.client.get(f"/prompts/{prompt_id}/labels/{name}/history",
                              headers=account.headers)  # fmt: skip
    result: list[dict[str, Any]] = ok_json(response)
    return result


def delete_label(api: Api, account: Account, prompt_id: str, name: str) -> int:
    response = api.client.delete(f"/prompts/{prompt_id}/labels/{name}", headers=account.headers)
    return response.status_code


def test_set_move_and_delete_a_label(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one", "two", "three")
    created = ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    assert set(created) == {"name", "version", "updatedAt"}
    assert (created["name"], created["version"]) == ("prod", 1)
    assert_timestamp(created["updatedAt"])
    moved = ok_json(set_label(api, owner, prompt["_id"], "prod", 3))
    assert moved["version"] == 3 and moved["updatedAt"] >= created["updatedAt"]
    ok_json(set_label(api, owner, prompt["_id"], "a.b-c_9", 2))
    assert labels(api, owner, prompt["_id"]) == [
        {
            "name": "a.b-c_9",
            "version": 2,
            "updatedAt": labels(api, owner, prompt["_id"])[0]["updatedAt"],
        },
        moved,
    ]
    # Labels change neither the prompt's version nor its updatedAt; its labels follow.
    assert current(api, owner, prompt["_id"]) == {**prompt, "labels": {"a.b-c_9": 2, "prod": 3}}
    # Setting a label to the version it names already changes nothing.
    assert ok_json(set_label(api, owner, prompt["_id"], "prod", 3)) == moved
    assert delete_label(api, owner, prompt["_id"], "prod") == 204
    assert [label["name"] for label in labels(api, owner, prompt["_id"])] == ["a.b-c_9"]
    assert current(api, owner, prompt["_id"])["labels"] == {"a.b-c_9": 2}
    assert_error(api.client.delete(f"/prompts/{prompt['_id']}/labels/prod", headers=owner.headers),
                 404, NO_SUCH_LABEL)  # fmt: skip
    assert current(api, owner, prompt["_id"])["updatedAt"] == prompt["updatedAt"]


def test_label_history_newest_first_and_it_outlives_the_label(
    api: Api, owner: Account, live_server: ServerProcess
) -> None:
    prompt = with_versions(api, owner, "one", "two")
    ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    ok_json(set_label(api, owner, prompt["_id"], "prod", 2))
    ok_json(set_label(api, owner, prompt["_id"], "prod", 2))  # no change: no history
    assert delete_label(api, owner, prompt["_id"], "prod") == 204
    ok_json(set_label(api, owner, prompt["_id"], "other", 1))
    changes = history(api, owner, prompt["_id"], "prod")
    me = owner.user["_id"]
    assert [{k: v for k, v in c.items() if k != "at"} for c in changes] == [
        {"name": "prod", "version": None, "previousVersion": 2, "by": me},
        {"name": "prod", "version": 2, "previousVersion": 1, "by": me},
        {"name": "prod", "version": 1, "previousVersion": None, "by": me},
    ]
    for change in changes:
        assert_timestamp(change["at"])
    assert changes[0]["at"] >= changes[1]["at"] >= changes[2]["at"]
    assert [c["version"] for c in history(api, owner, prompt["_id"], "other")] == [1]
    assert_error(api.client.get(f"/prompts/{prompt['_id']}/labels/never/history",
                                headers=owner.headers), 404, NO_SUCH_LABEL)  # fmt: skip
    # The history goes with the prompt.
    assert api.client.delete(f"/prompts/{prompt['_id']}", headers=owner.headers).status_code == 204
    gone = api.client.get(f"/prompts/{prompt['_id']}/labels/prod/history", headers=owner.headers)
    assert_error(gone, 404, PROMPT_NOT_FOUND)
    for table in ("prompt_versions", "prompt_labels", "label_history"):
        query = f"SELECT count(*) FROM {table} WHERE prompt_id = $1"  # noqa: S608 - constant names
        assert fetch(live_server.database_url, query, prompt["_id"]) == [(0,)], table


def test_latest_is_reserved_but_works_where_labels_are_read(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one", "two")
    base = f"/prompts/{prompt['_id']}/labels/latest"
    for method, path, body in (
        ("PUT", base, {"version": 1}),
        ("PUT", base, {"version": "not even valid"}),  # the path is checked before the body
        ("DELETE", base, None),
        ("GET", f"{base}/history", None),
    ):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 400, RESERVED)
    assert labels(api, owner, prompt["_id"]) == []
    bad_id = api.client.put("/prompts/bad_id/labels/latest", json={}, headers=owner.headers)
    assert_error(bad_id, 400, PROMPT_WRITE_BAD_ID)  # the prompt id comes first
    latest = api.client.get(f"/prompts/{prompt['_id']}", params={"label": "latest"},
                            headers=owner.headers)  # fmt: skip
    assert ok_json(latest)["version"] == 2


def test_a_label_needs_an_existing_version(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one")
    for version in (2, 2**31, 2**63 - 1):
        assert_error(set_label(api, owner, prompt["_id"], "prod", version), 404, NO_SUCH_VERSION)
    for body in ({"version": 0}, {"version": "1"}, {"version": 1.5}, {"version": True}, {},
                 {"version": 1, "extra": 1}):  # fmt: skip
        response = api.client.put(f"/prompts/{prompt['_id']}/labels/prod", json=body,
                                  headers=owner.headers)  # fmt: skip
        assert_error(response, 400, MISSING_OR_INVALID)
    assert labels(api, owner, prompt["_id"]) == []
    assert current(api, owner, prompt["_id"])["labels"] == {}


def routes(prompt_id: str, name: str = "prod") -> list[tuple[str, str, Any]]:
    return [
        ("GET", f"/prompts/{prompt_id}/labels", None),
        ("PUT", f"/prompts/{prompt_id}/labels/{name}", {"version": 1}),
        ("DELETE", f"/prompts/{prompt_id}/labels/{name}", None),
        ("GET", f"/prompts/{prompt_id}/labels/{name}/history", None),
    ]


def test_another_users_prompt_is_403_and_nothing_changes(
    api: Api, owner: Account, stranger: Account
) -> None:
    prompt = with_versions(api, owner, "one", "two")
    ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    before = (labels(api, owner, prompt["_id"]), history(api, owner, prompt["_id"], "prod"))
    for method, path, body in routes(prompt["_id"]):
        response = api.client.request(method, path, json=body, headers=stranger.headers)
        assert_error(response, 403, PROMPT_NOT_YOURS)
    after = (labels(api, owner, prompt["_id"]), history(api, owner, prompt["_id"], "prod"))
    assert after == before
    assert current(api, owner, prompt["_id"])["labels"] == {"prod": 1}


def test_absent_and_malformed_ids_and_names(api: Api, owner: Account) -> None:
    for method, path, body in routes("prompt3"):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 404, PROMPT_NOT_FOUND)
    for method, path, body in routes("not_a_prompt"):
        response = api.client.request(method, path, json=body, headers=owner.headers)
        assert_error(response, 400, PROMPT_WRITE_BAD_ID)
    prompt = api.create_prompt(owner)
    for name in BAD_LABELS:
        for method, path, body in routes(prompt["_id"], name)[1:]:
            response = api.client.request(method, path, json=body, headers=owner.headers)
            assert_error(response, 400, MALFORMED_PARAMS)
    assert labels(api, owner, prompt["_id"]) == []
    assert [v["labels"] for v in versions(api, owner, prompt["_id"])] == [[]]

"""GET /logs (and /logs-by-prompt) with filters, sorts and limit/cursor; versions paging."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    LOG_LIST_FORBIDDEN,
    LOG_LIST_NO_PROMPT,
    MALFORMED_PARAMS,
    assert_error,
    list_logs,
    ok_json,
)
from tests.support.paging import ids, link_params, newest_first, next_url, walk
from tests.support.registry import patch, with_versions

SCORES = [7, None, 3.5, 7, 10, None, 0, 3.5, 7]


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Log pager")


@pytest.fixture(scope="module")
def library(module_api: Api, owner: Account) -> dict[str, Any]:
    """Two prompts; the first has versions 1 and 2. Nine logs with tied and missing scores
    over two models and both versions, and one log of the second prompt."""
    first = module_api.create_prompt(owner, title="First")
    second = module_api.create_prompt(owner, title="Second")
    made = []
    for i, score in enumerate(SCORES):
        if i == 4:
            ok_json(patch(module_api, owner, first["_id"], {"content": "version two"}))
        fields: dict[str, Any] = {"modelUsed": "m-a" if i % 2 else "m-b"}
        if score is not None:
            fields["score"] = score
        made.append(module_api.create_log(owner, first["_id"], **fields))
    extra = module_api.create_log(owner, second["_id"], score=5)
    return {"first": first, "second": second, "logs": made, "extra": extra}


def _get(api: Api, account: Account, path: str = "/logs", **params: Any) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = ok_json(
        api.client.get(path, params=params, headers=account.headers)
    )
    return result


def _by_score(logs: list[dict[str, Any]], descending: bool) -> list[str]:
    scored = [log for log in logs if log["score"] is not None]
    scored.sort(key=lambda log: log["score"], reverse=descending)  # stable: ties by creation
    return ids(scored) + [log["_id"] for log in logs if log["score"] is None]


@pytest.mark.parametrize("sort", ["createdAt", "-createdAt", "score", "-score"])
@pytest.mark.parametrize("path", ["/logs", "/logs-by-prompt"])
def test_sorts_whole_and_paged(
    module_api: Api, owner: Account, library: dict[str, Any], sort: str, path: str
) -> None:
    logs = library["logs"]
    expected = {
        "createdAt": ids(logs),
        "-createdAt": newest_first(logs),
        "score": _by_score(logs, False),
        "-score": _by_score(logs, True),
    }[sort]
    params = {"promptId": library["first"]["_id"], "sort": sort}
    assert ids(_get(module_api, owner, path, **params)) == expected
    for limit in (1, 2, 4):
        items, _ = walk(module_api.client, owner, path, {**params, "limit": limit})
        assert ids(items) == expected


def test_every_log_paged_equals_the_whole_listing(
    module_api: Api, owner: Account, library: dict[str, Any]
) -> None:
    whole = list_logs(module_api.client, owner)
    assert ids(whole) == [*ids(library["logs"]), library["extra"]["_id"]]
    items, _ = walk(module_api.client, owner, "/logs", {"limit": 3})
    assert items == whole
    response = module_api.client.get("/logs", headers=owner.headers)
    assert "link" not in response.headers


def test_filters(module_api: Api, owner: Account, library: dict[str, Any]) -> None:
    logs, first = library["logs"], library["first"]["_id"]

    def having(predicate: Any) -> list[str]:
        return [log["_id"] for log in logs if predicate(log)]

    assert ids(_get(module_api, owner, promptId=first, model="m-a")) == having(
        lambda log: log["modelUsed"] == "m-a"
    )
    assert ids(_get(module_api, owner, promptId=first, minScore="3.5", maxScore="7")) == having(
        lambda log: log["score"] is not None and 3.5 <= log["score"] <= 7
    )
    assert ids(_get(module_api, owner, promptId=first, minScore="10")) == having(
        lambda log: log["score"] == 10
    )
    assert ids(_get(module_api, owner, promptId=first, maxScore="0")) == having(
        lambda log: log["score"] == 0
    )
    assert ids(_get(module_api, owner, promptId=first, scored="false")) == having(
        lambda log: log["score"] is None
    )
    assert ids(_get(module_api, owner, promptId=first, scored="true")) == having(
        lambda log: log["score"] is not None
    )
    for version in (1, 2):
        found = _get(module_api, owner, promptId=first, promptVersion=str(version))
        assert ids(found) == having(lambda log, v=version: log["promptVersion"] == v)
        assert found  # both versions have logs
    assert _get(module_api, owner, promptId=first, promptVersion="3") == []
    # Without promptId, over every prompt of the caller.
    every = [*logs, library["extra"]]
    assert ids(_get(module_api, owner, minScore="5", maxScore="5")) == [library["extra"]["_id"]]
    assert ids(_get(module_api, owner, model="Claude")) == [library["extra"]["_id"]]
    assert ids(_get(module_api, owner, scored="true", sort="-score")) == _by_score(
        [log for log in every if log["score"] is not None], True
    )
    items, _ = walk(
        module_api.client, owner, "/logs", {"promptId": first, "model": "m-b", "limit": 2}
    )
    assert ids(items) == having(lambda log: log["modelUsed"] == "m-b")


def test_link_carries_every_parameter(
    module_api: Api, owner: Account, library: dict[str, Any]
) -> None:
    params = {
        "promptId": library["first"]["_id"],
        "promptVersion": "1",
        "model": "m-b",
        "minScore": "0",
        "maxScore": "10",
        "scored": "true",
        "sort": "-score",
        "limit": "1",
    }
    response = module_api.client.get("/logs-by-prompt", params=params, headers=owner.headers)
    assert next_url(response).startswith("/logs-by-prompt?")  # type: ignore[union-attr]
    carried = link_params(response)
    assert {name: values[0] for name, values in carried.items() if name != "cursor"} == params


@pytest.mark.parametrize(
    "params",
    [
        {"promptVersion": "1"},  # without promptId
        {"promptId": "PID", "promptVersion": "0"},
        {"promptId": "PID", "promptVersion": "x"},
        {"minScore": "11"},
        {"minScore": "-1"},
        {"maxScore": "nan"},
        {"maxScore": "inf"},
        {"minScore": ""},
        {"scored": "yes"},
        {"scored": "True"},
        {"sort": "title"},
        {"sort": "updatedAt"},
        {"model": ""},
        {"limit": "0"},
        {"limit": "501"},
        {"cursor": "abc"},
        {"tag": "x"},
    ],
)
def test_bad_values_are_400(
    module_api: Api, owner: Account, library: dict[str, Any], params: dict[str, str]
) -> None:
    params = {k: v.replace("PID", library["first"]["_id"]) for k, v in params.items()}
    response = module_api.client.get("/logs", params=params, headers=owner.headers)
    assert_error(response, 400, MALFORMED_PARAMS)


def test_cursor_misuse_and_prompt_checks(
    module_api: Api, owner: Account, library: dict[str, Any]
) -> None:
    first, second = library["first"]["_id"], library["second"]["_id"]
    response = module_api.client.get(
        "/logs", params={"promptId": first, "limit": 2}, headers=owner.headers
    )
    cursor = link_params(response)["cursor"][0]
    for params in (
        {"promptId": second, "limit": 2, "cursor": cursor},  # another prompt
        {"limit": 2, "cursor": cursor},  # the filter dropped
        {"promptId": first, "sort": "score", "limit": 2, "cursor": cursor},  # another sort
    ):
        assert_error(
            module_api.client.get("/logs", params=params, headers=owner.headers),
            400,
            MALFORMED_PARAMS,
        )
    # /logs-by-prompt is another listing: its cursors are its own.
    response = module_api.client.get(
        "/logs-by-prompt",
        params={"promptId": first, "limit": 2, "cursor": cursor},
        headers=owner.headers,
    )
    assert_error(response, 400, MALFORMED_PARAMS)
    stranger = module_api.signup(name="Log stranger")
    response = module_api.client.get(
        "/logs", params={"promptId": first, "limit": 2}, headers=stranger.headers
    )
    assert_error(response, 403, LOG_LIST_FORBIDDEN)
    response = module_api.client.get(
        "/logs", params={"promptId": "prompt3", "limit": 2}, headers=owner.headers
    )
    assert_error(response, 404, LOG_LIST_NO_PROMPT)
    # A bad value is a 400 even for someone else's prompt (400 before 403).
    response = module_api.client.get(
        "/logs", params={"promptId": first, "limit": "0"}, headers=stranger.headers
    )
    assert_error(response, 400, MALFORMED_PARAMS)


def test_score_walk_while_logs_are_written(api: Api) -> None:
    account = api.signup(name="Busy logger")
    prompt = api.create_prompt(account)
    made = [api.create_log(account, prompt["_id"], score=s) for s in (5, 1, 9, 5, 3, 7, 5)]
    made.append(api.create_log(account, prompt["_id"]))  # unscored: last
    expected = _by_score(made, True)
    gone = expected[4]

    def between(page: int) -> None:
        if page == 0:
            assert api.client.delete(f"/logs/{gone}", headers=account.headers).status_code == 204
            api.create_log(account, prompt["_id"], score=10)  # sorts before the position
        if page == 1:
            api.create_log(account, prompt["_id"])  # unscored, newest: sorts after all

    items, _ = walk(
        api.client,
        account,
        "/logs",
        {"promptId": prompt["_id"], "sort": "-score", "limit": 2},
        between,
    )
    seen = ids(items)
    assert seen[:-1] == [log_id for log_id in expected if log_id != gone]
    assert len(seen) == len(set(seen)) == len(expected)  # the late unscored one, at the end


def test_versions_paged(api: Api) -> None:
    account = api.signup(name="Version pager")
    prompt = with_versions(api, account, *[f"content {i}" for i in range(7)])
    path = f"/prompts/{prompt['_id']}/versions"
    whole = _get(api, account, path)
    assert [v["version"] for v in whole] == list(range(7, 0, -1))
    for limit in (1, 2, 3, 7):
        items, _ = walk(api.client, account, path, {"limit": limit})
        assert items == whole

    def between(page: int) -> None:
        if page == 0:  # a new version sorts first: not seen by this walk
            ok_json(patch(api, account, prompt["_id"], {"content": "content 7"}))

    items, _ = walk(api.client, account, path, {"limit": 3}, between)
    assert items == whole
    response = api.client.get(path, params={"limit": 2}, headers=account.headers)
    cursor = link_params(response)["cursor"][0]
    other = api.create_prompt(account)
    for bad_path, params in (
        (f"/prompts/{other['_id']}/versions", {"limit": 2, "cursor": cursor}),
        (path, {"limit": 2, "cursor": cursor[::-1]}),
        (path, {"limit": "0"}),
        (path, {"limit": 2, "sort": "version"}),
    ):
        response = api.client.get(bad_path, params=params, headers=account.headers)
        assert_error(response, 400, MALFORMED_PARAMS)
    stranger = api.signup(name="Version stranger")
    response = api.client.get(path, params={"limit": 2, "cursor": cursor}, headers=stranger.headers)
    assert_error(response, 400, MALFORMED_PARAMS)
    response = api.client.get(path, params={"limit": 2}, headers=stranger.headers)
    assert response.status_code == 403


def test_openapi_documents_paging(api: Api) -> None:
    document = ok_json(api.client.get("/openapi.json"))
    expected = {
        "/prompts": {"limit", "cursor", "tag", "model", "label", "sort"},
        "/logs": {
            "limit",
            "cursor",
            "promptId",
            "promptVersion",
            "model",
            "minScore",
            "maxScore",
            "scored",
            "sort",
        },
        "/logs-by-prompt": {"limit", "cursor", "promptId", "promptVersion", "sort"},
        "/search": {"q", "limit", "cursor"},
        "/prompts/{id}/versions": {"limit", "cursor"},
    }
    for path, names in expected.items():
        operation = document["paths"][path]["get"]
        documented = {param["name"] for param in operation["parameters"] if param["in"] == "query"}
        assert names <= documented, (path, documented)
        assert "Link" in operation["responses"]["200"]["headers"], path

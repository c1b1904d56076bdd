"""GET /prompts with Part 2's tag/model/label filters, sorts, and limit/cursor paging."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import MALFORMED_PARAMS, assert_error, list_prompts, ok_json
from tests.support.paging import ids, link_params, newest_first, next_url, walk
from tests.support.registry import set_label

TITLES = ["beta", "Zeta", "alpha", "Émile", "Beta", "beta", "ärger", "Alpha", "zeta"]


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Paging Owner")


@pytest.fixture(scope="module")
def library(module_api: Api, owner: Account) -> list[dict[str, Any]]:
    """Nine prompts (titles with ties, case and accents), three tags and two models; a few
    edited so that updatedAt differs from creation order. Nothing in this module changes them
    except through their own account (see the write tests, which use fresh accounts)."""
    made = []
    for i, title in enumerate(TITLES):
        tags = ["even" if i % 2 == 0 else "odd"] + (["three"] if i % 3 == 0 else [])
        model = "gpt-4o" if i < 5 else "claude"
        made.append(module_api.create_prompt(owner, title=title, tags=tags, model=model))
    for i in (4, 1, 7):
        response = module_api.client.patch(
            f"/prompts/{made[i]['_id']}", json={"content": f"edited {i}"}, headers=owner.headers
        )
        made[i] = ok_json(response)
    return made


def _get(api: Api, account: Account, **params: Any) -> list[dict[str, Any]]:
    response = api.client.get("/prompts", params=params, headers=account.headers)
    result: list[dict[str, Any]] = ok_json(response)
    return result


def _expected(library: list[dict[str, Any]], sort: str) -> list[str]:
    """Python's order for a sort: str comparison is by code point; ties by creation."""
    order = list(range(len(library)))  # creation order
    field, descending = sort.lstrip("-"), sort.startswith("-")
    # A stable sort on the field alone keeps creation order among ties, in both directions.
    order.sort(key=lambda i: library[i][field], reverse=descending)
    return [library[i]["_id"] for i in order]


def test_default_walk_equals_the_whole_listing(
    module_api: Api, owner: Account, library: list[dict[str, Any]]
) -> None:
    whole = list_prompts(module_api.client, owner)
    assert ids(whole) == ids(library)
    for limit in (1, 2, 4, 9, 500):
        items, sizes = walk(module_api.client, owner, "/prompts", {"limit": limit})
        assert items == whole, limit
        assert sum(sizes) == len(library)
    # Exactly a page's worth: no Link (no empty last page to fetch).
    response = module_api.client.get("/prompts", params={"limit": 9}, headers=owner.headers)
    assert next_url(response) is None and len(response.json()) == 9


@pytest.mark.parametrize(
    "sort", ["createdAt", "-createdAt", "updatedAt", "-updatedAt", "title", "-title"]
)
def test_each_sort_paged_and_whole(
    module_api: Api, owner: Account, library: list[dict[str, Any]], sort: str
) -> None:
    expected = _expected(library, sort)
    assert ids(_get(module_api, owner, sort=sort)) == expected
    items, _ = walk(module_api.client, owner, "/prompts", {"sort": sort, "limit": 2})
    assert ids(items) == expected


def test_title_sorts_by_code_point(module_api: Api, owner: Account, library: Any) -> None:
    titles = [item["title"] for item in _get(module_api, owner, sort="title")]
    assert titles == ["Alpha", "Beta", "Zeta", "alpha", "beta", "beta", "zeta", "Émile", "ärger"]
    both_beta = [
        item["_id"] for item in _get(module_api, owner, sort="-title") if item["title"] == "beta"
    ]
    assert both_beta == [library[0]["_id"], library[5]["_id"]]  # ties oldest first, even descending


def test_filters(module_api: Api, owner: Account, library: list[dict[str, Any]]) -> None:
    def having(predicate: Any) -> list[str]:
        return [item["_id"] for item in library if predicate(item)]

    assert ids(_get(module_api, owner, tag="three")) == having(lambda p: "three" in p["tags"])
    assert ids(_get(module_api, owner, model="claude")) == having(lambda p: p["model"] == "claude")
    both = _get(module_api, owner, tag="even", model="gpt-4o", sort="-createdAt")
    chosen = [p for p in library if "even" in p["tags"] and p["model"] == "gpt-4o"]
    assert ids(both) == newest_first(chosen)
    items, _ = walk(module_api.client, owner, "/prompts", {"tag": "odd", "limit": 1})
    assert ids(items) == having(lambda p: "odd" in p["tags"])
    assert _get(module_api, owner, tag="Three") == []  # tags match exactly
    assert _get(module_api, owner, tag="nothing") == []
    assert _get(module_api, owner, model="gpt-4") == []


def test_label_filter(module_api: Api, owner: Account, library: list[dict[str, Any]]) -> None:
    assert _get(module_api, owner, label="production") == []  # no prompt has it
    assert ids(_get(module_api, owner, label="latest")) == ids(library)  # every prompt has it
    # Labels change neither version nor updatedAt, so the module's library stays as it was.
    for i in (5, 2):
        assert set_label(module_api, owner, library[i]["_id"], "staging", 1).status_code == 200
    assert ids(_get(module_api, owner, label="staging")) == [library[2]["_id"], library[5]["_id"]]
    both = _get(module_api, owner, label="staging", tag="odd", sort="-title")
    assert ids(both) == [library[5]["_id"]]
    items, _ = walk(module_api.client, owner, "/prompts", {"label": "staging", "limit": 1})
    assert ids(items) == [library[2]["_id"], library[5]["_id"]]


def test_link_carries_every_parameter(module_api: Api, owner: Account, library: Any) -> None:
    response = module_api.client.get(
        "/prompts",
        params={"tag": "even", "model": "gpt-4o", "sort": "-title", "limit": 1},
        headers=owner.headers,
    )
    params = link_params(response)
    assert params["tag"] == ["even"] and params["model"] == ["gpt-4o"]
    assert params["sort"] == ["-title"] and params["limit"] == ["1"]
    assert next_url(response).startswith("/prompts?")  # type: ignore[union-attr]


def test_no_parameters_no_link(module_api: Api, owner: Account, library: Any) -> None:
    response = module_api.client.get("/prompts", headers=owner.headers)
    assert response.status_code == 200 and "link" not in response.headers


@pytest.mark.parametrize(
    "params",
    [
        {"limit": "0"},
        {"limit": "501"},
        {"limit": "-1"},
        {"limit": "ten"},
        {"limit": "1.5"},
        {"limit": ""},
        {"limit": "٣"},  # a digit, but not an ASCII one
        {"sort": "created"},
        {"sort": "-score"},
        {"sort": ""},
        {"tag": ""},
        {"tag": "x" * 51},
        {"model": " "},
        {"label": "Production"},
        {"label": "9x"},
        {"cursor": ""},
        {"cursor": "not-a-cursor"},
        {"limit": "2", "page": "2"},
        {"offset": "2"},
    ],
)
def test_bad_values_are_400(module_api: Api, owner: Account, params: dict[str, str]) -> None:
    response = module_api.client.get("/prompts", params=params, headers=owner.headers)
    assert_error(response, 400, MALFORMED_PARAMS)


def _cursor_of(api: Api, account: Account, **params: Any) -> str:
    response = api.client.get("/prompts", params={"limit": 1, **params}, headers=account.headers)
    return link_params(response)["cursor"][0]


def test_cursor_misuse_is_400(module_api: Api, owner: Account, library: Any) -> None:
    cursor = _cursor_of(module_api, owner, tag="even")
    good = module_api.client.get(
        "/prompts", params={"limit": 1, "tag": "even", "cursor": cursor}, headers=owner.headers
    )
    assert good.status_code == 200, good.text
    flipped = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    for params in (
        {"tag": "even", "cursor": flipped},  # altered
        {"tag": "even", "cursor": cursor[:-2]},  # cut
        {"tag": "even", "cursor": cursor + "AA"},  # lengthened
        {"tag": "odd", "cursor": cursor},  # another filter
        {"cursor": cursor},  # the filter dropped
        {"tag": "even", "sort": "title", "cursor": cursor},  # another sort
        {"tag": "even", "cursor": "A" * len(cursor)},  # forged
    ):
        response = module_api.client.get(
            "/prompts", params={"limit": 1, **params}, headers=owner.headers
        )
        assert_error(response, 400, MALFORMED_PARAMS)
    # The same cursor on the logs listing, or for another user, is refused too.
    other = module_api.signup(name="Someone else")
    module_api.create_prompt(other, tags=["even"])
    response = module_api.client.get(
        "/prompts", params={"limit": 1, "tag": "even", "cursor": cursor}, headers=other.headers
    )
    assert_error(response, 400, MALFORMED_PARAMS)
    response = module_api.client.get(
        "/logs", params={"limit": 1, "cursor": cursor}, headers=owner.headers
    )
    assert_error(response, 400, MALFORMED_PARAMS)


def test_cursor_reveals_no_counter(module_api: Api, owner: Account, library: Any) -> None:
    # Two cursors for the same position differ (a fresh nonce each time), and neither holds
    # its key (creation time, insertion counter) in the clear.
    first, second = _cursor_of(module_api, owner), _cursor_of(module_api, owner)
    assert first != second
    raw = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4))
    moment = datetime.strptime(library[0]["createdAt"], "%Y-%m-%dT%H:%M:%S.%fZ")
    millis = str(int(moment.replace(tzinfo=UTC).timestamp() * 1000)).encode()
    assert millis not in raw and millis not in first.encode()


def test_walk_while_rows_are_written(api: Api) -> None:
    """Inserts and deletes between pages: every row present throughout is seen exactly once,
    in order; a row deleted before its page is never seen; a new row sorting later is."""
    account = api.signup(name="Busy writer")
    made = [api.create_prompt(account, title=f"Prompt {i:02d}") for i in range(10)]
    created_during: list[str] = []
    deleted: list[str] = []

    def between(page: int) -> None:
        if page == 0:  # delete one already seen and one not yet seen
            for victim in (made[1]["_id"], made[6]["_id"]):
                response = api.client.delete(f"/prompts/{victim}", headers=account.headers)
                assert response.status_code == 204
                deleted.append(victim)
        if page < 3:
            created_during.append(api.create_prompt(account, title=f"New {page}")["_id"])

    items, _ = walk(api.client, account, "/prompts", {"limit": 3}, between)
    seen = ids(items)
    assert len(seen) == len(set(seen))
    expected = [made[0]["_id"], made[1]["_id"]] + [
        p["_id"] for p in made[2:] if p["_id"] not in deleted
    ]
    assert seen == expected + created_during
    # Descending by creation: rows created during the walk sort before the position reached,
    # so none of them shows; everything else does, once.
    account2 = api.signup(name="Busy writer 2")
    made2 = [api.create_prompt(account2, title=f"P {i}") for i in range(7)]

    def between2(page: int) -> None:
        api.create_prompt(account2, title=f"Late {page}")
        if page == 0:
            api.client.delete(f"/prompts/{made2[2]['_id']}", headers=account2.headers)

    items2, _ = walk(api.client, account2, "/prompts", {"limit": 2, "sort": "-createdAt"}, between2)
    assert ids(items2) == [i for i in newest_first(made2) if i != made2[2]["_id"]]


def test_title_walk_survives_deleting_the_last_row_seen(api: Api) -> None:
    account = api.signup(name="Title walker")
    made = [
        api.create_prompt(account, title=title) for title in ["bbb", "aaa", "ddd", "ccc", "eee"]
    ]
    by_title = sorted(made, key=lambda p: p["title"])
    response = api.client.get(
        "/prompts", params={"sort": "title", "limit": 2}, headers=account.headers
    )
    assert [p["title"] for p in response.json()] == ["aaa", "bbb"]
    # The cursor's row itself goes away; the walk still resumes right after it.
    assert (
        api.client.delete(f"/prompts/{by_title[1]['_id']}", headers=account.headers).status_code
        == 204
    )
    api.create_prompt(account, title="bbbb")
    rest: list[dict[str, Any]] = []
    url = next_url(response)
    while url is not None:
        response = api.client.get(url, headers=account.headers)
        rest += ok_json(response)
        url = next_url(response)
    assert [p["title"] for p in rest] == ["bbbb", "ccc", "ddd", "eee"]

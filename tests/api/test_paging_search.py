"""GET /search with limit/cursor: the ranked answer, a page at a time."""

from __future__ import annotations

from typing import Any

import pytest
from tests.support.api import Account, Api
from tests.support.contract import MALFORMED_PARAMS, SEARCH_BAD_QUERY, assert_error, search
from tests.support.paging import ids, link_params, walk


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    account = module_api.signup(name="Searcher")
    # Matches in every group (title, tags, content-only), several per group, and misses.
    for i in range(5):
        module_api.create_prompt(account, title=f"Kettle {i}", content="nothing here")
        module_api.create_prompt(account, title=f"Tagged {i}", tags=["kettle"], content="x")
        module_api.create_prompt(account, title=f"Body {i}", content=f"a kettle, {i}")
        module_api.create_prompt(account, title=f"Miss {i}", content="no match")
    return account


@pytest.mark.parametrize("query", ["kettle", "ket", "k", "kettle body", "e"])
@pytest.mark.parametrize("limit", [1, 2, 3, 7, 500])
def test_pages_follow_the_ranking(module_api: Api, owner: Account, query: str, limit: int) -> None:
    whole = search(module_api.client, owner, query)
    items, _ = walk(module_api.client, owner, "/search", {"q": query, "limit": limit})
    assert items == whole


def test_link_and_misuse(module_api: Api, owner: Account) -> None:
    response = module_api.client.get(
        "/search", params={"q": "kettle", "limit": 4}, headers=owner.headers
    )
    params = link_params(response)
    assert params["q"] == ["kettle"] and params["limit"] == ["4"]
    cursor = params["cursor"][0]
    # A character in the middle: the last one may carry only padding bits that decode away.
    middle = len(cursor) // 2
    altered = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    for bad in (
        {"q": "ket", "limit": 4, "cursor": cursor},  # another query
        {"q": "kettle", "limit": 4, "cursor": altered},
        {"q": "kettle", "limit": 0},
        {"q": "kettle", "limit": 501},
        {"q": "kettle", "limit": "x"},
        {"q": "kettle", "cursor": "garbage"},
        {"q": "kettle", "sort": "title"},
    ):
        response = module_api.client.get("/search", params=bad, headers=owner.headers)
        assert_error(response, 400, MALFORMED_PARAMS)
    other = module_api.signup(name="Other searcher")
    response = module_api.client.get(
        "/search", params={"q": "kettle", "limit": 4, "cursor": cursor}, headers=other.headers
    )
    assert_error(response, 400, MALFORMED_PARAMS)
    response = module_api.client.get("/search", params={"limit": 4}, headers=owner.headers)
    assert_error(response, 400, SEARCH_BAD_QUERY)


def test_walk_while_prompts_are_written(api: Api) -> None:
    account = api.signup(name="Busy searcher")
    made: list[dict[str, Any]] = []
    for i in range(4):
        made.append(api.create_prompt(account, title=f"Lamp {i}"))
        made.append(api.create_prompt(account, title=f"Other {i}", content="lamp"))
    before = ids(search(api.client, account, "lamp"))
    deleted = made[5]["_id"]  # a content-only match, not yet seen after the first page

    def between(page: int) -> None:
        if page == 0:
            assert (
                api.client.delete(f"/prompts/{deleted}", headers=account.headers).status_code == 204
            )
            # A new title match sorts before the position reached: it is not seen; nothing
            # else moves.
            api.create_prompt(account, title="Lamp new")

    items, _ = walk(api.client, account, "/search", {"q": "lamp", "limit": 3}, between)
    assert ids(items) == [found for found in before if found != deleted]


def test_a_common_term_pages_like_the_whole_answer(api: Api) -> None:
    """More matches than SQLite counts before it reads newest first (store/search.py FEW),
    in every group, so that way of reading pages is walked too."""
    account = api.signup(name="Common searcher")
    for i in range(2100):
        group = i % 3
        api.create_prompt(
            account,
            title=f"Candle {i}" if group == 0 else f"Plain {i}",
            tags=["candle"] if group == 1 else [],
            content="a candle" if group == 2 else "the wick",
        )
    whole = search(api.client, account, "candle")
    assert len(whole) == 2100
    items, sizes = walk(api.client, account, "/search", {"q": "candle", "limit": 250})
    assert ids(items) == ids(whole) and len(sizes) == 9

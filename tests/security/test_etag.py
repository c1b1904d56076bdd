"""Lost updates: prompts carry an ETag; a PATCH or DELETE with a stale If-Match is a 412 and
changes nothing; with the current one, or with none, it goes through."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.security.helpers import assert_error
from tests.support.api import Account, Api

STALE = "The prompt was changed since you read it (If-Match does not match its ETag)."
ETAG = re.compile(r'^"[^"]+"$')


@pytest.fixture
def account(api2: Api) -> Account:
    return api2.signup()


def etag_of(response: httpx.Response) -> str:
    tag = response.headers["etag"]
    assert ETAG.match(tag), tag
    return tag


def read(http: httpx.Client, account: Account, prompt_id: str) -> httpx.Response:
    response = http.get(f"/prompts/{prompt_id}", headers=account.headers)
    assert response.status_code == 200, response.text
    return response


def test_every_prompt_answer_has_an_etag_that_moves_with_each_change(
    http: httpx.Client, account: Account
) -> None:
    body = {"title": "Original", "content": "c", "model": "m"}
    created = http.post("/prompts", json=body, headers=account.headers)
    assert created.status_code == 201, created.text
    first = etag_of(created)
    prompt_id = created.json()["_id"]
    assert etag_of(read(http, account, prompt_id)) == first
    changed = http.patch(f"/prompts/{prompt_id}", json={"title": "Second"}, headers=account.headers)
    assert changed.status_code == 200, changed.text
    second = etag_of(changed)
    assert second != first
    assert etag_of(read(http, account, prompt_id)) == second


def test_stale_if_match_is_412_and_changes_nothing(http: httpx.Client, account: Account) -> None:
    created = http.post(
        "/prompts",
        json={"title": "Original", "content": "c", "model": "m"},
        headers=account.headers,
    )
    prompt_id, stale = created.json()["_id"], etag_of(created)
    url = f"/prompts/{prompt_id}"
    # Two clients read the same version; the first to write wins...
    won = http.patch(
        url, json={"title": "First writer"}, headers={**account.headers, "If-Match": stale}
    )
    assert won.status_code == 200, won.text
    assert won.json()["title"] == "First writer"
    current = etag_of(won)
    # ...and the second, still holding the old ETag, is refused instead of overwriting.
    lost = http.patch(
        url, json={"title": "Second writer"}, headers={**account.headers, "If-Match": stale}
    )
    assert_error(lost, 412, STALE)
    for tag in ('"999999"', "garbage", '"abc"'):
        refused = http.patch(
            url, json={"title": "Nope"}, headers={**account.headers, "If-Match": tag}
        )
        assert_error(refused, 412, STALE)
    assert_error(http.delete(url, headers={**account.headers, "If-Match": stale}), 412, STALE)
    after = read(http, account, prompt_id)
    assert after.json() == won.json()
    assert etag_of(after) == current

    # The current ETag goes through; so does a request without If-Match.
    fresh = http.patch(
        url, json={"content": "new"}, headers={**account.headers, "If-Match": current}
    )
    assert fresh.status_code == 200, fresh.text
    assert fresh.json()["content"] == "new" and fresh.json()["title"] == "First writer"
    blind = http.patch(url, json={"model": "other"}, headers=account.headers)
    assert blind.status_code == 200, blind.text
    assert len({stale, current, etag_of(fresh), etag_of(blind)}) == 4
    assert_error(
        http.delete(url, headers={**account.headers, "If-Match": etag_of(fresh)}), 412, STALE
    )
    deleted = http.delete(url, headers={**account.headers, "If-Match": etag_of(blind)})
    assert deleted.status_code == 204, deleted.text
    assert read_status(http, account, prompt_id) == 404


def read_status(http: httpx.Client, account: Account, prompt_id: str) -> int:
    return http.get(f"/prompts/{prompt_id}", headers=account.headers).status_code


def test_delete_without_if_match_works(http: httpx.Client, api2: Api, account: Account) -> None:
    prompt = api2.create_prompt(account)
    http.patch(f"/prompts/{prompt['_id']}", json={"title": "Moved on"}, headers=account.headers)
    response = http.delete(f"/prompts/{prompt['_id']}", headers=account.headers)
    assert response.status_code == 204, response.text
    assert read_status(http, account, prompt["_id"]) == 404


def test_if_match_does_not_reveal_or_touch_other_users_prompts(
    http: httpx.Client, api2: Api, account: Account
) -> None:
    owner = api2.signup()
    created = http.post(
        "/prompts", json={"title": "Theirs", "content": "c", "model": "m"}, headers=owner.headers
    )
    url, tag = f"/prompts/{created.json()['_id']}", etag_of(created)
    not_yours = "Prompt does not belong to the authenticated user."
    for if_match in (tag, '"999"'):
        headers = {**account.headers, "If-Match": if_match}
        assert_error(http.patch(url, json={"title": "Mine now"}, headers=headers), 403, not_yours)
        assert_error(http.delete(url, headers=headers), 403, not_yours)
    assert read(http, owner, created.json()["_id"]).json() == created.json()

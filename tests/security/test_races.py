"""Races on a two-worker server: each thread has its own connection, so requests are spread
over both workers and really run at the same time."""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import httpx

from tests.security.helpers import fetch, in_parallel, signup_body
from tests.support.api import Api
from tests.support.server import ServerProcess

EMAIL_TAKEN = "Email already in use."


def call(server: ServerProcess, method: str, path: str, **kwargs: Any) -> httpx.Response:
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        return client.request(method, path, **kwargs)


def test_concurrent_signups_with_one_email_make_one_account(two_workers: ServerProcess) -> None:
    local = f"Race-{uuid.uuid4().hex}"
    variants = [
        f"{local}@example.com",
        f"{local.lower()}@example.com",
        f"{local.upper()}@EXAMPLE.COM",
        f"{local.swapcase()}@Example.Com",
    ]

    def signup(index: int) -> httpx.Response:
        body = signup_body(variants[index % len(variants)])
        return call(two_workers, "POST", "/auth/signup", json=body)

    responses = in_parallel(20, signup)
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [201] + [409] * 19, [r.text for r in responses]
    for response in responses:
        if response.status_code == 409:
            assert response.json() == {"error": EMAIL_TAKEN}
    rows = fetch(two_workers.database_url, "SELECT id FROM users WHERE email_key = $1", variants[1])
    winner = next(r for r in responses if r.status_code == 201).json()["user"]["_id"]
    assert rows == [(winner,)]


def test_concurrent_patches_never_mix_and_count_every_version(
    two_workers: ServerProcess, api2: Api
) -> None:
    account = api2.signup()
    prompt = api2.create_prompt(account, title="Start", content="start", tags=["start"])
    url = f"/prompts/{prompt['_id']}"
    start = api2.client.get(url, headers=account.headers).headers["etag"]

    def patch(index: int) -> httpx.Response:
        body = {"title": f"Title {index}", "content": f"content {index}", "tags": [f"t{index}"]}
        return call(two_workers, "PATCH", url, json=body, headers=account.headers)

    responses = in_parallel(64, patch)
    assert not [r.text for r in responses if r.status_code >= 500]
    ok = [response for response in responses if response.status_code == 200]
    assert len(ok) == 64, sorted(r.status_code for r in responses)

    final = api2.client.get(url, headers=account.headers)
    body = final.json()
    index = int(body["title"].removeprefix("Title "))
    # All three fields come from one and the same request.
    assert body["content"] == f"content {index}" and body["tags"] == [f"t{index}"]
    assert body["model"] == prompt["model"] and body["createdAt"] == prompt["createdAt"]
    # Every 200 moved the version on by one: the ETag went up by exactly the number of 200s.
    assert int(final.headers["etag"].strip('"')) == int(start.strip('"')) + len(ok)
    assert sorted(int(r.headers["etag"].strip('"')) for r in ok) == list(
        range(int(start.strip('"')) + 1, int(start.strip('"')) + 65)
    )


def test_concurrent_log_writes_are_all_stored(two_workers: ServerProcess, api2: Api) -> None:
    account = api2.signup()
    prompt = api2.create_prompt(account)
    tag = uuid.uuid4().hex

    def write(index: int) -> httpx.Response:
        body = {"promptId": prompt["_id"], "output": f"{tag}-{index}", "modelUsed": "m"}
        return call(two_workers, "POST", "/logs", json=body, headers=account.headers)

    responses = in_parallel(200, write)
    assert sorted({r.status_code for r in responses}) == [201], [
        r.text for r in responses if r.status_code != 201
    ][:3]
    acknowledged = {r.json()["_id"]: r.json()["output"] for r in responses}
    assert len(acknowledged) == 200
    listed = api2.client.get("/logs", headers=account.headers)
    assert listed.status_code == 200, listed.text
    stored = {log["_id"]: log["output"] for log in listed.json()}
    assert stored == acknowledged
    assert sorted(stored.values()) == sorted(f"{tag}-{i}" for i in range(200))
    by_prompt = api2.client.get(f"/logs?promptId={prompt['_id']}", headers=account.headers)
    assert len(by_prompt.json()) == 200


def stored_versions(server: ServerProcess, prompt_id: str) -> list[tuple[Any, ...]]:
    return fetch(
        server.database_url,
        "SELECT version, title, content, tags FROM prompt_versions WHERE prompt_id = $1 "
        "ORDER BY version",
        prompt_id,
    )


def test_concurrent_changing_patches_make_versions_without_gaps(
    two_workers: ServerProcess, api2: Api
) -> None:
    account = api2.signup()
    prompt = api2.create_prompt(account, title="Start", content="start")
    url = f"/prompts/{prompt['_id']}"

    def patch(index: int) -> httpx.Response:
        body = {"title": f"Title {index}", "content": f"{{{{v{index}}}}}", "tags": [f"t{index}"]}
        return call(two_workers, "PATCH", url, json=body, headers=account.headers)

    responses = in_parallel(32, patch)
    assert sorted({r.status_code for r in responses}) == [200], [r.text for r in responses]
    assert sorted(r.json()["version"] for r in responses) == list(range(2, 34))
    rows = stored_versions(two_workers, prompt["_id"])
    assert [row[0] for row in rows] == list(range(1, 34))
    for _, title, content, tags in rows[1:]:  # every snapshot is one request's, whole
        index = title.removeprefix("Title ")
        assert (content, tags) == (f"{{{{v{index}}}}}", f'["t{index}"]')
    final = api2.client.get(url, headers=account.headers).json()
    assert final["version"] == 33 and final["title"] == rows[-1][1]
    assert final["variables"] == [rows[-1][2].strip("{}")]


def test_concurrent_patches_with_one_if_match_make_one_version(
    two_workers: ServerProcess, api2: Api
) -> None:
    account = api2.signup()
    prompt = api2.create_prompt(account, content="start")
    url = f"/prompts/{prompt['_id']}"
    headers = {**account.headers, "If-Match": '"1"'}

    def patch(index: int) -> httpx.Response:
        return call(two_workers, "PATCH", url, json={"content": f"c{index}"}, headers=headers)

    responses = in_parallel(32, patch)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [412] * 31, [r.text for r in responses if r.status_code >= 500]
    assert [row[0] for row in stored_versions(two_workers, prompt["_id"])] == [1, 2]


def test_concurrent_label_moves_keep_a_consistent_history(
    two_workers: ServerProcess, api2: Api
) -> None:
    account = api2.signup()
    prompt = api2.create_prompt(account, content="v1")
    url = f"/prompts/{prompt['_id']}"
    for index in range(2, 5):
        assert api2.client.patch(url, json={"content": f"v{index}"}, headers=account.headers)

    def move(index: int) -> httpx.Response:
        body = {"version": index % 4 + 1}
        return call(two_workers, "PUT", f"{url}/labels/prod", json=body, headers=account.headers)

    responses = in_parallel(24, move)
    assert sorted({r.status_code for r in responses}) == [200], [r.text for r in responses]
    rows = fetch(
        two_workers.database_url,
        "SELECT version, previous_version FROM label_history WHERE prompt_id = $1 ORDER BY seq",
        prompt["_id"],
    )
    assert rows[0][1] is None
    for before, after in itertools.pairwise(rows):
        assert after[1] == before[0] != after[0]  # each change starts where the last ended
    final = api2.client.get(url, headers=account.headers).json()
    assert final["labels"] == {"prod": rows[-1][0]}

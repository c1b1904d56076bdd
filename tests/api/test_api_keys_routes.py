"""Every route of /openapi.json, with a read key, a write key and a login token, each with a
valid request: the read key may only read, no key may manage the account, the token may do all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from tests.api.test_api_keys import ACCOUNT, PASSWORD, READ_ONLY, assert_error, bearer, make_key
from tests.support.api import Account, Api

PUBLIC = {"/auth/signup", "/auth/login", "/health"}
ACCOUNT_ROUTES = {
    ("POST", "/auth/keys"),
    ("GET", "/auth/keys"),
    ("DELETE", "/auth/keys/{id}"),
    ("POST", "/auth/password"),
    ("POST", "/auth/logout"),
    ("DELETE", "/auth/me"),
}
RENDER = re.compile(r"/prompts/\{[^}]+\}/render")


class Fixtures:
    """Fresh objects for one request, made with the account's login token: a prompt with two
    versions, the label ``prod`` on version 1, and one log."""

    def __init__(self, api: Api, account: Account) -> None:
        self.api, self.account = api, account
        self.prompt = api.create_prompt(account, title="Walked prompt", content="Hi {{ name }}")
        prompt_id = self.prompt["_id"]
        client = api.client
        edited = client.patch(
            f"/prompts/{prompt_id}", json={"content": "Hello {{ name }}"}, headers=account.headers
        )
        assert edited.status_code == 200, edited.text
        labelled = client.put(
            f"/prompts/{prompt_id}/labels/prod", json={"version": 1}, headers=account.headers
        )
        assert labelled.status_code == 200, labelled.text
        api.create_log(account, prompt_id)

    def fresh_prompt(self) -> str:
        return str(self.api.create_prompt(self.account)["_id"])

    def fresh_log(self) -> str:
        return str(self.api.create_log(self.account, self.prompt["_id"])["_id"])

    def fresh_key(self) -> str:
        return str(make_key(self.api.client, self.account)["_id"])

    def state(self) -> list[Any]:
        """What a write could change, read with the login token."""
        client, headers, prompt_id = self.api.client, self.account.headers, self.prompt["_id"]
        reads = [
            "/prompts",
            f"/prompts/{prompt_id}",
            f"/prompts/{prompt_id}/versions",
            f"/prompts/{prompt_id}/labels",
            f"/prompts/{prompt_id}/labels/prod/history",
            "/logs",
            "/auth/keys",
            "/auth/me",
        ]
        state = [client.get(path, headers=headers).json() for path in reads]
        for key in state[reads.index("/auth/keys")]:
            key.pop("lastUsedAt")  # the refused request used its key: that is not a change
        return state


def request_for(method: str, path: str, f: Fixtures) -> tuple[str, dict[str, Any] | None]:
    """A URL (with its paging and filter parameters) and a valid body for one operation of the
    document; an operation this table does not know fails the walk (KeyError)."""
    prompt_id = f.prompt["_id"]
    ids: dict[tuple[str, str], Callable[[], str]] = {
        ("DELETE", "/prompts/{id}"): f.fresh_prompt,
        ("DELETE", "/logs/{id}"): f.fresh_log,
        ("DELETE", "/auth/keys/{id}"): f.fresh_key,
    }
    values = {"n": "1", "name": "prod"}

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "id":
            return ids.get((method, path), lambda: prompt_id)()
        return values[name]

    url = re.sub(r"\{([^}]+)\}", fill, path)
    queries = {
        ("GET", "/prompts"): "?tag=walk&sort=-updatedAt&limit=5",
        ("GET", "/prompts/{id}"): "?label=prod",
        ("GET", "/prompts/{id}/versions"): "?limit=1",
        ("GET", "/prompts/{id}/stats"): "?by=version",
        ("GET", "/prompts/{id}/compare"): "?a=1&b=prod",
        ("GET", "/prompts/{id}/diff"): "?from=prod&to=2",
        ("GET", "/search"): "?q=walked&limit=1",
        ("GET", "/logs"): f"?promptId={prompt_id}&limit=1&sort=-createdAt",
        ("GET", "/logs-by-prompt"): f"?promptId={prompt_id}&promptVersion=2",
    }
    url += queries.get((method, path), "")
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/auth/keys"): {"name": "walk"},
        ("POST", "/auth/password"): {"currentPassword": PASSWORD, "newPassword": PASSWORD + "!"},
        ("DELETE", "/auth/me"): {"password": PASSWORD},
        ("POST", "/prompts"): {"title": "New prompt", "content": "Text", "model": "m"},
        ("PATCH", "/prompts/{id}"): {"title": "Changed title"},
        ("POST", "/prompts/{id}/versions/{n}/restore"): {"commitMessage": "back to one"},
        ("PUT", "/prompts/{id}/labels/{name}"): {"version": 2},
        ("POST", "/prompts/{id}/render"): {"variables": {"name": "Ada"}},
        ("POST", "/logs"): {"promptId": prompt_id, "output": "out", "modelUsed": "m"},
    }
    return url, bodies.get((method, path))


def operations(client: httpx.Client) -> list[tuple[str, str]]:
    document = client.get("/openapi.json").json()
    found = [
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if path not in PUBLIC
    ]
    assert ("GET", "/prompts/{id}") in found and ("POST", "/auth/keys") in found
    return found


@pytest.mark.parametrize("credential", ["read key", "write key", "login token"])
def test_every_route_answers_each_credential_by_the_rules(
    client: httpx.Client, api: Api, credential: str
) -> None:
    walked: set[tuple[str, str]] = set()
    for method, path in operations(client):
        # A fresh account per operation: some end the token or the account itself.
        account = api.signup()
        fixtures = Fixtures(api, account)
        if credential == "login token":
            headers = account.headers
        else:
            scope = credential.split()[0]
            headers = bearer(make_key(client, account, scope=scope)["key"])
        url, body = request_for(method, path, fixtures)
        before = fixtures.state()
        response = client.request(method, url, json=body, headers=headers)
        where = f"{credential}: {method} {url}"
        if credential != "login token" and (method, path) in ACCOUNT_ROUTES:
            assert_error(response, 403, ACCOUNT)
            assert fixtures.state() == before, where
        elif credential == "read key" and method != "GET" and not RENDER.fullmatch(path):
            assert_error(response, 403, READ_ONLY)
            # Nothing changed: the library, its history and the account are as they were.
            assert fixtures.state() == before, where
        else:
            assert 200 <= response.status_code < 300, (where, response.text)
            if method == "GET" and response.status_code == 200:
                assert response.json() is not None, where
            walked.add((method, path))
    expected_allowed = {
        ("GET", "/prompts/{id}/versions/{n}"),
        ("POST", "/prompts/{id}/render"),
        ("GET", "/prompts/{id}/compare"),
        ("GET", "/prompts/{id}/diff"),
        ("GET", "/prompts/{id}/stats"),
        ("GET", "/prompts/{id}/labels/{name}/history"),
    }
    if credential != "read key":
        expected_allowed |= {
            ("PUT", "/prompts/{id}/labels/{name}"),
            ("DELETE", "/prompts/{id}/labels/{name}"),
            ("POST", "/prompts/{id}/versions/{n}/restore"),
        }
    assert expected_allowed <= walked

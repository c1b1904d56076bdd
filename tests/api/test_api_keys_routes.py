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
    """Fresh objects for one request, made with the account's login token."""

    def __init__(self, api: Api, account: Account) -> None:
        self.api, self.account = api, account
        self.prompt = api.create_prompt(account, title="Walked prompt")

    def fresh_prompt(self) -> str:
        return str(self.api.create_prompt(self.account)["_id"])

    def fresh_log(self) -> str:
        return str(self.api.create_log(self.account, self.prompt["_id"])["_id"])

    def fresh_key(self) -> str:
        return str(make_key(self.api.client, self.account)["_id"])


def request_for(method: str, path: str, f: Fixtures) -> tuple[str, dict[str, Any] | None]:
    """A URL and a valid body for one operation of the document."""
    prompt_id = f.prompt["_id"]
    ids: dict[tuple[str, str], Callable[[], str]] = {
        ("DELETE", "/prompts/{id}"): f.fresh_prompt,
        ("DELETE", "/logs/{id}"): f.fresh_log,
        ("DELETE", "/auth/keys/{id}"): f.fresh_key,
    }
    make_id = ids.get((method, path), lambda: prompt_id)
    url = re.sub(r"\{[^}]+\}", lambda _: make_id(), path)
    queries = {"/search": "?q=walked", "/logs-by-prompt": f"?promptId={prompt_id}"}
    url += queries.get(path, "")
    bodies: dict[tuple[str, str], dict[str, Any]] = {
        ("POST", "/auth/keys"): {"name": "walk"},
        ("POST", "/auth/password"): {"currentPassword": PASSWORD, "newPassword": PASSWORD + "!"},
        ("DELETE", "/auth/me"): {"password": PASSWORD},
        ("POST", "/prompts"): {"title": "New prompt", "content": "Text", "model": "m"},
        ("PATCH", "/prompts/{id}"): {"title": "Changed title"},
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
        before = client.get("/prompts", headers=account.headers).json()
        response = client.request(method, url, json=body, headers=headers)
        where = f"{credential}: {method} {url}"
        if credential != "login token" and (method, path) in ACCOUNT_ROUTES:
            assert_error(response, 403, ACCOUNT)
        elif credential == "read key" and method != "GET" and not RENDER.fullmatch(path):
            assert_error(response, 403, READ_ONLY)
            # Nothing changed: the library is as the fixtures left it.
            assert client.get("/prompts", headers=account.headers).json() == before, where
        else:
            assert 200 <= response.status_code < 300, (where, response.text)

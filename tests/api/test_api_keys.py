"""API keys (SPEC Part 2): creation with a fresh login, scopes, revocation, abuse limit."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from tests.security.helpers import fetch
from tests.support.api import Account, Api
from tests.support.server import TEST_SECRET, ServerProcess

BAD_TOKEN = "Authentication token is expired or invalid."
READ_ONLY = "This API key may only read."
ACCOUNT = "API keys cannot manage the account."
LOGIN_AGAIN = "Log in again to create an API key."
TOO_MANY = "Too many attempts from this address. Try again later."
KEY = re.compile(r"^pc_[0-9a-z]{8}[0-9a-z]{32,}[0-9a-z]+$")
KEY_ID = re.compile(r"^key[0-9a-z]{1,64}$")
PASSWORD = "correct horse battery staple"


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.json()["error"] == message, response.text


def make_key(client: httpx.Client, account: Account, **body: Any) -> dict[str, Any]:
    response = client.post("/auth/keys", json={"name": "ci", **body}, headers=account.headers)
    assert response.status_code == 201, response.text
    made: dict[str, Any] = response.json()
    return made


def old_token(account: Account, age_seconds: int) -> str:
    now = int(time.time())
    claims = {
        "sub": account.user["_id"],
        "iat": now - age_seconds,
        "exp": now + 3000,
        "jti": uuid.uuid4().hex[:26],
        "gen": 0,
    }
    return jwt.encode(claims, TEST_SECRET, algorithm="HS256")


def test_create_answers_the_key_once_and_lists_without_it(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    made = make_key(client, account, name="nightly", scope="read", expiresInDays=30)
    assert set(made) == {
        "_id",
        "name",
        "scope",
        "key",
        "prefix",
        "createdAt",
        "expiresAt",
        "lastUsedAt",
    }
    assert KEY_ID.match(made["_id"]) and KEY.match(made["key"]), made
    assert made["prefix"] == made["key"][:11] and made["name"] == "nightly"
    assert made["scope"] == "read" and made["lastUsedAt"] is None
    assert made["expiresAt"] is not None
    default = make_key(client, account)
    assert default["scope"] == "write" and default["expiresAt"] is None
    listed = client.get("/auth/keys", headers=account.headers)
    assert listed.status_code == 200, listed.text
    assert [key["_id"] for key in listed.json()] == [made["_id"], default["_id"]]
    assert all("key" not in key for key in listed.json())
    # Only a hash is stored: the key's text is nowhere in the row.
    me = client.get("/auth/me", headers=bearer(made["key"]))
    assert me.status_code == 200 and me.json() == account.user


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 101},
        {"name": 5},
        {"name": "x", "scope": "admin"},
        {"name": "x", "expiresInDays": 0},
        {"name": "x", "expiresInDays": 3651},
        {"name": "x", "expiresInDays": "7"},
        {"name": "x", "extra": 1},
    ],
    ids=repr,
)
def test_invalid_bodies_are_400(client: httpx.Client, api: Api, body: dict[str, Any]) -> None:
    account = api.signup()
    response = client.post("/auth/keys", json=body, headers=account.headers)
    assert_error(response, 400, "Required fields are missing or invalid.")
    assert client.get("/auth/keys", headers=account.headers).json() == []


def test_creating_a_key_needs_a_login_from_the_last_ten_minutes(
    client: httpx.Client, api: Api
) -> None:
    account = api.signup()
    stale = old_token(account, 11 * 60)
    assert client.get("/auth/me", headers=bearer(stale)).status_code == 200  # still a login
    response = client.post("/auth/keys", json={"name": "ci"}, headers=bearer(stale))
    assert_error(response, 403, LOGIN_AGAIN)
    fresh = old_token(account, 9 * 60)
    assert client.post("/auth/keys", json={"name": "ci"}, headers=bearer(fresh)).status_code == 201


def test_a_key_cannot_manage_the_account(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    for scope in ("read", "write"):
        key = make_key(client, account, scope=scope)
        headers = bearer(key["key"])
        calls = [
            ("POST", "/auth/keys", {"name": "more"}),
            ("GET", "/auth/keys", None),
            ("DELETE", f"/auth/keys/{key['_id']}", None),
            ("POST", "/auth/password", {"currentPassword": PASSWORD, "newPassword": "x" * 12}),
            ("POST", "/auth/logout", None),
            ("DELETE", "/auth/me", {"password": PASSWORD}),
            # The rule wins over a bad body or path (401, then key rules, then 400).
            ("POST", "/auth/keys", {"name": ""}),
            ("DELETE", "/auth/keys/not-an-id", None),
        ]
        for method, path, body in calls:
            response = client.request(method, path, json=body, headers=headers)
            assert_error(response, 403, ACCOUNT)
        assert client.get("/auth/me", headers=headers).status_code == 200
    assert client.get("/auth/me", headers=account.headers).status_code == 200


def test_a_read_key_reads_and_a_write_key_writes(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    prompt = api.create_prompt(account)
    read = bearer(make_key(client, account, scope="read")["key"])
    write = bearer(make_key(client, account, scope="write")["key"])
    log = {"promptId": prompt["_id"], "output": "out", "modelUsed": "m"}
    assert client.get(f"/prompts/{prompt['_id']}", headers=read).json() == prompt  # fast path
    assert client.get("/search?q=prompt", headers=read).status_code == 200  # fast path
    assert_error(client.post("/logs", json=log, headers=read), 403, READ_ONLY)  # fast path
    assert_error(client.post("/logs", json={"bad": 1}, headers=read), 403, READ_ONLY)
    assert_error(client.post("/prompts?x=1", json={}, headers=read), 403, READ_ONLY)
    assert_error(client.delete(f"/prompts/{prompt['_id']}", headers=read), 403, READ_ONLY)
    assert client.get("/logs", headers=read).json() == []
    made = client.post("/logs", json=log, headers=write)
    assert made.status_code == 201, made.text
    assert client.get("/logs", headers=read).json() == [made.json()]


def test_delete_ends_a_key_and_another_users_key_is_404(client: httpx.Client, api: Api) -> None:
    owner, other = api.signup(), api.signup()
    key = make_key(client, owner)
    response = client.delete(f"/auth/keys/{key['_id']}", headers=other.headers)
    assert_error(response, 404, "No API key found with the specified ID.")
    assert client.get("/auth/me", headers=bearer(key["key"])).status_code == 200
    assert client.delete(f"/auth/keys/{key['_id']}", headers=owner.headers).status_code == 204
    assert_error(client.get("/auth/me", headers=bearer(key["key"])), 401, BAD_TOKEN)
    assert_error(client.get("/prompts/prompt1", headers=bearer(key["key"])), 401, BAD_TOKEN)
    assert client.get("/auth/keys", headers=owner.headers).json() == []
    malformed = client.delete("/auth/keys/nope", headers=owner.headers)
    assert_error(malformed, 400, "The request is malformed or the key ID format is invalid.")


def test_password_change_keeps_keys_and_account_deletion_removes_them(
    client: httpx.Client, api: Api, live_server: ServerProcess
) -> None:
    account = api.signup()
    key = make_key(client, account)["key"]
    change = {"currentPassword": PASSWORD, "newPassword": "another long passphrase"}
    assert client.post("/auth/password", json=change, headers=account.headers).status_code == 204
    assert client.get("/auth/me", headers=bearer(key)).status_code == 200
    token = client.post(
        "/auth/login", json={"email": account.email, "password": change["newPassword"]}
    ).json()["token"]
    gone = client.request(
        "DELETE", "/auth/me", json={"password": change["newPassword"]}, headers=bearer(token)
    )
    assert gone.status_code == 204, gone.text
    assert_error(client.get("/auth/me", headers=bearer(key)), 401, BAD_TOKEN)
    user = account.user["_id"]
    rows = fetch(live_server.database_url, "SELECT id FROM api_keys WHERE owner_id = $1", user)
    assert rows == []


def test_expired_and_altered_keys_are_401(
    client: httpx.Client, api: Api, live_server: ServerProcess
) -> None:
    account = api.signup()
    made = make_key(client, account, expiresInDays=1)
    key = made["key"]
    for bad in (key[:-1], key + "a", key[:20], key[:-1] + ("b" if key[-1] != "b" else "c")):
        assert_error(client.get("/auth/me", headers=bearer(bad)), 401, BAD_TOKEN)
    stored = fetch(
        live_server.database_url, "SELECT secret_hash FROM api_keys WHERE id = $1", made["_id"]
    )
    assert stored and key not in str(stored) and key[11:] not in str(stored)
    # Move the expiry into the past, straight in the database.
    expire(live_server.database_url, made["_id"])
    assert_error(client.get("/auth/me", headers=bearer(key)), 401, BAD_TOKEN)


def expire(url: str, key_id: str) -> None:
    import asyncio
    import sqlite3

    import asyncpg

    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            conn.execute("UPDATE api_keys SET expires_at = 1 WHERE id = ?", (key_id,))
        return

    async def run() -> None:
        conn = await asyncpg.connect(url)
        try:
            await conn.execute("UPDATE api_keys SET expires_at = 1 WHERE id = $1", key_id)
        finally:
            await conn.close()

    asyncio.run(run())


def test_last_used_moves_at_most_once_a_minute(
    client: httpx.Client, api: Api, live_server: ServerProcess
) -> None:
    account = api.signup()
    made = make_key(client, account)
    query = "SELECT last_used_at FROM api_keys WHERE id = $1"
    assert fetch(live_server.database_url, query, made["_id"]) == [(None,)]
    for _ in range(5):
        assert client.get("/auth/me", headers=bearer(made["key"])).status_code == 200
    [(first,)] = fetch(live_server.database_url, query, made["_id"])
    assert first is not None
    for _ in range(20):
        assert client.get("/prompts", headers=bearer(made["key"])).status_code == 200
    assert fetch(live_server.database_url, query, made["_id"]) == [(first,)]
    [listed] = client.get("/auth/keys", headers=account.headers).json()
    assert listed["lastUsedAt"] is not None


def test_bad_credentials_win_over_the_key_rules(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    key = make_key(client, account, scope="read")["key"]
    typo = key[:-1] + ("a" if key[-1] != "a" else "b")
    for method, path in (("GET", "/auth/keys"), ("POST", "/prompts"), ("DELETE", "/auth/me")):
        response = client.request(method, path, json={}, headers=bearer(typo))
        assert_error(response, 401, BAD_TOKEN)
    assert_error(client.get("/auth/keys"), 401, "Authentication token is missing.")


def test_a_label_moved_with_a_write_key_is_recorded_as_by_the_key(
    client: httpx.Client, api: Api
) -> None:
    """SPEC: a history entry's ``by`` is the user or the API key id that made the change."""
    account = api.signup()
    prompt = api.create_prompt(account)
    edited = client.patch(
        f"/prompts/{prompt['_id']}", json={"content": "Second"}, headers=account.headers
    )
    assert edited.status_code == 200, edited.text
    key = bearer(make_key(client, account, scope="write")["key"])
    key_id = client.get("/auth/keys", headers=account.headers).json()[0]["_id"]
    path = f"/prompts/{prompt['_id']}/labels/prod"
    assert client.put(path, json={"version": 1}, headers=key).status_code == 200
    assert client.put(path, json={"version": 2}, headers=account.headers).status_code == 200
    assert client.delete(path, headers=key).status_code == 204
    history = client.get(f"{path}/history", headers=account.headers).json()
    assert [(c["version"], c["previousVersion"], c["by"]) for c in history] == [
        (None, 2, key_id),
        (2, 1, account.user["_id"]),
        (1, None, key_id),
    ]


def test_registry_writes_refuse_a_read_key_before_any_400_or_404(
    client: httpx.Client, api: Api
) -> None:
    """401, then the key's 403, then 400 (path, query, body), then 403 and 404: on the
    registry's routes too, whatever else is wrong with the request."""
    owner, other = api.signup(), api.signup()
    mine = api.create_prompt(owner)["_id"]
    theirs = api.create_prompt(other)["_id"]
    read = bearer(make_key(client, owner, scope="read")["key"])
    write = bearer(make_key(client, owner, scope="write")["key"])
    missing = "prompt" + "0" * 26
    bad = [
        ("POST", f"/prompts/{mine}/versions/0/restore", {}, 400),  # bad version number
        ("POST", f"/prompts/{mine}/versions/1/restore?x=1", {}, 400),  # unknown parameter
        ("POST", f"/prompts/{mine}/versions/1/restore", {"nope": 1}, 400),  # bad body
        ("PUT", f"/prompts/{mine}/labels/NOT%20A%20NAME", {"version": 1}, 400),
        ("PUT", f"/prompts/{mine}/labels/prod", {"version": "one"}, 400),
        ("PUT", f"/prompts/{theirs}/labels/prod", {"version": 1}, 403),  # another user's
        ("DELETE", f"/prompts/{mine}/labels/never", None, 404),  # no such label
        ("DELETE", f"/prompts/{missing}/labels/prod", None, 404),  # no such prompt
    ]
    for method, path, body, status in bad:
        assert_error(
            client.request(method, path, json=body), 401, "Authentication token is missing."
        )
        assert_error(client.request(method, path, json=body, headers=read), 403, READ_ONLY)
        # A write key gets past the key rules to the ordinary answer (400, 403 or 404).
        answer = client.request(method, path, json=body, headers=write)
        assert answer.status_code == status, (method, path, answer.text)
    # A read key may render, and then the ordinary order holds: 400, then 403, then 404.
    assert client.post(f"/prompts/{mine}/render?x=1", json={}, headers=read).status_code == 400
    assert client.post(f"/prompts/{theirs}/render", json={}, headers=read).status_code == 403
    assert client.post(f"/prompts/{missing}/render", json={}, headers=read).status_code == 404
    assert client.get(f"/prompts/{mine}/labels", headers=owner.headers).json() == []
    versions = client.get(f"/prompts/{mine}/versions", headers=owner.headers).json()
    assert [v["version"] for v in versions] == [1]

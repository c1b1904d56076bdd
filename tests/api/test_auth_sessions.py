"""POST /auth/logout and /auth/password: both end tokens; a failed change changes nothing."""

from __future__ import annotations

import httpx
import pytest
from tests.support.api import PASSWORD, Api
from tests.support.auth import (
    BAD_LOGIN,
    BAD_TOKEN,
    MISSING,
    WEAK,
    assert_error,
    bearer,
)


def test_logout_ends_the_token(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    response = client.post("/auth/logout", headers=account.headers)
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_error(client.get("/prompts", headers=account.headers), 401, BAD_TOKEN)
    assert_error(client.post("/auth/logout", headers=account.headers), 401, BAD_TOKEN)
    # Logging in again gives a working token.
    login = client.post("/auth/login", json={"email": account.email, "password": PASSWORD})
    assert client.get("/prompts", headers=bearer(login.json()["token"])).status_code == 200


def test_password_change_ends_old_tokens(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    login = client.post("/auth/login", json={"email": account.email, "password": PASSWORD})
    other_token = login.json()["token"]
    new = "a-brand-new-password-42"
    response = client.post(
        "/auth/password",
        json={"currentPassword": PASSWORD, "newPassword": new},
        headers=account.headers,
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    for token in (account.token, other_token):
        assert_error(client.get("/prompts", headers=bearer(token)), 401, BAD_TOKEN)
    old = client.post("/auth/login", json={"email": account.email, "password": PASSWORD})
    assert_error(old, 401, BAD_LOGIN)
    fresh = client.post("/auth/login", json={"email": account.email, "password": new})
    assert fresh.status_code == 200, fresh.text
    me = client.get("/auth/me", headers=bearer(fresh.json()["token"]))
    assert me.status_code == 200, me.text
    assert me.json() == account.user


def test_password_change_with_wrong_current_password_is_403(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    response = client.post(
        "/auth/password",
        json={"currentPassword": "not-the-password", "newPassword": "a-brand-new-password-42"},
        headers=account.headers,
    )
    assert response.status_code == 403, response.text
    assert set(response.json()) == {"error"}
    assert isinstance(response.json()["error"], str)
    # Nothing changed: the token and the old password still work.
    assert client.get("/prompts", headers=account.headers).status_code == 200
    login = client.post("/auth/login", json={"email": account.email, "password": PASSWORD})
    assert login.status_code == 200, login.text


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"currentPassword": PASSWORD, "newPassword": "short-pw9"}, WEAK),
        ({"currentPassword": PASSWORD, "newPassword": "p" * 129}, WEAK),
        ({"currentPassword": PASSWORD}, MISSING),
        ({"newPassword": "a-brand-new-password-42"}, MISSING),
        ({"currentPassword": PASSWORD, "newPassword": "a-brand-new-password-42", "x": 1}, MISSING),
    ],
    ids=repr,
)
def test_password_change_rejects_invalid_bodies(
    client: httpx.Client, api: Api, body: dict, message: str
) -> None:
    account = api.signup()
    assert_error(client.post("/auth/password", json=body, headers=account.headers), 400, message)
    assert client.get("/prompts", headers=account.headers).status_code == 200

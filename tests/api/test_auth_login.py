"""POST /auth/login and hostile credentials: one answer for every failure, no echo."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from tests.support.api import PASSWORD, Api
from tests.support.auth import (
    BAD_LOGIN,
    JSON,
    MISSING,
    assert_error,
    bearer,
    email,
    parse_iso,
)


@pytest.mark.parametrize("variant", [str.lower, str.upper, str.title])
def test_login_returns_bearer_token_with_any_email_case(
    client: httpx.Client, api: Api, variant: Any
) -> None:
    account = api.signup(email=f"Mixed.{uuid.uuid4().hex}@Example.com")
    response = client.post(
        "/auth/login", json={"email": variant(account.email), "password": PASSWORD}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"token", "tokenType", "expiresAt"}
    assert body["tokenType"] == "Bearer"
    expires = parse_iso(body["expiresAt"]).timestamp()
    assert time.time() + 60 < expires < time.time() + 31 * 24 * 3600
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["sub"] == account.user["_id"]
    assert abs(claims["exp"] - expires) < 1
    me = client.get("/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200, me.text
    assert me.json() == account.user


def test_wrong_password_and_unknown_email_answer_identically(
    client: httpx.Client, api: Api
) -> None:
    account = api.signup()
    wrong = client.post(
        "/auth/login", json={"email": account.email, "password": "wrong-password-1"}
    )
    unknown = client.post("/auth/login", json={"email": email(), "password": PASSWORD})
    assert_error(wrong, 401, BAD_LOGIN)
    assert_error(unknown, 401, BAD_LOGIN)
    assert wrong.content == unknown.content
    assert wrong.json() == {"error": BAD_LOGIN}


def test_unknown_email_costs_about_as_much_as_a_wrong_password(
    client: httpx.Client, api: Api
) -> None:
    account = api.signup()

    def median_seconds(address: str) -> float:
        times = []
        for _ in range(5):
            started = time.perf_counter()
            response = client.post(
                "/auth/login", json={"email": address, "password": "nope-nope-1"}
            )
            times.append(time.perf_counter() - started)
            assert response.status_code == 401, response.text
        return sorted(times)[2]

    wrong, unknown = median_seconds(account.email), median_seconds(email())
    assert 1 / 3 < unknown / wrong < 3, (unknown, wrong)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "someone@example.com"},
        {"password": PASSWORD},
        {"email": "", "password": PASSWORD},
        {"email": None, "password": PASSWORD},
        {"email": 42, "password": PASSWORD},
        {"email": "someone@example.com", "password": 1234567890},
        {"email": "someone@example.com", "password": PASSWORD, "remember": True},
    ],
    ids=repr,
)
def test_login_rejects_missing_or_invalid_fields(client: httpx.Client, body: dict) -> None:
    assert_error(client.post("/auth/login", json=body), 400, MISSING)


@pytest.mark.parametrize("bad", ["\\u0000", "\\ud800"])
@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/auth/login", "email"),
        ("/auth/login", "password"),
        ("/auth/password", "currentPassword"),
        ("/auth/password", "newPassword"),
    ],
)
def test_nul_and_lone_surrogates_in_credentials_are_400(
    client: httpx.Client, api: Api, path: str, field: str, bad: str
) -> None:
    account = api.signup()
    values = (
        {"email": account.email, "password": PASSWORD}
        if path == "/auth/login"
        else {"currentPassword": PASSWORD, "newPassword": "a-brand-new-password-42"}
    )
    values[field] = values[field][:3] + bad + values[field][3:]
    body = "{" + ", ".join(f'"{name}": "{value}"' for name, value in values.items()) + "}"
    response = client.post(path, content=body.encode(), headers={**JSON, **account.headers})
    assert_error(response, 400, MISSING)
    assert client.get("/prompts", headers=account.headers).status_code == 200


def test_no_error_body_echoes_the_submitted_password(client: httpx.Client, api: Api) -> None:
    account = api.signup()
    secret = f"Zq9-{uuid.uuid4().hex}"  # unique, so any echo is unmistakable
    failing = [
        ("/auth/signup", {"name": "X", "email": "not-an-email", "password": secret}),
        ("/auth/signup", {"name": "", "email": email(), "password": secret}),
        ("/auth/signup", {"name": "X", "email": email(), "password": secret[:9]}),
        ("/auth/signup", {"name": "X", "email": email(), "password": secret * 4}),
        ("/auth/signup", {"name": "X", "email": account.email, "password": secret}),
        ("/auth/signup", {"name": "X", "email": email(), "password": secret, "extra": secret}),
        ("/auth/login", {"email": account.email, "password": secret}),
        ("/auth/login", {"email": email(), "password": secret}),
        ("/auth/login", {"email": account.email, "password": secret, "x": 1}),
        ("/auth/login", {"email": account.email, "password": secret * 40}),
        ("/auth/login", {"email": [secret], "password": secret}),
    ]
    for path, body in failing:
        response = client.post(path, json=body)
        assert 400 <= response.status_code < 500, (path, body, response.text)
        assert secret[:9] not in response.text, (path, response.text)
        assert "error" in response.json()
    changes = [
        {"currentPassword": secret, "newPassword": "new-password-123"},
        {"currentPassword": PASSWORD, "newPassword": secret[:9]},
        {"currentPassword": secret, "newPassword": 5},
    ]
    for body in changes:
        response = client.post("/auth/password", json=body, headers=account.headers)
        assert response.status_code in (400, 403), response.text
        assert secret[:9] not in response.text, response.text

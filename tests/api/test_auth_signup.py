"""POST /auth/signup: what an account needs, what it answers, and one account per email."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from tests.support.api import PASSWORD, Api
from tests.support.auth import (
    BAD_LOGIN,
    MISSING,
    TAKEN,
    USER_ID,
    WEAK,
    assert_error,
    bearer,
    email,
    parse_iso,
)


def test_signup_returns_message_token_and_user(client: httpx.Client) -> None:
    address = email()
    before = datetime.now(UTC).replace(microsecond=0)
    response = client.post(
        "/auth/signup", json={"name": "Ada Lovelace", "email": address, "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"message", "token", "user"}
    assert body["message"] == "User account created successfully."
    user = body["user"]
    assert set(user) == {"_id", "name", "email", "createdAt"}
    assert USER_ID.match(user["_id"]), user
    assert (user["name"], user["email"]) == ("Ada Lovelace", address)
    assert before <= parse_iso(user["createdAt"]) <= datetime.now(UTC)
    listed = client.get("/prompts", headers=bearer(body["token"]))
    assert listed.status_code == 200, listed.text
    assert listed.json() == []
    me = client.get("/auth/me", headers=bearer(body["token"]))
    assert me.status_code == 200, me.text
    assert me.json() == user


def valid_signup(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Someone", "email": email(), "password": PASSWORD}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not ...}


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ...},
        {"email": ...},
        {"password": ...},
        {"name": ..., "email": ..., "password": ...},
        {"email": "not-an-email"},
        {"email": "a@"},
        {"email": "@example.com"},
        {"email": "two@@example.com"},
        {"email": ""},
        {"name": ""},
        {"name": "   "},
        {"name": "n" * 101},
        {"name": None},
        {"name": 5},
        {"name": ["Someone"]},
        {"email": 12345},
        {"email": None},
        {"password": 12345678901},
        {"password": None},
        {"password": ["correct horse battery"]},
        {"role": "admin"},
        {"_id": "user123"},
    ],
    ids=repr,
)
def test_signup_rejects_missing_or_invalid_fields(client: httpx.Client, changes: dict) -> None:
    body = valid_signup(**changes)
    response = client.post("/auth/signup", json=body)
    assert_error(response, 400, MISSING)
    if isinstance(body.get("email"), str) and "@example.com" in body["email"]:
        login = client.post("/auth/login", json={"email": body["email"], "password": PASSWORD})
        assert_error(login, 401, BAD_LOGIN)  # nothing was stored


@pytest.mark.parametrize("name", ["N", "n" * 100, "Zoë 名前 🙂"])
def test_signup_accepts_names_within_bounds(client: httpx.Client, name: str) -> None:
    response = client.post("/auth/signup", json=valid_signup(name=name))
    assert response.status_code == 201, response.text
    assert response.json()["user"]["name"] == name


@pytest.mark.parametrize(
    ("length", "accepted"), [(9, False), (10, True), (128, True), (129, False)]
)
def test_password_must_have_10_to_128_characters(
    client: httpx.Client, length: int, accepted: bool
) -> None:
    address, password = email(), ("Pw7-" * 40)[:length]
    signup = client.post(
        "/auth/signup", json={"name": "Someone", "email": address, "password": password}
    )
    login = client.post("/auth/login", json={"email": address, "password": password})
    if accepted:
        assert (signup.status_code, login.status_code) == (201, 200), (signup.text, login.text)
    else:
        assert_error(signup, 400, WEAK)
        assert_error(login, 401, BAD_LOGIN)  # nothing was stored


def test_duplicate_email_in_another_case_is_409(client: httpx.Client, api: Api) -> None:
    local = f"dup-{uuid.uuid4().hex}"
    first = api.signup(email=f"{local}@example.com")
    response = client.post(
        "/auth/signup",
        json={"name": "Other", "email": f"{local.upper()}@EXAMPLE.COM", "password": "another-pw-1"},
    )
    assert_error(response, 409, TAKEN)
    again = client.post(
        "/auth/signup", json={"name": "Other", "email": first.email, "password": "another-pw-1"}
    )
    assert_error(again, 409, TAKEN)
    # The first account is untouched: its password still works, the intruder's does not.
    ok = client.post("/auth/login", json={"email": first.email, "password": PASSWORD})
    assert ok.status_code == 200, ok.text
    bad = client.post("/auth/login", json={"email": first.email, "password": "another-pw-1"})
    assert_error(bad, 401, BAD_LOGIN)

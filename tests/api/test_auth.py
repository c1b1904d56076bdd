"""POST /auth/signup, /auth/login, /auth/logout, /auth/password, GET /auth/me and token checks."""

from __future__ import annotations

import re
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import jwt
import pytest
from tests.support.api import PASSWORD, Api
from tests.support.server import TEST_SECRET

MISSING = "Required fields are missing or invalid."
WEAK = "The password does not meet the security requirements."
TAKEN = "Email already in use."
BAD_LOGIN = "Incorrect email or password."
NO_TOKEN = "Authentication token is missing."
BAD_TOKEN = "Authentication token is expired or invalid."

USER_ID = re.compile(r"^user[0-9a-z]+$")
JSON = {"Content-Type": "application/json"}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def email() -> str:
    return f"auth-{uuid.uuid4().hex}@example.com"


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == message, body
    assert set(body) <= {"error", "details"}, body


def parse_iso(value: str) -> datetime:
    assert ISO_MS.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}


# ---- signup ------------------------------------------------------------------------------


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


# ---- login -------------------------------------------------------------------------------


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


# ---- tokens ------------------------------------------------------------------------------


def craft(
    user_id: str, *, key: str | None = TEST_SECRET, algorithm: str = "HS256", **claims: Any
) -> str:
    now = int(time.time())
    payload = {"sub": user_id, "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex, "gen": 0}
    payload = {name: value for name, value in (payload | claims).items() if value is not ...}
    return jwt.encode(payload, key, algorithm=algorithm)


def test_missing_authorization_header_is_401_missing(client: httpx.Client) -> None:
    response = client.get("/prompts")
    assert_error(response, 401, NO_TOKEN)
    assert_error(client.get("/auth/me"), 401, NO_TOKEN)
    assert_error(client.post("/auth/logout"), 401, NO_TOKEN)
    body = {"currentPassword": PASSWORD, "newPassword": "a-brand-new-password-42"}
    assert_error(client.post("/auth/password", json=body), 401, NO_TOKEN)


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "beaRer", "Basic", "Token"])
def test_scheme_word_is_case_insensitive(client: httpx.Client, api: Api, scheme: str) -> None:
    account = api.signup()
    response = client.get("/prompts", headers=bearer(account.token, scheme))
    if scheme.lower() == "bearer":
        assert (response.status_code, response.json()) == (200, []), response.text
    else:
        assert_error(response, 401, BAD_TOKEN)


def test_a_correctly_crafted_token_is_accepted(client: httpx.Client, api: Api) -> None:
    # The control for the forgeries below: only the one thing they change makes them fail.
    account = api.signup()
    response = client.get("/auth/me", headers=bearer(craft(account.user["_id"])))
    assert response.status_code == 200, response.text
    assert response.json() == account.user


def tamper(token: str, **claims: Any) -> str:
    """Change claims but keep the original signature."""
    header, payload, signature = token.split(".")
    decoded = jwt.decode(token, options={"verify_signature": False}) | claims
    forged = jwt.encode(decoded, "x" * 32, algorithm="HS256").split(".")[1]
    assert forged != payload
    return f"{header}.{forged}.{signature}"


UNKNOWN_USER = "user" + "0" * 26
FORGERIES: dict[str, Any] = {
    "garbage": lambda uid: "not-a-jwt",
    "three-dots": lambda uid: "a.b.c",
    "bad signature": lambda uid: craft(uid, key="another-secret-that-is-long-enough-9876543210"),
    "tampered payload": lambda uid: tamper(craft(uid), exp=int(time.time()) + 999_999),
    "alg none": lambda uid: craft(uid, key=None, algorithm="none"),
    "HS512 right secret": lambda uid: craft(uid, algorithm="HS512"),
    "no exp": lambda uid: craft(uid, exp=...),
    "expired": lambda uid: craft(uid, iat=int(time.time()) - 7200, exp=int(time.time()) - 3600),
    "unknown user": lambda uid: craft(UNKNOWN_USER),
    # Genuine signatures, no such user, and odd claim values: still just an invalid token.
    "sub with NUL": lambda uid: craft(uid + "\x00"),
    "sub with lone surrogate": lambda uid: craft(uid + "\ud800"),
    "jti with NUL": lambda uid: craft(UNKNOWN_USER, jti="a\x00b"),
    "jti with lone surrogate": lambda uid: craft(UNKNOWN_USER, jti="\udfff"),
    "gen beyond 64 bits": lambda uid: craft(UNKNOWN_USER, gen=2**70),
}


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_or_expired_tokens_are_401_invalid(
    client: httpx.Client, api: Api, forge: Any
) -> None:
    account = api.signup()
    token = forge(account.user["_id"])
    for path in ("/prompts", "/auth/me"):
        assert_error(client.get(path, headers=bearer(token)), 401, BAD_TOKEN)


# ---- logout, profile, password change ----------------------------------------------------


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

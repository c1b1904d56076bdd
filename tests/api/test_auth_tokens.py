"""The bearer token: missing, forged, expired or for no user, it is refused with 401."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import jwt
import pytest
from tests.support.api import PASSWORD, Api
from tests.support.auth import (
    BAD_TOKEN,
    NO_TOKEN,
    assert_error,
    bearer,
)
from tests.support.server import TEST_SECRET


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

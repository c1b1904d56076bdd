"""Token lifecycle on a two-worker server: logout, password change, account deletion.

Each worker caches verified signatures, so every check below warms a token on both workers
first and then proves that both refuse it.
"""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import pytest

from tests.security.helpers import (
    BAD_LOGIN,
    TOKEN_INVALID,
    Workers,
    assert_error,
    fetch,
    login_body,
    signup_body,
)
from tests.support.api import PASSWORD
from tests.support.server import TEST_SECRET, ServerProcess

NEW_PASSWORD = "a-brand-new-password-42"
WRONG_CURRENT = "The current password is incorrect."
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


@pytest.fixture
def workers(two_workers: ServerProcess) -> Iterator[Workers]:
    with Workers(two_workers) as pinned:
        yield pinned


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signup(workers: Workers) -> tuple[str, dict[str, Any]]:
    email = f"tok-{uuid.uuid4().hex}@example.com"
    response = workers.request(0, "POST", "/auth/signup", json=signup_body(email))
    assert response.status_code == 201, response.text
    return response.json()["token"], response.json()["user"]


def login(workers: Workers, email: str, password: str = PASSWORD, worker: int = 0) -> str:
    response = workers.request(worker, "POST", "/auth/login", json=login_body(email, password))
    assert response.status_code == 200, response.text
    token: str = response.json()["token"]
    return token


def assert_alive(workers: Workers, token: str) -> None:
    for worker in range(len(workers)):
        response = workers.request(worker, "GET", "/auth/me", headers=bearer(token))
        assert response.status_code == 200, (worker, response.text)


def assert_dead(workers: Workers, token: str, requests: int = 4) -> None:
    for attempt in range(requests):
        path = ("/auth/me", "/prompts", "/logs", "/search?q=x")[attempt % 4]
        response = workers.request(attempt, "GET", path, headers=bearer(token))
        assert_error(response, 401, TOKEN_INVALID)
        assert response.headers["www-authenticate"] == "Bearer"


def test_logout_ends_the_token_on_every_worker(workers: Workers) -> None:
    first, user = signup(workers)
    second = login(workers, user["email"])
    assert_alive(workers, first)
    assert_alive(workers, second)
    response = workers.request(1, "POST", "/auth/logout", headers=bearer(second))
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert_dead(workers, second, requests=20)
    assert_error(
        workers.request(0, "POST", "/auth/logout", headers=bearer(second)), 401, TOKEN_INVALID
    )
    # Only the presented token ended.
    assert_alive(workers, first)


def test_password_change_ends_every_older_token(
    workers: Workers, two_workers: ServerProcess
) -> None:
    signed_up, user = signup(workers)
    tokens = [signed_up, login(workers, user["email"]), login(workers, user["email"], worker=1)]
    for token in tokens:
        assert_alive(workers, token)
    wrong = {"currentPassword": "not-the-password-1", "newPassword": NEW_PASSWORD}
    response = workers.request(1, "POST", "/auth/password", json=wrong, headers=bearer(tokens[1]))
    assert_error(response, 403, WRONG_CURRENT)
    assert_alive(workers, tokens[0])

    before = fetch(
        two_workers.database_url, "SELECT password_hash FROM users WHERE id = $1", user["_id"]
    )
    change = {"currentPassword": PASSWORD, "newPassword": NEW_PASSWORD}
    response = workers.request(0, "POST", "/auth/password", json=change, headers=bearer(tokens[1]))
    assert response.status_code == 204, response.text
    assert response.content == b""
    for token in tokens:
        assert_dead(workers, token)
    after = fetch(
        two_workers.database_url, "SELECT password_hash FROM users WHERE id = $1", user["_id"]
    )
    assert after != before
    assert_error(
        workers.request(1, "POST", "/auth/login", json=login_body(user["email"])), 401, BAD_LOGIN
    )
    assert_alive(workers, login(workers, user["email"], NEW_PASSWORD, worker=1))


def test_me_is_exactly_the_profile(workers: Workers) -> None:
    token, user = signup(workers)
    for worker in range(2):
        response = workers.request(worker, "GET", "/auth/me", headers=bearer(token))
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert set(body) == {"_id", "name", "email", "createdAt"}
        assert body == user
        assert re.fullmatch(r"user[0-9a-z]+", body["_id"])
        assert ISO_MS.match(body["createdAt"])


def test_deleted_account_token_and_password_are_dead(
    workers: Workers, two_workers: ServerProcess
) -> None:
    token, user = signup(workers)
    email = user["email"]
    prompt = workers.request(
        0,
        "POST",
        "/prompts",
        json={"title": "Mine", "content": "c", "model": "m"},
        headers=bearer(token),
    ).json()
    log = {"promptId": prompt["_id"], "output": "o", "modelUsed": "m"}
    assert workers.request(1, "POST", "/logs", json=log, headers=bearer(token)).status_code == 201
    other = login(workers, email, worker=1)
    assert_alive(workers, token)
    assert_alive(workers, other)

    response = workers.request(
        0, "DELETE", "/auth/me", json={"password": "not-the-password-1"}, headers=bearer(token)
    )
    assert_error(response, 403, WRONG_CURRENT)
    assert_alive(workers, token)

    response = workers.request(
        1, "DELETE", "/auth/me", json={"password": PASSWORD}, headers=bearer(token)
    )
    assert response.status_code == 204, response.text
    assert response.content == b""
    for dead in (token, other, craft(user["_id"])):
        assert_dead(workers, dead, requests=8)
    assert_error(workers.request(0, "POST", "/auth/login", json=login_body(email)), 401, BAD_LOGIN)
    url = two_workers.database_url
    assert fetch(url, "SELECT id FROM users WHERE id = $1", user["_id"]) == []
    assert fetch(url, "SELECT id FROM prompts WHERE owner_id = $1", user["_id"]) == []
    assert fetch(url, "SELECT id FROM logs WHERE owner_id = $1", user["_id"]) == []

    # The email is free again; the new account is not reachable with the old tokens.
    response = workers.request(0, "POST", "/auth/signup", json=signup_body(email))
    assert response.status_code == 201, response.text
    assert response.json()["user"]["_id"] != user["_id"]
    assert_dead(workers, token)


def craft(user_id: str, *, key: str = TEST_SECRET, algorithm: str = "HS256", **claims: Any) -> str:
    now = int(time.time())
    payload = {"sub": user_id, "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex, "gen": 0}
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm)


def unsigned(user_id: str) -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"sub": user_id, "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex, "gen": 0}
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


FORGERIES = {
    "no exp": lambda uid: craft(uid, exp=None),
    "expired": lambda uid: craft(uid, iat=int(time.time()) - 7200, exp=int(time.time()) - 60),
    "HS512 with the right secret": lambda uid: craft(uid, algorithm="HS512"),
    "alg none": unsigned,
    "no gen": lambda uid: craft(uid, gen=None),
    "gen as a string": lambda uid: craft(uid, gen="0"),
    "later generation": lambda uid: craft(uid, gen=1),
    "no jti": lambda uid: craft(uid, jti=None),
}


def test_crafted_token_control_is_accepted_by_every_worker(workers: Workers) -> None:
    # Without this, the forgeries below could fail for a reason of the test's own making.
    _, user = signup(workers)
    assert_alive(workers, craft(user["_id"]))


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_forged_tokens_are_refused_by_every_worker(workers: Workers, forge: Any) -> None:
    _, user = signup(workers)
    assert_dead(workers, forge(user["_id"]))

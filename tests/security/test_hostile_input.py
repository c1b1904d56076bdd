"""Hostile bodies: nesting bombs, oversized bodies, and passwords that must never come back,
neither in an answer nor in the server's log (the shared server logs at debug level)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.security.helpers import assert_error
from tests.support.api import Account, Api
from tests.support.server import ServerProcess

MIB = 1024 * 1024
TOO_LARGE = "The request body is larger than 1 MiB."
JSON = {"Content-Type": "application/json"}

BOMBS = {
    "deep array": b"[" * 100_000 + b"]" * 100_000,
    "deep object": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "unclosed arrays": b"[" * 500_000,
    "deep field value": b'{"title": "t", "content": "c", "model": "m", "tags": '
    + b"[" * 50_000
    + b"]" * 50_000
    + b"}",
    "nesting under the parser's limit": b'{"title": "t", "content": "c", "model": "m", "tags": '
    + b"[" * 1000
    + b"]" * 1000
    + b"}",
}


@pytest.fixture
def account(api2: Api) -> Account:
    return api2.signup()


@pytest.mark.parametrize("bomb", BOMBS.values(), ids=BOMBS.keys())
@pytest.mark.parametrize("path", ["/prompts", "/auth/signup", "/auth/login"])
def test_nesting_bomb_is_a_fast_400(
    http: httpx.Client, account: Account, path: str, bomb: bytes
) -> None:
    started = time.perf_counter()
    response = http.post(path, content=bomb, headers={**JSON, **account.headers})
    elapsed = time.perf_counter() - started
    assert response.status_code == 400, response.text
    assert set(response.json()) <= {"error", "details"}
    assert elapsed < 1.0, elapsed
    assert http.get("/prompts", headers=account.headers).json() == []


def sized(size: int) -> bytes:
    """A valid prompt body of exactly ``size`` bytes (padded with JSON white space)."""
    body = json.dumps({"title": "Sized", "content": "c", "model": "m"}).encode()
    return body + b" " * (size - len(body))


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_exactly_1_mib_is_accepted_and_one_byte_more_is_413(
    http: httpx.Client, account: Account
) -> None:
    headers = {**JSON, **account.headers}
    response = http.post("/prompts", content=sized(MIB), headers=headers)
    assert response.status_code == 201, response.text
    assert_error(http.post("/prompts", content=sized(MIB + 1), headers=headers), 413, TOO_LARGE)
    # Streamed without a length, the body is counted as it arrives.
    streamed = http.post("/prompts", content=chunks(sized(MIB + 1)), headers=headers)
    assert streamed.request.headers["transfer-encoding"] == "chunked"
    assert_error(streamed, 413, TOO_LARGE)
    streamed = http.post("/prompts", content=chunks(sized(MIB)), headers=headers)
    assert streamed.status_code == 201, streamed.text
    titles = [prompt["title"] for prompt in http.get("/prompts", headers=account.headers).json()]
    assert titles == ["Sized", "Sized"]


def test_passwords_are_never_echoed_nor_logged(
    http: httpx.Client, account: Account, two_workers: ServerProcess
) -> None:
    secret = f"Xy7-{uuid.uuid4().hex}"
    fresh = f"echo-{uuid.uuid4().hex}@example.com"
    attempts: list[tuple[str, str, object, int]] = [
        ("POST", "/auth/signup", {"name": "E", "email": "not-an-email", "password": secret}, 400),
        ("POST", "/auth/signup", {"name": "E", "email": fresh, "password": secret, "x": 1}, 400),
        ("POST", "/auth/signup", {"name": "E", "email": fresh, "password": secret * 5}, 400),
        ("POST", "/auth/signup", {"name": "E", "email": fresh, "password": secret + "\0"}, 400),
        ("POST", "/auth/signup", {"name": "E", "email": fresh, "password": [secret]}, 400),
        ("POST", "/auth/signup", {"name": "E", "email": account.email, "password": secret}, 409),
        ("POST", "/auth/login", {"email": account.email, "password": secret}, 401),
        ("POST", "/auth/login", {"email": fresh, "password": secret}, 401),
        ("POST", "/auth/login", {"email": account.email, "password": secret * 30}, 400),
        ("POST", "/auth/login", {"email": secret, "password": {"p": secret}}, 400),
        ("POST", "/auth/password", {"currentPassword": secret, "newPassword": "short"}, 400),
        ("POST", "/auth/password", {"currentPassword": secret, "newPassword": secret}, 403),
        ("POST", "/auth/password", {"currentPassword": "x", "newPassword": secret[:9]}, 400),
        ("DELETE", "/auth/me", {"password": secret}, 403),
        ("DELETE", "/auth/me", {"password": secret, "confirm": True}, 400),
    ]
    for method, path, body, status in attempts:
        response = http.request(method, path, json=body, headers=account.headers)
        assert response.status_code == status, (path, body, response.text)
        assert secret not in response.text, (path, response.text)
        assert secret not in str(response.headers), (path, response.headers)
    raw = [
        ("/auth/login", f'{{"email": "{account.email}", "password": "{secret}",}}', JSON),
        ("/auth/login", f'{{"email": "{account.email}", "password": "{secret}"', JSON),
        ("/auth/login", f"email={account.email}&password={secret}", {}),
    ]
    for path, content, headers in raw:
        if not headers:
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
        response = http.post(path, content=content, headers=headers)
        assert response.status_code in (400, 415), response.text
        assert secret not in response.text, (path, response.text)
    response = http.get(f"/prompts?password={secret}", headers=account.headers)
    assert response.status_code == 400, response.text
    assert secret not in response.text
    # Still logged in with the real password: none of the above changed anything.
    assert http.get("/auth/me", headers=account.headers).status_code == 200
    assert secret[4:] not in two_workers.log_path.read_text(errors="replace")

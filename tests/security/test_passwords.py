"""Stored passwords: argon2id at OWASP's minimum or above, rehashed when the cost goes up,
and a login that tells nobody whether an email is registered."""

from __future__ import annotations

import uuid

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from tests.security.conftest import Servers
from tests.security.helpers import (
    BAD_LOGIN,
    Workers,
    argon2_parameters,
    fetch,
    login_body,
    median,
    password_hash,
    signup_body,
)
from tests.support.api import PASSWORD
from tests.support.server import ServerProcess


def email() -> str:
    return f"pw-{uuid.uuid4().hex}@example.com"


def assert_owasp_argon2id(encoded: str, password: str) -> dict[str, int]:
    kind, params = argon2_parameters(encoded)
    assert kind == "argon2id", encoded
    assert params["m"] >= 19456, encoded
    assert params["t"] >= 2, encoded
    assert params["p"] == 1, encoded
    assert PasswordHasher().verify(encoded, password)
    return params


def test_stored_hash_is_salted_argon2id(two_workers: ServerProcess) -> None:
    with Workers(two_workers) as workers:
        addresses = [email(), email()]
        for worker, address in enumerate(addresses):
            response = workers.request(worker, "POST", "/auth/signup", json=signup_body(address))
            assert response.status_code == 201, response.text
    hashes = [password_hash(two_workers.database_url, address) for address in addresses]
    for encoded in hashes:
        assert_owasp_argon2id(encoded, PASSWORD)
        with pytest.raises(VerifyMismatchError):
            PasswordHasher().verify(encoded, PASSWORD + "x")
    assert hashes[0] != hashes[1]  # same password, different salts
    # The password itself is in no column of the user's row.
    row = fetch(two_workers.database_url, "SELECT * FROM users WHERE email_key = $1", addresses[0])
    assert len(row) == 1
    assert all(PASSWORD not in str(value) for value in row[0])


def test_login_rehashes_when_the_time_cost_goes_up(servers: Servers) -> None:
    url = servers.fresh_url()
    address = email()
    before = servers.start(url=url)
    with Workers(before) as workers:
        response = workers.request(0, "POST", "/auth/signup", json=signup_body(address))
        assert response.status_code == 201, response.text
    before.stop()
    original = password_hash(url, address)
    assert assert_owasp_argon2id(original, PASSWORD)["t"] == 2

    after = servers.start({"PROMPTCRAFTER_ARGON2_TIME_COST": "3"}, url=url)
    with Workers(after) as workers:
        wrong = workers.request(0, "POST", "/auth/login", json=login_body(address, "nope-nope-1"))
        assert wrong.status_code == 401, wrong.text
        assert password_hash(url, address) == original  # a failed login changes nothing

        response = workers.request(0, "POST", "/auth/login", json=login_body(address))
        assert response.status_code == 200, response.text
        rehashed = password_hash(url, address)
        assert rehashed != original
        assert assert_owasp_argon2id(rehashed, PASSWORD)["t"] == 3

        # Once at the current cost, a login leaves the hash alone.
        response = workers.request(0, "POST", "/auth/login", json=login_body(address))
        assert response.status_code == 200, response.text
        assert password_hash(url, address) == rehashed


def test_unknown_email_and_wrong_password_look_the_same(two_workers: ServerProcess) -> None:
    with Workers(two_workers) as workers:
        known = email()
        assert (
            workers.request(0, "POST", "/auth/signup", json=signup_body(known)).status_code == 201
        )
        attempts = {
            "wrong password": lambda: login_body(known, "wrong-password-1"),
            "unknown email": lambda: login_body(email(), "wrong-password-1"),
        }
        times: dict[str, list[float]] = {name: [] for name in attempts}
        bodies: dict[str, set[bytes]] = {name: set() for name in attempts}
        # One warm-up of each kind on the worker (the unknown-email path prepares its dummy
        # hash on first use), then eight measured tries of each, interleaved.
        for round_ in range(9):
            for name, body in attempts.items():
                seconds, response = workers.timed(0, "POST", "/auth/login", json=body())
                assert response.status_code == 401, response.text
                assert response.json() == {"error": BAD_LOGIN}
                bodies[name].add(response.content)
                if round_:
                    times[name].append(seconds)
    assert bodies["wrong password"] == bodies["unknown email"]
    ratio = median(times["unknown email"]) / median(times["wrong password"])
    assert 0.5 <= ratio <= 2.0, times

"""The same brute-force limits with PROMPTCRAFTER_REDIS_URL: counters live in Redis.

Every request goes through a trusted proxy (127.0.0.1) with a unique forwarded address, so the
per-IP keys these tests make belong to them alone and are removed afterwards.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator

import pytest
import redis

from tests.security.conftest import Servers
from tests.security.helpers import (
    BAD_LOGIN,
    TOO_MANY_ATTEMPTS,
    TOO_MANY_LOGINS,
    Workers,
    account_bucket,
    assert_error,
    assert_limited,
    fetch,
    login_body,
    signup_body,
)

PREFIX = "promptcrafter:rl:"
WRONG = "wrong-password-123"


def account_key(email: str) -> str:
    return PREFIX + account_bucket(email)


def unique_ip(network: str = "198.18") -> str:
    return f"{network}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@pytest.fixture
def made_keys(redis_db: tuple[str, redis.Redis]) -> Iterator[list[str]]:
    """Keys a test expects the server to create; deleted whatever happens."""
    keys: list[str] = []
    yield keys
    if keys:
        redis_db[1].delete(*keys)


def redis_env(url: str, **numbers: str) -> dict[str, str]:
    env = {
        "PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true",
        "PROMPTCRAFTER_REDIS_URL": url,
        "PROMPTCRAFTER_TRUSTED_PROXIES": "127.0.0.1",
    }
    env.update({f"PROMPTCRAFTER_{name.upper()}": value for name, value in numbers.items()})
    return env


def test_account_lock_lives_in_redis(
    servers: Servers, redis_db: tuple[str, redis.Redis], made_keys: list[str]
) -> None:
    url, store = redis_db
    server = servers.start(redis_env(url, login_attempts_per_ip_per_minute="1000"), workers=2)
    email, ip = f"rd-{uuid.uuid4().hex}@example.com", unique_ip()
    made_keys += [account_key(email), f"{PREFIX}login-ip:{ip}", f"{PREFIX}signup-ip:{ip}"]
    via = {"X-Forwarded-For": ip}
    with Workers(server) as workers:
        response = workers.request(0, "POST", "/auth/signup", json=signup_body(email), headers=via)
        assert response.status_code == 201, response.text
        assert store.get(f"{PREFIX}signup-ip:{ip}") == b"1"
        assert 3_500_000 < store.pttl(f"{PREFIX}signup-ip:{ip}") <= 3_600_000

        for attempt in range(10):
            body = login_body(email, WRONG)
            response = workers.request(attempt, "POST", "/auth/login", json=body, headers=via)
            assert_error(response, 401, BAD_LOGIN)
        assert store.get(account_key(email)) == b"10"
        assert 0 < store.pttl(account_key(email)) <= 900_000
        assert store.get(f"{PREFIX}login-ip:{ip}") == b"10"

        for attempt in range(2):
            body = login_body(email)
            response = workers.request(attempt, "POST", "/auth/login", json=body, headers=via)
            assert_limited(response, TOO_MANY_LOGINS, 15 * 60)
        # Nothing of it is in the database...
        assert fetch(server.database_url, "SELECT bucket FROM rate_limits") == []
        # ...and removing the Redis key lifts the lock on both workers at once.
        store.delete(account_key(email))
        for attempt in range(2):
            body = login_body(email)
            response = workers.request(attempt, "POST", "/auth/login", json=body, headers=via)
            assert response.status_code == 200, response.text
        assert store.exists(account_key(email)) == 0  # a success clears the failures
        assert store.get(f"{PREFIX}login-ip:{ip}") == b"14"


def test_two_servers_on_two_databases_share_the_redis_counters(
    servers: Servers, redis_db: tuple[str, redis.Redis], made_keys: list[str]
) -> None:
    url, store = redis_db
    env = redis_env(url, login_attempts_per_ip_per_minute="6", signups_per_ip_per_hour="2")
    first, second = servers.start(env), servers.start(env)
    assert first.database_url != second.database_url
    ip = unique_ip()
    made_keys += [f"{PREFIX}login-ip:{ip}", f"{PREFIX}signup-ip:{ip}"]
    via = {"X-Forwarded-For": ip}
    with Workers(first) as one, Workers(second) as two:
        both = (one, two)
        emails = [f"rd-{uuid.uuid4().hex}@example.com" for _ in range(4)]
        for index, side in enumerate(both):
            body = signup_body(emails[index])
            assert (
                side.request(0, "POST", "/auth/signup", json=body, headers=via).status_code == 201
            )
        for index, side in enumerate(both):
            body = signup_body(emails[index + 2])
            response = side.request(0, "POST", "/auth/signup", json=body, headers=via)
            assert_limited(response, TOO_MANY_ATTEMPTS, 3600)
        assert store.get(f"{PREFIX}signup-ip:{ip}") == b"4"
        made_keys += [account_key(address) for address in emails]

        for attempt in range(6):  # three on each server: the sixth is still within budget
            side = both[attempt % 2]
            body = login_body(emails[attempt % 2], WRONG)
            assert_error(
                side.request(0, "POST", "/auth/login", json=body, headers=via), 401, BAD_LOGIN
            )
        for index, side in enumerate(both):
            body = login_body(emails[index])
            response = side.request(0, "POST", "/auth/login", json=body, headers=via)
            assert_limited(response, TOO_MANY_ATTEMPTS, 60)
        assert store.get(f"{PREFIX}login-ip:{ip}") == b"8"
        # Another address is not affected, on either server.
        other = {"X-Forwarded-For": unique_ip("198.19")}
        made_keys.append(f"{PREFIX}login-ip:{other['X-Forwarded-For']}")
        for index, side in enumerate(both):
            body = login_body(emails[index])
            response = side.request(0, "POST", "/auth/login", json=body, headers=other)
            assert response.status_code == 200, response.text

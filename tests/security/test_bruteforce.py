"""Brute-force limits with counters in the database, shared by every worker.

Per account: 10 failed logins in 15 minutes lock it (429, Retry-After), checked before any hash
is computed. Per client IP: 30 login attempts a minute, 20 signups an hour. Every number has a
setting; PROMPTCRAFTER_RATE_LIMIT_ENABLED=false turns them all off.
"""

from __future__ import annotations

import time
import uuid

import httpx

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
    in_parallel,
    login_body,
    median,
    signup_body,
)
from tests.support.api import PASSWORD
from tests.support.server import ServerProcess, free_port

LIMITS_ON = {"PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true"}
WRONG = "wrong-password-123"
COUNTER = "SELECT hits FROM rate_limits WHERE bucket = $1"
DATABASE_DOWN = "The database is not reachable right now; try again shortly."


def email() -> str:
    return f"bf-{uuid.uuid4().hex}@example.com"


def signup(workers: Workers, address: str, worker: int = 0, **headers: str) -> httpx.Response:
    return workers.request(
        worker, "POST", "/auth/signup", json=signup_body(address), headers=headers
    )


def timed_login(
    workers: Workers, worker: int, address: str, password: str = WRONG, **headers: str
) -> tuple[float, httpx.Response]:
    body = login_body(address, password)
    return workers.timed(worker, "POST", "/auth/login", json=body, headers=headers)


def login(
    workers: Workers, worker: int, address: str, password: str = WRONG, **headers: str
) -> httpx.Response:
    return timed_login(workers, worker, address, password, **headers)[1]


def test_ten_failures_lock_the_account_on_every_worker_without_hashing(
    servers: Servers,
) -> None:
    # The per-IP budget is raised so that only the per-account rule is in play; a costlier
    # hash (t=6) makes its time stand out from the counter writes every attempt pays for.
    env = {
        **LIMITS_ON,
        "PROMPTCRAFTER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "10000",
        "PROMPTCRAFTER_ARGON2_TIME_COST": "6",
    }
    server = servers.start(env, workers=2)
    with Workers(server) as workers:
        victim, bystander = email(), email()
        assert signup(workers, victim).status_code == 201
        assert signup(workers, bystander, 1).status_code == 201

        failed = []
        for attempt in range(10):
            seconds, response = timed_login(workers, attempt, victim)
            assert_error(response, 401, BAD_LOGIN)
            failed.append(seconds)

        # From the 11th attempt on, even the right password is refused, on both workers.
        for attempt in range(4):
            response = login(workers, attempt, victim, PASSWORD)
            assert_limited(response, TOO_MANY_LOGINS, 15 * 60)
        # The account is the email, whatever its case.
        assert_limited(login(workers, 0, victim.upper(), PASSWORD), TOO_MANY_LOGINS, 15 * 60)

        limited = []
        for attempt in range(10):
            seconds, response = timed_login(workers, attempt, victim)
            assert_limited(response, TOO_MANY_LOGINS, 15 * 60)
            limited.append(seconds)
        # A refused attempt computes no argon2 hash: it answers in a fraction of the time,
        # and is not even counted as a failure (the shared counter in the database says 10).
        assert median(limited) < median(failed) / 3, (sorted(limited), sorted(failed))
        bucket = account_bucket(victim)
        assert fetch(server.database_url, COUNTER, bucket) == [(10,)]

        # Only that account is locked.
        for worker in range(2):
            assert login(workers, worker, bystander, PASSWORD).status_code == 200


def test_every_number_has_a_setting(servers: Servers) -> None:
    env = {
        **LIMITS_ON,
        "PROMPTCRAFTER_LOGIN_FAILURES_PER_ACCOUNT": "3",
        "PROMPTCRAFTER_LOGIN_FAILURE_WINDOW_SECONDS": "2",
        "PROMPTCRAFTER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "6",
        "PROMPTCRAFTER_SIGNUPS_PER_IP_PER_HOUR": "2",
    }
    server = servers.start(env, workers=2)
    with Workers(server) as workers:
        victim = email()
        assert signup(workers, victim, 0).status_code == 201
        assert signup(workers, email(), 1).status_code == 201
        assert_limited(signup(workers, email(), 0), TOO_MANY_ATTEMPTS, 3600)
        assert_limited(signup(workers, email(), 1), TOO_MANY_ATTEMPTS, 3600)

        for attempt in range(3):  # login attempts 1-3 from this address
            assert_error(login(workers, attempt, victim), 401, BAD_LOGIN)
        response = login(workers, 1, victim, PASSWORD)  # attempt 4
        assert_limited(response, TOO_MANY_LOGINS, 2)
        # The account window is 2 seconds: after it, the right password works again.
        time.sleep(2.2)
        assert login(workers, 0, victim, PASSWORD).status_code == 200  # attempt 5
        assert_error(login(workers, 1, victim), 401, BAD_LOGIN)  # attempt 6
        # Attempt 7 is over the per-IP budget of 6, right password or not.
        assert_limited(login(workers, 0, victim, PASSWORD), TOO_MANY_ATTEMPTS, 60)
        assert_limited(login(workers, 1, email()), TOO_MANY_ATTEMPTS, 60)


def test_per_ip_limits_hold_across_workers_and_ignore_spoofed_headers(
    servers: Servers,
) -> None:
    server = servers.start(LIMITS_ON, workers=2)  # the defaults: 30 logins/min, 20 signups/h
    with Workers(server) as workers:
        known = email()
        assert signup(workers, known).status_code == 201
        for attempt in range(30):
            assert_error(login(workers, attempt, email()), 401, BAD_LOGIN)
        spoofs = [{}, {"X-Forwarded-For": "198.51.100.7"}, {"X-Real-IP": "198.51.100.8"}]
        for attempt, headers in enumerate(spoofs):
            response = login(workers, attempt, email(), **headers)
            assert_limited(response, TOO_MANY_ATTEMPTS, 60)
        # The right password of an unlocked account does not get through either.
        assert_limited(login(workers, 1, known, PASSWORD), TOO_MANY_ATTEMPTS, 60)

        for attempt in range(19):  # 20 signups in all, with the one above
            assert signup(workers, email(), attempt).status_code == 201
        for attempt, headers in enumerate(spoofs):
            response = signup(workers, email(), attempt, **headers)
            assert_limited(response, TOO_MANY_ATTEMPTS, 3600)


def test_trusted_proxy_forwarded_client_gets_its_own_budget(servers: Servers) -> None:
    env = {
        **LIMITS_ON,
        "PROMPTCRAFTER_TRUSTED_PROXIES": "127.0.0.1",
        "PROMPTCRAFTER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "3",
        "PROMPTCRAFTER_SIGNUPS_PER_IP_PER_HOUR": "1",
    }
    server = servers.start(env, workers=2)
    with Workers(server) as workers:
        first, second = "203.0.113.10", "203.0.113.11"
        for attempt in range(3):
            response = login(workers, attempt, email(), **{"X-Forwarded-For": first})
            assert_error(response, 401, BAD_LOGIN)
        response = login(workers, 1, email(), **{"X-Forwarded-For": first})
        assert_limited(response, TOO_MANY_ATTEMPTS, 60)
        # What a client writes to the left of the address our proxy appended changes nothing.
        response = login(workers, 0, email(), **{"X-Forwarded-For": f"192.0.2.1, {first}"})
        assert_limited(response, TOO_MANY_ATTEMPTS, 60)
        # Another forwarded client, and the proxy itself, still have their whole budget.
        for forwarded in ({"X-Forwarded-For": second}, {}):
            for attempt in range(3):
                assert_error(login(workers, attempt, email(), **forwarded), 401, BAD_LOGIN)
            assert_limited(login(workers, 0, email(), **forwarded), TOO_MANY_ATTEMPTS, 60)

        assert signup(workers, email(), 0, **{"X-Forwarded-For": first}).status_code == 201
        response = signup(workers, email(), 1, **{"X-Forwarded-For": first})
        assert_limited(response, TOO_MANY_ATTEMPTS, 3600)
        assert signup(workers, email(), 1, **{"X-Forwarded-For": second}).status_code == 201


def test_rate_limit_disabled_means_no_429(live_server: ServerProcess) -> None:
    # The shared server runs with PROMPTCRAFTER_RATE_LIMIT_ENABLED=false.
    assert live_server.extra_env["PROMPTCRAFTER_RATE_LIMIT_ENABLED"] == "false"
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        victim = email()
        for _ in range(21):
            response = client.post("/auth/signup", json=signup_body(email()))
            assert response.status_code == 201, response.text
        assert client.post("/auth/signup", json=signup_body(victim)).status_code == 201
        for _ in range(40):
            assert_error(client.post("/auth/login", json=login_body(victim, WRONG)), 401, BAD_LOGIN)
        response = client.post("/auth/login", json=login_body(victim))
        assert response.status_code == 200, response.text


def test_simultaneous_wrong_logins_get_no_more_hashes_than_the_limit(servers: Servers) -> None:
    # 30 guesses released together, from one address whose own budget is raised so only the
    # account's rule is in play. Counting each failure after its hash let all 30 read the
    # count from before any of them failed: 30 answers of 401, 30 hashes computed.
    env = {**LIMITS_ON, "PROMPTCRAFTER_LOGIN_ATTEMPTS_PER_IP_PER_MINUTE": "10000"}
    server = servers.start(env, workers=2)
    victim = email()
    with httpx.Client(base_url=server.base_url, timeout=60) as setup:
        assert setup.post("/auth/signup", json=signup_body(victim)).status_code == 201

    def guess(_: int) -> httpx.Response:
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            return client.post("/auth/login", json=login_body(victim, WRONG))

    answers = in_parallel(30, guess)
    statuses = sorted(answer.status_code for answer in answers)
    assert statuses == [401] * 10 + [429] * 20, statuses
    for answer in answers:
        if answer.status_code == 401:
            assert_error(answer, 401, BAD_LOGIN)
        else:
            assert_limited(answer, TOO_MANY_LOGINS, 900)
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        right = client.post("/auth/login", json=login_body(victim))
    assert_limited(right, TOO_MANY_LOGINS, 900)  # locked: the right password waits too


def test_a_right_current_password_clears_the_accounts_count(servers: Servers) -> None:
    # Each password check is counted before its hash; one that passes must not stay counted,
    # or an owner changing their password now and then would lock themselves out.
    server = servers.start(LIMITS_ON)
    address = email()
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        made = client.post("/auth/signup", json=signup_body(address))
        assert made.status_code == 201, made.text
        auth = {"Authorization": f"Bearer {made.json()['token']}"}
        wrong = client.post("/auth/login", json=login_body(address, WRONG))
        assert_error(wrong, 401, BAD_LOGIN)
        assert fetch(server.database_url, COUNTER, account_bucket(address)) == [(1,)]
        body = {"currentPassword": PASSWORD, "newPassword": "another-password-789"}
        changed = client.post("/auth/password", json=body, headers=auth)
        assert changed.status_code == 204, changed.text
        # Cleared by the change itself, before any log-in could clear it.
        assert fetch(server.database_url, COUNTER, account_bucket(address)) == []


def test_redis_out_of_reach_is_a_503_like_the_database_down(servers: Servers) -> None:
    # The counters' store is down: refuse as when the database is (503, Retry-After, the
    # contract's sentence), never skip the limits, never a 500 with a traceback per request.
    env = {**LIMITS_ON, "PROMPTCRAFTER_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}
    server = servers.start(env)
    address = email()
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        for path, body in (
            ("/auth/signup", signup_body(address)),
            ("/auth/login", login_body(address)),
        ):
            answer = client.post(path, json=body)
            assert_error(answer, 503, DATABASE_DOWN)
            assert answer.headers["Retry-After"].isdigit()
    assert fetch(server.database_url, "SELECT email FROM users WHERE email = $1", address) == []
    assert "Traceback" not in server.log()

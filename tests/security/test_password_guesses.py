"""A token is not a way to guess its account's password.

Changing the password and deleting the account check the password again. A wrong one counts
against the account like a failed login: past the limit both answer 429 before any hash is
computed, on every worker, and the password and the account stay as they were.
"""

from __future__ import annotations

import time
import uuid

import httpx

from tests.security.conftest import Servers
from tests.security.helpers import (
    TOO_MANY_LOGINS,
    Workers,
    account_bucket,
    assert_error,
    assert_limited,
    fetch,
    login_body,
    signup_body,
)
from tests.support.api import PASSWORD

WRONG = "wrong-password-123"
NEW = "a-new-password-456"
WRONG_CURRENT = "The current password is incorrect."
COUNTER = "SELECT hits FROM rate_limits WHERE bucket = $1"


def test_wrong_current_passwords_lock_the_account_like_failed_logins(servers: Servers) -> None:
    env = {
        "PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true",
        "PROMPTCRAFTER_LOGIN_FAILURES_PER_ACCOUNT": "3",
        "PROMPTCRAFTER_LOGIN_FAILURE_WINDOW_SECONDS": "3",
    }
    server = servers.start(env, workers=2)
    victim = f"guess-{uuid.uuid4().hex}@example.com"
    with Workers(server) as workers:
        made = workers.request(0, "POST", "/auth/signup", json=signup_body(victim))
        assert made.status_code == 201, made.text
        auth = {"Authorization": f"Bearer {made.json()['token']}"}

        def change(worker: int, current: str) -> httpx.Response:
            body = {"currentPassword": current, "newPassword": NEW}
            return workers.request(worker, "POST", "/auth/password", json=body, headers=auth)

        def delete(worker: int, password: str) -> httpx.Response:
            body = {"password": password}
            return workers.request(worker, "DELETE", "/auth/me", json=body, headers=auth)

        assert_error(change(0, WRONG), 403, WRONG_CURRENT)
        assert_error(delete(1, WRONG), 403, WRONG_CURRENT)
        assert_error(change(1, WRONG), 403, WRONG_CURRENT)
        assert fetch(server.database_url, COUNTER, account_bucket(victim)) == [(3,)]

        # Locked: the right password is refused too, by both routes, on both workers, and
        # by the login, which shares the account's counter. Refusals do not count.
        assert_limited(change(0, PASSWORD), TOO_MANY_LOGINS, 3)
        assert_limited(delete(1, PASSWORD), TOO_MANY_LOGINS, 3)
        login = workers.request(0, "POST", "/auth/login", json=login_body(victim))
        assert_limited(login, TOO_MANY_LOGINS, 3)
        assert fetch(server.database_url, COUNTER, account_bucket(victim)) == [(3,)]
        # Nothing changed: the token still works and the account is still there.
        me = workers.request(1, "GET", "/auth/me", headers=auth)
        assert me.status_code == 200 and me.json()["email"] == victim

        time.sleep(3.2)  # the window ends: the right password works, the old one is gone
        response = change(1, PASSWORD)
        assert response.status_code == 204, response.text
        old = workers.request(0, "POST", "/auth/login", json=login_body(victim))
        assert_error(old, 401, "Incorrect email or password.")
        new = workers.request(1, "POST", "/auth/login", json=login_body(victim, NEW))
        assert new.status_code == 200, new.text

"""A token is not a way to guess its account's password.

Changing the password and deleting the account check the password again. A wrong one counts
against the account like a failed login: past the limit both answer 429 before any hash is
computed, on every worker, and the password and the account stay as they were.
"""

from __future__ import annotations

import re
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
from tests.support.browser import ui_client

WRONG = "wrong-password-123"
NEW = "a-new-password-456"
WRONG_CURRENT = "The current password is incorrect."
COUNTER = "SELECT hits FROM rate_limits WHERE bucket = $1"
LIMITS = {
    "PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true",
    "PROMPTCRAFTER_LOGIN_FAILURES_PER_ACCOUNT": "3",
    "PROMPTCRAFTER_LOGIN_FAILURE_WINDOW_SECONDS": "3",
}


def error_beside(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field_id}"
    return found.group(1)


def test_wrong_current_passwords_lock_the_account_like_failed_logins(servers: Servers) -> None:
    server = servers.start(LIMITS, workers=2)
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


def test_the_account_page_says_so_beside_the_password(servers: Servers) -> None:
    server = servers.start(LIMITS)
    browser = ui_client(server.base_url).sign_up()
    try:
        change, delete = "/ui/account/password", "/ui/account/delete"
        for path, form, page, field in (
            (change, {"current": WRONG, "new": NEW}, "/ui/account", "password-current"),
            (delete, {"password": WRONG}, delete, "delete-password"),
            (change, {"current": WRONG, "new": NEW}, "/ui/account", "password-current"),
        ):
            refused = browser.form_post(path, form, page=page)
            assert refused.status_code == 403, refused.text
            assert error_beside(refused.text, field) == WRONG_CURRENT
        # The fourth try, with the right password, is refused on the form with a Retry-After.
        for path, form, page, field in (
            (change, {"current": PASSWORD, "new": NEW}, "/ui/account", "password-current"),
            (delete, {"password": PASSWORD}, delete, "delete-password"),
        ):
            refused = browser.form_post(path, form, page=page)
            assert refused.status_code == 429, refused.text
            assert error_beside(refused.text, field) == TOO_MANY_LOGINS
            assert 1 <= int(refused.headers["retry-after"]) <= 3
        assert browser.get("/ui/account").status_code == 200  # still signed in, still there
    finally:
        browser.client.close()

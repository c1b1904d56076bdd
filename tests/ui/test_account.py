"""The account page through the real server on both engines: API keys made from a browser
session (shown once, working on the JSON API, revoked), the fresh-login rule, password change
ending other sessions and tokens, account deletion, and CSRF/origin refusals."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from typing import Any
from urllib.parse import urlencode

import asyncpg
import httpx
import pytest

from tests.security.helpers import fetch
from tests.support.browser import FORM, PASSWORD, UiClient, csrf_of, ui_client
from tests.support.server import ServerProcess

ACCOUNT = "/ui/account"
KEY = re.compile(r"pc_[0-9a-z]{30,}")
LOGIN_AGAIN = "Log in again to create an API key."
WRONG_CURRENT = "The current password is incorrect."
MISSING = "Required fields are missing or invalid."
POLICY = "The password does not meet the security requirements."
BAD_TOKEN = "Authentication token is expired or invalid."
NEW_PASSWORD = "another horse battery staple"


def execute(url: str, query: str, *args: Any) -> None:
    """A write straight into the server's database (``$1`` parameters)."""
    if url.startswith("sqlite"):
        with sqlite3.connect(url.split(":///", 1)[1]) as conn:
            conn.execute(query.replace("$", "?"), args)
        return

    async def run() -> None:
        conn = await asyncpg.connect(url, timeout=10)
        try:
            await conn.execute(query, *args)
        finally:
            await conn.close()

    asyncio.run(run())


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def api_token(browser: UiClient, password: str = PASSWORD) -> str:
    answer = browser.client.post("/auth/login", json={"email": browser.email, "password": password})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["token"]
    return token


def user_id(browser: UiClient) -> str:
    me = browser.client.get("/auth/me", headers=bearer(api_token(browser)))
    found: str = me.json()["_id"]
    return found


def create_key(browser: UiClient, **fields: str) -> tuple[httpx.Response, str]:
    answer = browser.form_post(f"{ACCOUNT}/keys", {"name": "nightly", **fields}, page=ACCOUNT)
    found = KEY.search(answer.text)
    return answer, found.group(0) if found else ""


def logged_in_copy(live_server: ServerProcess, email: str, password: str = PASSWORD) -> UiClient:
    other = ui_client(live_server.base_url)
    other.email = email
    answer = other.form_post("/ui/login", {"email": email, "password": password}, page="/ui/login")
    assert answer.status_code == 303, answer.text
    return other


def error_beside(html: str, field_id: str) -> str:
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    assert found, f"no error beside {field_id}"
    return found.group(1)


def test_account_page_shows_the_sections_and_names(ui_browser: UiClient) -> None:
    page = ui_browser.get(ACCOUNT)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    for needed in (
        '<h2 id="keys-heading">API keys</h2>',
        'aria-labelledby="create-key-heading"',
        ">Create key</h3>",
        '<label for="key-name">Name</label>',
        '<label for="key-scope">Scope</label>',
        '<label for="key-expires">Expires in days</label>',
        '<label for="password-current">Current password</label>',
        '<label for="password-new">New password</label>',
        ">Create key</button>",
        'href="/ui/account/delete"',
        "No API keys yet.",
    ):
        assert needed in html, needed
    assert "http://" not in html.replace(ui_browser.origin, "") and "https://" not in html


def test_a_key_made_in_the_browser_is_shown_once_works_and_is_revoked(
    ui_browser: UiClient,
) -> None:
    answer, key = create_key(ui_browser, scope="read", expires="30")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    assert key and 'data-copy="new-key"' in answer.text and "will not be shown again" in answer.text
    api = ui_browser.client
    assert api.get("/auth/me", headers=bearer(key)).status_code == 200
    # A read key may only read.
    refused = api.post(
        "/prompts", json={"title": "t", "content": "c", "model": "gpt-4"}, headers=bearer(key)
    )
    assert refused.status_code == 403, refused.text
    listed = api.get("/auth/keys", headers=bearer(api_token(ui_browser))).json()
    assert [(k["name"], k["scope"]) for k in listed] == [("nightly", "read")]
    assert listed[0]["expiresAt"] is not None and key.startswith(listed[0]["prefix"])
    page = ui_browser.get(ACCOUNT).text
    assert key not in page and key[11:] not in page
    assert "nightly" in page and listed[0]["prefix"] in page
    revoke = f"{ACCOUNT}/keys/{listed[0]['_id']}/revoke"
    # Without JavaScript the first press only asks.
    asked = ui_browser.form_post(revoke, {"confirmed": ""}, page=ACCOUNT)
    assert asked.status_code == 200 and "Revoke API key" in asked.text
    assert api.get("/auth/me", headers=bearer(key)).status_code == 200
    done = ui_browser.form_post(revoke, {"confirmed": "yes"}, page=ACCOUNT)
    assert done.status_code == 303 and done.headers["location"] == f"{ACCOUNT}?notice=key-revoked"
    gone = api.get("/auth/me", headers=bearer(key))
    assert gone.status_code == 401 and gone.json() == {"error": BAD_TOKEN}
    after = ui_browser.get(done.headers["location"]).text
    assert "API key revoked." in after and "No API keys yet." in after


def test_a_write_key_without_expiry_by_default(ui_browser: UiClient) -> None:
    answer, key = create_key(ui_browser, scope="write", expires="")
    assert answer.status_code == 200, answer.text
    made = ui_browser.client.post(
        "/prompts",
        json={"title": "From a key", "content": "c", "model": "gpt-4"},
        headers=bearer(key),
    )
    assert made.status_code == 201, made.text
    [listed] = ui_browser.client.get("/auth/keys", headers=bearer(api_token(ui_browser))).json()
    assert listed["scope"] == "write" and listed["expiresAt"] is None


@pytest.mark.parametrize(
    ("fields", "beside"),
    [
        ({"name": ""}, "key-name"),
        ({"name": "   "}, "key-name"),
        ({"name": "n" * 101}, "key-name"),
        ({"scope": "admin"}, "key-scope"),
        ({"expires": "0"}, "key-expires"),
        ({"expires": "3651"}, "key-expires"),
        ({"expires": "seven"}, "key-expires"),
        ({"expires": "٣"}, "key-expires"),
        ({"expires": "9" * 5000}, "key-expires"),  # int() refuses over 4,300 digits
        ({"expires": "0" * 5000 + "7000"}, "key-expires"),
    ],
    ids=repr,
)
def test_bad_key_fields_are_400_beside_the_field(
    ui_browser: UiClient, fields: dict[str, str], beside: str
) -> None:
    answer, key = create_key(ui_browser, **fields)
    assert answer.status_code == 400 and not key
    assert error_beside(answer.text, beside) == MISSING
    listed = ui_browser.client.get("/auth/keys", headers=bearer(api_token(ui_browser)))
    assert listed.json() == []


def test_key_names_are_escaped(ui_browser: UiClient) -> None:
    name = "<script>alert(1)</script>"
    answer, _ = create_key(ui_browser, name=name)
    assert answer.status_code == 200
    page = ui_browser.get(ACCOUNT).text
    for html in (answer.text, page):
        assert name not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_stale_session_must_log_in_again(
    ui_browser: UiClient, live_server: ServerProcess
) -> None:
    owner = user_id(ui_browser)
    execute(
        live_server.database_url,
        "UPDATE browser_sessions SET created_at = created_at - $1 WHERE user_id = $2",
        11 * 60_000,
        owner,
    )
    page = ui_browser.get(ACCOUNT)
    assert page.status_code == 200
    assert LOGIN_AGAIN in page.text and 'href="/ui/account/login"' in page.text
    assert 'action="/ui/account/keys"' not in page.text
    answer, key = create_key(ui_browser)
    assert answer.status_code == 403 and not key and LOGIN_AGAIN in answer.text
    assert (
        fetch(live_server.database_url, "SELECT id FROM api_keys WHERE owner_id = $1", owner) == []
    )
    # Logging in again (the password, under the log-in limits) makes a fresh session.
    assert ui_browser.get(f"{ACCOUNT}/login").status_code == 200
    wrong = ui_browser.form_post(f"{ACCOUNT}/login", {"password": "not the password"}, page=ACCOUNT)
    assert wrong.status_code == 401
    assert error_beside(wrong.text, "again-password") == "Incorrect email or password."
    before = ui_browser.client.cookies["pc_session"]
    again = ui_browser.form_post(f"{ACCOUNT}/login", {"password": PASSWORD}, page=ACCOUNT)
    assert again.status_code == 303
    assert again.headers["location"] == f"{ACCOUNT}?notice=logged-in-again"
    assert ui_browser.client.cookies["pc_session"] != before
    answer, key = create_key(ui_browser)
    assert answer.status_code == 200 and key


def test_password_change_ends_other_sessions_and_tokens(
    ui_browser: UiClient, live_server: ServerProcess
) -> None:
    other = logged_in_copy(live_server, ui_browser.email)
    token = api_token(ui_browser)
    try:
        post = ui_browser.form_post
        wrong = post(f"{ACCOUNT}/password", {"current": "nope", "new": NEW_PASSWORD}, page=ACCOUNT)
        assert wrong.status_code == 403
        assert error_beside(wrong.text, "password-current") == WRONG_CURRENT
        assert "nope" not in wrong.text
        weak = post(f"{ACCOUNT}/password", {"current": PASSWORD, "new": "short"}, page=ACCOUNT)
        assert weak.status_code == 400 and error_beside(weak.text, "password-new") == POLICY
        assert other.get(ACCOUNT).status_code == 200  # nothing changed yet
        done = post(f"{ACCOUNT}/password", {"current": PASSWORD, "new": NEW_PASSWORD}, page=ACCOUNT)
        assert done.status_code == 303
        assert done.headers["location"] == f"{ACCOUNT}?notice=password-changed"
        # This browser goes on with a new session; the other one and the old token are over.
        mine = ui_browser.get(done.headers["location"])
        assert mine.status_code == 200 and "Password changed." in mine.text
        assert other.get(ACCOUNT).status_code == 303
        old = ui_browser.client.get("/auth/me", headers=bearer(token))
        assert old.status_code == 401 and old.json() == {"error": BAD_TOKEN}
        assert api_token(ui_browser, NEW_PASSWORD)
    finally:
        other.client.close()


def test_deleting_the_account_removes_keys_and_the_session(
    ui_browser: UiClient, live_server: ServerProcess
) -> None:
    owner = user_id(ui_browser)
    _, key = create_key(ui_browser)
    assert ui_browser.client.get("/auth/me", headers=bearer(key)).status_code == 200
    confirm = ui_browser.get(f"{ACCOUNT}/delete")
    assert (
        confirm.status_code == 200
        and '<label for="delete-password">Password</label>' in confirm.text
    )
    page = f"{ACCOUNT}/delete"
    wrong = ui_browser.form_post(page, {"password": "not it at all"}, page=page)
    assert wrong.status_code == 403 and error_beside(wrong.text, "delete-password") == WRONG_CURRENT
    empty = ui_browser.form_post(page, {"password": ""}, page=page)
    assert empty.status_code in (400, 403)  # as the API: an empty password is just wrong
    assert ui_browser.client.get("/auth/me", headers=bearer(key)).status_code == 200
    done = ui_browser.form_post(page, {"password": PASSWORD}, page=page)
    assert done.status_code == 303
    assert done.headers["location"] == "/ui/signup?notice=account-deleted"
    assert (
        'pc_session=""' in done.headers["set-cookie"] or "Max-Age=0" in done.headers["set-cookie"]
    )
    assert ui_browser.get(ACCOUNT).status_code == 303
    signup = ui_browser.get(done.headers["location"])
    assert signup.status_code == 200 and "Your account has been deleted" in signup.text
    assert ui_browser.client.get("/auth/me", headers=bearer(key)).status_code == 401
    url = live_server.database_url
    assert fetch(url, "SELECT id FROM api_keys WHERE owner_id = $1", owner) == []
    assert fetch(url, "SELECT id_hash FROM browser_sessions WHERE user_id = $1", owner) == []


def test_revoking_checks_the_key_id_and_its_owner(
    ui_browser: UiClient, live_server: ServerProcess
) -> None:
    other = ui_client(live_server.base_url)
    try:
        other.sign_up("Eve")
        _, theirs = create_key(other)
        [their_key] = other.client.get("/auth/keys", headers=bearer(api_token(other))).json()
    finally:
        other.client.close()
    path = f"{ACCOUNT}/keys/{their_key['_id']}/revoke"
    for confirmed in ("", "yes"):
        answer = ui_browser.form_post(path, {"confirmed": confirmed}, page=ACCOUNT)
        assert answer.status_code == 404, answer.text
        assert "No API key found with the specified ID." in answer.text
    assert ui_browser.client.get("/auth/me", headers=bearer(theirs)).status_code == 200
    bad = ui_browser.form_post(
        f"{ACCOUNT}/keys/not-a-key/revoke", {"confirmed": "yes"}, page=ACCOUNT
    )
    assert bad.status_code == 400


def test_every_account_form_refuses_missing_csrf_and_other_origins(
    ui_browser: UiClient,
) -> None:
    _, key = create_key(ui_browser)
    [made] = ui_browser.client.get("/auth/keys", headers=bearer(api_token(ui_browser))).json()
    forms = {
        f"{ACCOUNT}/keys": {"name": "sneaky"},
        f"{ACCOUNT}/keys/{made['_id']}/revoke": {"confirmed": "yes"},
        f"{ACCOUNT}/password": {"current": PASSWORD, "new": NEW_PASSWORD},
        f"{ACCOUNT}/delete": {"password": PASSWORD},
        f"{ACCOUNT}/login": {"password": PASSWORD},
    }
    token = csrf_of(ui_browser.get(ACCOUNT).text)
    for path, fields in forms.items():
        good = urlencode([("csrf", token), *fields.items()])
        tries = [
            (urlencode(list(fields.items())), {"Origin": ui_browser.origin}),
            (urlencode([("csrf", "x" * 43), *fields.items()]), {"Origin": ui_browser.origin}),
            (good, {"Origin": "https://evil.example"}),
            (good, {"Sec-Fetch-Site": "cross-site"}),
            (good, {}),  # neither header
        ]
        for body, headers in tries:
            answer = ui_browser.client.post(
                path, content=body, headers={"Content-Type": FORM, **headers}
            )
            assert answer.status_code == 403, (path, headers, answer.text)
    # Nothing changed: the key lives, the password and the session are the same.
    assert ui_browser.client.get("/auth/me", headers=bearer(key)).status_code == 200
    assert ui_browser.get(ACCOUNT).status_code == 200
    assert api_token(ui_browser)
    listed = ui_browser.client.get("/auth/keys", headers=bearer(api_token(ui_browser))).json()
    assert [k["name"] for k in listed] == ["nightly"]


def test_the_account_pages_need_a_login(anonymous: UiClient) -> None:
    for path in (ACCOUNT, f"{ACCOUNT}/delete", f"{ACCOUNT}/login"):
        answer = anonymous.get(path)
        assert answer.status_code == 303 and answer.headers["location"].startswith(
            "/ui/login?next="
        )

"""Browser sessions across workers and over time, the __Host- cookie behind https, and the
log-in limits the UI shares with the API. Real servers, both engines."""

from __future__ import annotations

import asyncio
import sqlite3
from typing import Any

import asyncpg
import httpx

from tests.security.conftest import Servers
from tests.security.helpers import Workers, fetch
from tests.support.browser import FORM, PASSWORD, UiClient, csrf_of, ui_client
from tests.support.server import ServerProcess


def execute(database_url: str, statement: str, *args: Any) -> None:
    if database_url.startswith("sqlite"):
        conn = sqlite3.connect(database_url.split(":///", 1)[1])
        try:
            conn.execute(statement.replace("$", "?"), args)
            conn.commit()
        finally:
            conn.close()
        return

    async def run() -> None:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            await conn.execute(statement, *args)
        finally:
            await conn.close()

    asyncio.run(run())


def signed_up(server: ServerProcess) -> UiClient:
    return ui_client(server.base_url).sign_up()


def test_logout_ends_the_session_on_every_worker(servers: Servers) -> None:
    server = servers.start(workers=2)
    browser = signed_up(server)
    cookie = {"Cookie": f"pc_session={browser.client.cookies['pc_session']}"}
    with Workers(server) as workers:
        for worker in range(2):
            assert workers.request(worker, "GET", "/ui/", headers=cookie).status_code == 200
        assert browser.form_post("/ui/logout", {}).status_code == 303
        for worker in range(2):
            answer = workers.request(worker, "GET", "/ui/", headers=cookie)
            assert answer.status_code == 303
            assert answer.headers["location"].startswith("/ui/login")
    browser.client.close()


def test_idle_and_absolute_limits_end_sessions(servers: Servers) -> None:
    server = servers.start()
    url = server.database_url
    for column, hours in (("seen_at", 0.6), ("created_at", 13)):
        browser = signed_up(server)
        assert browser.get("/ui/").status_code == 200
        [(user_id,)] = fetch(url, "SELECT id FROM users WHERE email_key = $1", browser.email)
        # Move the session back in time: 36 minutes idle (limit 30), or 13 hours old (12).
        shift = int(hours * 3_600_000)
        execute(
            url,
            f"UPDATE browser_sessions SET {column} = {column} - $1 WHERE user_id = $2",  # noqa: S608
            shift,
            user_id,
        )
        answer = browser.get("/ui/")
        assert answer.status_code == 303, column
        assert answer.headers["location"].startswith("/ui/login")
        browser.client.close()


def test_sessions_are_stored_only_as_hashes(servers: Servers) -> None:
    server = servers.start()
    browser = signed_up(server)
    session_id = browser.client.cookies["pc_session"]
    rows = fetch(server.database_url, "SELECT id_hash, csrf FROM browser_sessions")
    assert rows and all(session_id not in row[0] for row in rows)
    assert len(rows[0][0]) == 64
    browser.client.close()


def test_https_public_url_uses_secure_host_prefixed_cookies(servers: Servers) -> None:
    public = "https://prompts.example.test"
    server = servers.start({"PROMPTCRAFTER_PUBLIC_URL": public})
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        page = client.get("/ui/signup")
        set_cookie = page.headers["set-cookie"]
        assert set_cookie.startswith("__Host-pc_csrf=") and "Secure" in set_cookie
        assert "Path=/" in set_cookie and "Domain" not in set_cookie
        token = csrf_of(page.text)
        body = {"csrf": token, "name": "Sec", "email": "sec@example.com", "password": PASSWORD}
        headers = {"Cookie": f"__Host-pc_csrf={token}", "Content-Type": FORM}
        # Our own origin is the public one: the server's local address is another site.
        local = client.post("/ui/signup", data=body, headers={**headers, "Origin": server.base_url})
        assert local.status_code == 403
        answer = client.post("/ui/signup", data=body, headers={**headers, "Origin": public})
        assert answer.status_code == 303
        session = answer.headers["set-cookie"]
        assert session.startswith("__Host-pc_session=") and "Secure" in session
        assert "HttpOnly" in session and "SameSite=lax" in session


def test_ui_log_in_shares_the_api_brute_force_limit(servers: Servers) -> None:
    server = servers.start({"PROMPTCRAFTER_RATE_LIMIT_ENABLED": "true"})
    browser = signed_up(server)
    email = browser.email
    browser.client.cookies.delete("pc_session")
    statuses = []
    for attempt in range(10):
        if attempt % 2:
            api = browser.client.post("/auth/login", json={"email": email, "password": "nope-x"})
            statuses.append(api.status_code)
        else:
            ui = browser.form_post(
                "/ui/login", {"email": email, "password": "nope-x"}, page="/ui/login"
            )
            statuses.append(ui.status_code)
    assert statuses == [401] * 10
    # The account is now locked for both doors, even with the right password.
    ui = browser.form_post("/ui/login", {"email": email, "password": PASSWORD}, page="/ui/login")
    assert ui.status_code == 429 and "Retry-After" in ui.headers
    assert "pc_session" not in browser.client.cookies
    api = browser.client.post("/auth/login", json={"email": email, "password": PASSWORD})
    assert api.status_code == 429
    browser.client.close()


def test_a_short_idle_limit_counts_from_the_last_use(servers: Servers) -> None:
    """With a 1-minute limit the last-seen time moved only once a minute, so a session in use
    ended 60 s after its log-in (review of 2026-12-07). It now moves at a tenth of the limit,
    and the check allows for that, so a session ends after the limit of no use, never before."""
    import time

    server = servers.start({"PROMPTCRAFTER_SESSION_IDLE_MINUTES": "1"})
    url = server.database_url
    browser = signed_up(server)
    [(user_id,)] = fetch(url, "SELECT id FROM users WHERE email_key = $1", browser.email)
    move_back = "UPDATE browser_sessions SET seen_at = seen_at - $1 WHERE user_id = $2"
    execute(url, move_back, 55_000, user_id)  # last seen 55 s ago: still alive, and touched
    assert browser.get("/ui/").status_code == 200
    [(seen,)] = fetch(url, "SELECT seen_at FROM browser_sessions WHERE user_id = $1", user_id)
    assert abs(time.time() * 1000 - seen) < 10_000
    execute(url, move_back, 67_000, user_id)  # 60 s of no use and the 6 s it may lag, passed
    answer = browser.get("/ui/")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/ui/login")
    browser.client.close()

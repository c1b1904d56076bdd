"""The UI's ground rules, through the real server on both engines: sessions, CSRF and origin
checks, security headers, escaping and redirects."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.browser import PASSWORD, UiClient, csrf_of
from tests.support.server import ServerProcess


def test_root_and_ui_lead_to_the_library(client: httpx.Client) -> None:
    for path in ("/", "/ui"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 307
        assert answer.headers["location"] == "/ui/"


def test_private_pages_send_anonymous_visitors_to_log_in(anonymous: UiClient) -> None:
    answer = anonymous.get("/ui/")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2F"


def test_login_page_sets_a_csrf_cookie_and_field(anonymous: UiClient) -> None:
    answer = anonymous.get("/ui/login")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("pc_csrf=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert csrf_of(answer.text) == anonymous.client.cookies["pc_csrf"]


def test_every_ui_answer_has_a_strict_csp(anonymous: UiClient) -> None:
    for path in ("/ui/login", "/ui/signup", "/ui/no-such-page", "/ui/static/app.css"):
        csp = anonymous.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp and "form-action 'self'" in csp


def test_unknown_ui_path_is_an_html_404(anonymous: UiClient) -> None:
    answer = anonymous.get("/ui/no-such-page")
    assert answer.status_code == 404
    assert "No page exists at this address." in answer.text
    assert answer.headers["content-type"].startswith("text/html")


def test_sign_up_logs_in_with_a_fresh_http_only_session(anonymous: UiClient) -> None:
    anonymous.sign_up("Grace")
    session = anonymous.client.cookies["pc_session"]
    assert len(session) >= 40
    library = anonymous.get("/ui/")
    assert library.status_code == 200
    assert "Grace" in library.text and "Log out" in library.text


def test_log_in_changes_the_session_id_and_log_out_ends_it(
    anonymous: UiClient, live_server: ServerProcess
) -> None:
    anonymous.sign_up()
    first = anonymous.client.cookies["pc_session"]
    anonymous.client.cookies.delete("pc_session")
    answer = anonymous.form_post(
        "/ui/login", {"email": anonymous.email, "password": PASSWORD}, page="/ui/login"
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/ui/"
    second = anonymous.client.cookies["pc_session"]
    assert second != first
    out = anonymous.form_post("/ui/logout", {})
    assert out.status_code == 303
    # The ended session is refused even when a copy of its cookie is replayed.
    with httpx.Client(base_url=live_server.base_url, cookies={"pc_session": second}) as replay:
        assert replay.get("/ui/", follow_redirects=False).status_code == 303


def test_wrong_password_is_shown_beside_the_field(anonymous: UiClient) -> None:
    anonymous.sign_up()
    anonymous.client.cookies.delete("pc_session")
    answer = anonymous.form_post(
        "/ui/login", {"email": anonymous.email, "password": "not the password"}, page="/ui/login"
    )
    assert answer.status_code == 401
    assert 'id="login-password-error">Incorrect email or password.' in answer.text
    assert "pc_session" not in anonymous.client.cookies


def test_sign_up_errors_use_the_contract_sentences(anonymous: UiClient) -> None:
    answer = anonymous.form_post(
        "/ui/signup", {"name": "A", "email": "not-an-email", "password": "short"}, page="/ui/signup"
    )
    assert answer.status_code == 400
    assert "The password does not meet the security requirements." in answer.text
    assert "Required fields are missing or invalid." in answer.text
    assert "short" not in answer.text.split("<main", 1)[1]  # a password is never echoed


def test_forms_without_csrf_or_from_another_origin_are_refused(anonymous: UiClient) -> None:
    anonymous.get("/ui/signup")
    fields = {"name": "Eve", "email": "eve@example.com", "password": PASSWORD}
    token = anonymous.client.cookies["pc_csrf"]
    cases = [
        ({**fields}, {"Origin": anonymous.origin}),  # no token
        ({**fields, "csrf": "x" * 43}, {"Origin": anonymous.origin}),  # wrong token
        ({**fields, "csrf": token}, {"Origin": "https://evil.example"}),  # other origin
        ({**fields, "csrf": token}, {}),  # neither Origin nor Sec-Fetch-Site
        ({**fields, "csrf": token}, {"Sec-Fetch-Site": "cross-site"}),
    ]
    for data, headers in cases:
        answer = anonymous.client.post("/ui/signup", data=data, headers=headers)
        assert answer.status_code == 403, (data, headers)
        assert "pc_session" not in anonymous.client.cookies
    # Nothing was created: signing up with that email still works.
    ok = anonymous.client.post(
        "/ui/signup",
        data={**fields, "csrf": token},
        headers={"Sec-Fetch-Site": "same-origin"},
    )
    assert ok.status_code == 303


def test_odd_form_bodies_are_400_class(anonymous: UiClient) -> None:
    anonymous.get("/ui/login")
    origin = {"Origin": anonymous.origin}
    as_json = anonymous.client.post("/ui/login", json={"email": "a"}, headers=origin)
    assert as_json.status_code == 415
    bad_utf8 = anonymous.client.post(
        "/ui/login",
        content=b"email=%ff%fe&csrf=x",
        headers={**origin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert bad_utf8.status_code == 400
    nul = anonymous.client.post(
        "/ui/login",
        content=b"email=a%00b&csrf=x",
        headers={**origin, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert nul.status_code == 400


def test_the_api_does_not_accept_the_session_cookie(ui_browser: UiClient) -> None:
    answer = ui_browser.get("/auth/me")
    assert answer.status_code == 401


def test_next_never_leaves_the_site(anonymous: UiClient) -> None:
    anonymous.sign_up()
    anonymous.client.cookies.delete("pc_session")
    for target, expected in [
        ("https://evil.example/", "/ui/"),
        ("//evil.example/", "/ui/"),
        ("/ui/account", "/ui/account"),
    ]:
        answer = anonymous.form_post(
            "/ui/login",
            {"email": anonymous.email, "password": PASSWORD, "next": target},
            page="/ui/login",
        )
        assert answer.headers["location"] == expected
        anonymous.client.cookies.delete("pc_session")


@pytest.mark.parametrize("host", ["a:b", "x:99999", "[::1", "exa mple"])
def test_a_host_header_that_is_no_host_never_gives_a_5xx(anonymous: UiClient, host: str) -> None:
    page = anonymous.get("/ui/login", headers={"Host": host})
    assert page.status_code == 200
    token = csrf_of(page.text)
    # No origin can match such a host: the form is refused as cross-site, not a crash.
    sent = anonymous.client.post(
        "/ui/login",
        data={"csrf": token, "email": "a@example.com", "password": PASSWORD},
        headers={"Host": host, "Origin": anonymous.origin},
    )
    assert sent.status_code == 403


def test_a_cookie_of_an_ended_session_is_cleared(ui_browser: UiClient) -> None:
    session = ui_browser.client.cookies["pc_session"]
    assert ui_browser.form_post("/ui/logout", {}).status_code == 303
    with httpx.Client(base_url=str(ui_browser.client.base_url)) as replay:
        answer = replay.get("/ui/login", headers={"Cookie": f"pc_session={session}"})
    assert answer.status_code == 200
    cleared = [c for c in answer.headers.get_list("set-cookie") if c.startswith("pc_session=")]
    assert cleared and ("Max-Age=0" in cleared[0] or "expires=" in cleared[0].lower())


def test_static_files_are_immutable_only_under_their_own_hash(anonymous: UiClient) -> None:
    page = anonymous.get("/ui/login").text
    found = re.search(r'href="(/ui/static/app\.css\?v=[0-9a-f]+)"', page)
    assert found
    own = anonymous.get(found.group(1))
    assert own.status_code == 200
    assert "immutable" in own.headers["cache-control"]
    for other in ("/ui/static/app.css?v=0123456789ab", "/ui/static/app.css?xv=1"):
        answer = anonymous.get(other)
        assert answer.status_code == 200
        assert answer.headers["cache-control"] == "no-cache"


def test_a_form_sent_after_the_session_ended_returns_to_the_library(
    anonymous: UiClient,
) -> None:
    anonymous.get("/ui/login")
    answer = anonymous.client.post(
        "/ui/prompts/new",
        data={"csrf": anonymous.client.cookies["pc_csrf"], "title": "x"},
        headers={"Origin": anonymous.origin},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/login?next=%2Fui%2F"

"""The account page in Chromium: an API key made, copied, used and revoked; the log-in-again
step for an old session; password change; account deletion. What the person sees is checked
with role and label locators, and the stored state over the JSON API."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, BrowserContext, Dialog, Page, expect

from tests.support.server import ServerProcess
from tests.ui.browser.axe import assert_accessible
from tests.ui.browser.people import (
    age_sessions,
    api,
    bearer,
    log_in,
    me_status,
    sign_up,
    token,
)
from tests.ui.browser.support import VIEWPORT, shot

NEW_PASSWORD = "a brand new passphrase"


def open_account(page: Page) -> None:
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()


def create_key(page: Page, name: str, scope: str = "write", days: str = "") -> str:
    """Fill the Create key form; the answer shows the key once. Returns it."""
    form = page.get_by_role("region", name="Create key")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Scope").select_option(scope)
    form.get_by_label("Expires in days").fill(days)
    form.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("heading", name="API key created")).to_be_visible()
    expect(page.get_by_text("it will not be shown again")).to_be_visible()
    key = page.get_by_label("Your new API key").input_value()
    assert re.fullmatch(r"pc_[0-9a-z]{30,}", key), key
    return key


def test_a_key_is_shown_once_copied_used_and_revoked(
    context: BrowserContext, page: Page, ui_server: ServerProcess
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    person = sign_up(page)
    open_account(page)
    expect(page.get_by_text("No API keys yet.")).to_be_visible()
    key = create_key(page, "nightly CI", scope="read", days="30")
    # The copy button (JavaScript shows it) puts the key on the clipboard.
    copy = page.get_by_role("button", name="Copy key")
    expect(copy).to_be_visible()
    copy.click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == key
    # It works on the JSON API, as a read key.
    assert me_status(ui_server, key) == 200
    with api(ui_server) as client:
        write = client.post(
            "/prompts", json={"title": "t", "content": "c", "model": "m"}, headers=bearer(key)
        )
        assert write.status_code == 403, write.text
    # Back on the account page the key is listed, its secret nowhere.
    page.get_by_role("link", name="Back to the account").click()
    row = page.get_by_role("row", name=re.compile("nightly CI"))
    expect(row).to_be_visible()
    expect(row.get_by_role("cell", name="read", exact=True)).to_be_visible()
    assert key not in page.content() and key[11:] not in page.content()
    shot(page, "account")

    # Refusing the confirmation changes nothing.
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name="Revoke").click()
    expect(row).to_be_visible()
    assert me_status(ui_server, key) == 200

    asked: list[str] = []

    def accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status").filter(has_text="API key revoked.")).to_be_visible()
    expect(page.get_by_text("No API keys yet.")).to_be_visible()
    assert asked and "nightly CI" in asked[0]
    assert me_status(ui_server, key) == 401
    with api(ui_server) as client:
        listed = client.get("/auth/keys", headers=bearer(token(ui_server, person)))
        assert listed.json() == []


def test_without_javascript_revoking_asks_on_its_own_page(
    js_disabled_page: Page, ui_server: ServerProcess
) -> None:
    page = js_disabled_page
    sign_up(page)
    open_account(page)
    key = create_key(page, "deploy")
    expect(page.get_by_role("button", name="Copy key")).to_be_hidden()  # needs JavaScript
    page.get_by_role("link", name="Back to the account").click()
    page.get_by_role("row", name=re.compile("deploy")).get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("heading", name="Revoke API key")).to_be_visible()
    assert me_status(ui_server, key) == 200
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("API key revoked.")).to_be_visible()
    assert me_status(ui_server, key) == 401


def test_an_old_session_logs_in_again_before_making_a_key(
    page: Page, ui_server: ServerProcess
) -> None:
    person = sign_up(page)
    age_sessions(ui_server, person, minutes=11)
    open_account(page)
    keys = page.get_by_role("region", name="Create key")
    expect(keys.get_by_text("Log in again to create an API key.")).to_be_visible()
    expect(keys.get_by_role("button", name="Create key")).to_have_count(0)
    keys.get_by_role("link", name="Log in again").click()
    expect(page.get_by_role("heading", name="Log in again")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Incorrect email or password.")).to_be_visible()
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("Logged in again.")).to_be_visible()
    key = create_key(page, "after log-in")
    assert me_status(ui_server, key) == 200


def test_changing_the_password_logs_out_the_other_browser(
    browser: Browser, page: Page, ui_server: ServerProcess
) -> None:
    person = sign_up(page)
    old_token = token(ui_server, person)
    other_context = browser.new_context(base_url=ui_server.base_url, viewport=VIEWPORT)
    try:
        other = other_context.new_page()
        log_in(other, person)
        expect(other.get_by_role("link", name="Account", exact=True)).to_be_visible()

        open_account(page)
        form = page.get_by_role("region", name="Change password")
        form.get_by_label("Current password").fill("a wrong password")
        form.get_by_label("New password").fill(NEW_PASSWORD)
        form.get_by_role("button", name="Change password").click()
        expect(page.get_by_text("The current password is incorrect.")).to_be_visible()
        expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")

        form = page.get_by_role("region", name="Change password")
        form.get_by_label("Current password").fill(person.password)
        form.get_by_label("New password").fill(NEW_PASSWORD)
        form.get_by_role("button", name="Change password").click()
        expect(page.get_by_text("Password changed.")).to_be_visible()
        # This browser stays logged in; the other one and the old token are logged out.
        page.reload()
        expect(page.get_by_role("heading", name="API keys")).to_be_visible()
        other.reload()
        expect(other.get_by_role("heading", name="Log in")).to_be_visible()
        assert me_status(ui_server, old_token) == 401
        assert token(ui_server, person, NEW_PASSWORD)
    finally:
        other_context.close()


def test_deleting_the_account_needs_the_password_and_ends_everything(
    page: Page, ui_server: ServerProcess
) -> None:
    person = sign_up(page)
    open_account(page)
    key = create_key(page, "doomed")
    page.get_by_role("link", name="Back to the account").click()
    page.get_by_role("link", name="Delete account").click()
    expect(page.get_by_role("heading", name="Delete account")).to_be_visible()
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Delete account").click()
    expect(page.get_by_text("The current password is incorrect.")).to_be_visible()
    assert me_status(ui_server, key) == 200
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Delete account").click()
    expect(page.get_by_text("Your account has been deleted")).to_be_visible()
    expect(page.get_by_role("button", name="Sign up")).to_be_visible()
    assert me_status(ui_server, key) == 401
    page.goto("/ui/account")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(page, person)
    expect(page.get_by_text("Incorrect email or password.")).to_be_visible()

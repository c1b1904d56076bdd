"""What holds across the pages, in Chromium: signing up, out and in; the plain-forms path with
JavaScript off; user content that looks like a script staying text; an accessibility scan of
the main pages."""

from __future__ import annotations

import re

from playwright.sync_api import ConsoleMessage, Dialog, Page, expect

from tests.support.server import ServerProcess
from tests.ui.browser.axe import assert_accessible
from tests.ui.browser.people import Person, api, bearer, log_in, new_person, sign_up, token
from tests.ui.browser.support import shot

SCRIPT = "<script>alert(1)</script>"


def create_prompt(server: ServerProcess, person: Person, **fields: object) -> dict[str, object]:
    body = {"title": "Welcome email", "content": "Hello {{ name }}!", "model": "gpt-4o"}
    body.update(fields)  # type: ignore[arg-type]
    with api(server) as client:
        answer = client.post("/prompts", json=body, headers=bearer(token(server, person)))
    assert answer.status_code == 201, answer.text
    made: dict[str, object] = answer.json()
    return made


def test_sign_up_log_out_and_log_in_again(page: Page) -> None:
    person = sign_up(page, new_person("Grace"))
    expect(page.get_by_text("Welcome to PromptCrafter.")).to_be_visible()
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    expect(page.get_by_role("link", name="Account", exact=True)).to_have_count(0)
    page.goto("/ui/login")
    shot(page, "login")

    log_in(page, person, password="not the right one")
    password = page.get_by_label("Password")
    expect(page.get_by_text("Incorrect email or password.")).to_be_visible()
    expect(password).to_have_attribute("aria-invalid", "true")
    # The sentence is the field's description, so a screen reader reads it with the field.
    described = password.get_attribute("aria-describedby") or ""
    assert "login-password-error" in described.split()
    expect(page.get_by_label("Email")).to_have_value(person.email)  # kept; the password not
    expect(password).to_have_value("")

    password.fill(person.password)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Account", exact=True)).to_be_visible()


def test_without_javascript_log_in_create_edit_and_view(
    js_disabled_page: Page, ui_server: ServerProcess
) -> None:
    page = js_disabled_page
    assert page.evaluate("() => 1") == 1  # evaluate works; page scripts do not
    person = new_person("Linus")
    with api(ui_server) as client:
        made = client.post(
            "/auth/signup",
            json={"name": person.name, "email": person.email, "password": person.password},
        )
        assert made.status_code == 201, made.text
    log_in(page, person)
    expect(page.get_by_role("heading", name="Library", exact=True)).to_be_visible()

    page.get_by_role("button", name="New prompt").click()
    page.get_by_label("Title").fill("Release notes")
    page.get_by_label("Content").fill("Summarise {{ changes }} for {{ audience }}.")
    page.get_by_label("Model").fill("gpt-4o")
    page.get_by_label("Tags").fill("docs, release")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Release notes", level=1)).to_be_visible()

    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("region", name="Edit prompt")
    form.get_by_label("Content").fill("Summarise {{ changes }} for {{ audience }} in 3 lines.")
    form.get_by_label("Commit message").fill("Shorter")
    form.get_by_role("button", name="Save").click()

    expect(page.get_by_role("heading", name="Release notes", level=1)).to_be_visible()
    content = page.get_by_role("region", name="Content")
    expect(content).to_contain_text("in 3 lines.")
    with api(ui_server) as client:
        headers = bearer(token(ui_server, person))
        [stored] = client.get("/prompts", headers=headers).json()
        assert stored["title"] == "Release notes" and stored["version"] == 2
        assert stored["content"].endswith("in 3 lines.") and stored["tags"] == ["docs", "release"]
        versions = client.get(f"/prompts/{stored['_id']}/versions", headers=headers).json()
        assert versions[0]["commitMessage"] == "Shorter", versions
    # Viewing it again (a plain GET, as a bookmark would) shows the edited version.
    page.goto(f"/ui/prompts/{stored['_id']}")
    expect(page.get_by_role("region", name="Content")).to_contain_text("in 3 lines.")


def _watch(page: Page, dialogs: list[str], problems: list[str]) -> None:
    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        text = message.text
        if message.type == "error" or "Content Security Policy" in text or "Refused to" in text:
            problems.append(f"{message.type}: {text}")

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))


def test_a_script_in_a_prompt_stays_text(page: Page, ui_server: ServerProcess) -> None:
    dialogs: list[str] = []
    problems: list[str] = []
    _watch(page, dialogs, problems)
    person = sign_up(page)
    made = create_prompt(ui_server, person, title=SCRIPT, content=SCRIPT, tags=["x<b>y</b>"])
    page.goto("/ui/")
    link = page.get_by_role("link", name=SCRIPT, exact=True)
    expect(link).to_be_visible()
    # Live search draws the results from a fetched fragment: escaped there too.
    page.get_by_label("Search").fill("alert")
    expect(page.get_by_role("link", name=SCRIPT, exact=True)).to_be_visible()
    page.get_by_role("link", name=SCRIPT, exact=True).click()
    expect(page.get_by_role("heading", name=SCRIPT, level=1)).to_be_visible()
    expect(page.get_by_role("region", name="Content")).to_contain_text(SCRIPT)
    assert page.url.endswith(f"/ui/prompts/{made['_id']}")
    ours = page.evaluate(
        "() => [...document.scripts].filter((s) => !s.src || s.textContent.includes('alert'))"
        ".length"
    )
    assert ours == 0
    # An API key named like a script: text on the answer page and in the account's list.
    page.get_by_role("link", name="Account", exact=True).click()
    form = page.get_by_role("region", name="Create key")
    form.get_by_label("Name").fill(SCRIPT)
    form.get_by_role("button", name="Create key").click()
    expect(page.get_by_text(SCRIPT)).to_be_visible()
    page.get_by_role("link", name="Back to the account").click()
    expect(page.get_by_role("rowheader", name=SCRIPT, exact=True)).to_be_visible()
    page.wait_for_timeout(300)  # a script that did slip in would have run by now
    assert dialogs == []
    assert problems == [], "\n".join(problems)


def test_the_main_pages_pass_an_accessibility_scan(page: Page, ui_server: ServerProcess) -> None:
    for path, heading in (("/ui/login", "Log in"), ("/ui/signup", "Create your account")):
        page.goto(path)
        expect(page.get_by_role("heading", name=heading)).to_be_visible()
        assert_accessible(page)
    person = sign_up(page)
    made = create_prompt(ui_server, person, tags=["email", "onboarding"])
    create_prompt(ui_server, person, title="Bug triage", content="Sort {{ issue }}.")
    page.goto("/ui/")
    expect(page.get_by_role("link", name="Bug triage")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Welcome email").click()
    expect(page.get_by_role("heading", name="Welcome email", level=1)).to_be_visible()
    assert page.url.endswith(f"/ui/prompts/{made['_id']}")
    assert_accessible(page)
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_role("heading", name="API keys")).to_be_visible()
    # With a key listed, so the table is scanned too.
    form = page.get_by_role("region", name="Create key")
    form.get_by_label("Name").fill("scan")
    form.get_by_role("button", name="Create key").click()
    expect(page.get_by_label("Your new API key")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Back to the account").click()
    expect(page.get_by_role("row", name=re.compile("scan"))).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Delete account").click()
    assert_accessible(page)

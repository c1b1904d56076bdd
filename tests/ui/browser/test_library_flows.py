"""The library in a real browser: create a prompt with New prompt, filter by tag, sort by
title, page through, and the live search narrowing the table as you type (and the same search
as a plain form with JavaScript off). Each test signs up its own user through the page; the
data a test only needs to exist is made through the JSON API with that user's token, and what
the browser did is checked there too."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from tests.support.browser import PASSWORD
from tests.support.server import ServerProcess
from tests.ui.browser.axe import assert_accessible
from tests.ui.browser.support import shot


@dataclass
class User:
    email: str
    api: httpx.Client  # the JSON API, with this user's bearer token

    def create(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "A prompt", "content": "Some content", "model": "gpt-4o", **fields}
        answer = self.api.post("/prompts", json=body)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def prompts(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.api.get("/prompts").json()
        return found


def sign_up(page: Page, name: str = "Ada Lovelace") -> str:
    email = f"lib-{secrets.token_hex(6)}@example.com"
    page.goto("/ui/signup")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(re.compile(r"/ui/(\?.*)?$"))
    return email


@pytest.fixture
def user(page: Page, ui_server: ServerProcess) -> Iterator[User]:
    email = sign_up(page)
    with httpx.Client(base_url=ui_server.base_url, timeout=30) as api:
        login = api.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        api.headers["Authorization"] = f"Bearer {login.json()['token']}"
        yield User(email, api)


def rows(page: Page) -> Locator:
    """The library table's prompt rows (the header row left out)."""
    return page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("cell"))


def test_create_a_prompt_with_new_prompt(page: Page, user: User) -> None:
    page.goto("/ui/")
    expect(page.get_by_role("heading", name="Your library is empty")).to_be_visible()
    page.get_by_role("button", name="New prompt").click()
    expect(page).to_have_url(re.compile(r"/ui/prompts/new\??$"))
    form = page.get_by_role("form", name="New prompt")
    form.get_by_label("Title").fill("Release notes")
    form.get_by_label("Content").fill("Summarise these changes for {{ audience }}:\n{{ diff }}")
    form.get_by_label("Model").fill("claude-sonnet-4")
    form.get_by_label("Tags").fill("writing, release")
    form.get_by_label("Commit message").fill("First cut")
    form.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/ui/prompts/prompt[0-9a-z]+\?notice=created$"))
    expect(page.get_by_role("heading", name="Release notes")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Prompt created.")
    [stored] = user.prompts()
    assert stored["title"] == "Release notes" and stored["tags"] == ["writing", "release"]
    assert stored["variables"] == ["audience", "diff"] and stored["model"] == "claude-sonnet-4"
    page.get_by_role("link", name="Library").click()
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_role("link", name="Release notes")).to_have_attribute(
        "href", f"/ui/prompts/{stored['_id']}"
    )


def test_new_prompt_errors_show_beside_the_fields(page: Page, user: User) -> None:
    page.goto("/ui/prompts/new")
    form = page.get_by_role("form", name="New prompt")
    form.get_by_label("Title").fill("ab")
    form.get_by_label("Content").fill("kept as typed")
    form.get_by_role("button", name="Save").click()
    title = form.get_by_label("Title")
    expect(title).to_have_attribute("aria-invalid", "true")
    expect(title).to_have_accessible_description(re.compile("Required fields are missing"))
    expect(form.get_by_label("Content")).to_have_value("kept as typed")
    assert user.prompts() == []


def test_filter_by_tag_and_model(page: Page, user: User) -> None:
    user.create(title="Cold outreach email", tags=["email", "sales"])
    user.create(title="Support reply", tags=["email"], model="claude-haiku")
    user.create(title="Tweet thread", tags=["social"])
    page.goto("/ui/")
    expect(rows(page)).to_have_count(3)
    filters = page.get_by_role("form", name="Filter prompts")
    filters.get_by_label("Tag").fill("email")
    filters.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(2)
    expect(page).to_have_url(re.compile(r"tag=email"))
    filters.get_by_label("Model").fill("claude-haiku")
    filters.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Support reply")
    page.get_by_role("link", name="Clear filters").click()
    expect(rows(page)).to_have_count(3)


def test_live_search_narrows_as_you_type(page: Page, user: User) -> None:
    user.create(title="Welcome email", tags=["onboarding"])
    user.create(title="Email subject lines", tags=["marketing"])
    user.create(title="Bug triage", content="Label the issue; email nobody.")
    user.create(title="Meeting notes", tags=["internal"])
    page.goto("/ui/")
    expect(rows(page)).to_have_count(4)
    search = page.get_by_label("Search", exact=True)
    search.press_sequentially("ema", delay=40)
    expect(rows(page)).to_have_count(3)
    # Ranked: title matches first (newest first), then the content-only match.
    expect(rows(page).nth(0)).to_contain_text("Email subject lines")
    expect(rows(page).nth(2)).to_contain_text("Bug triage")
    search.press_sequentially("il welc", delay=40)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("Welcome email")
    search.press_sequentially("zzz", delay=40)
    expect(page.get_by_text("No prompt matches")).to_be_visible()
    search.fill("")
    expect(rows(page)).to_have_count(4)
    # All of it happened without leaving the page.
    assert page.url.endswith("/ui/")


def test_search_works_as_a_plain_form_without_javascript(
    js_disabled_page: Page, ui_server: ServerProcess
) -> None:
    page = js_disabled_page
    sign_up(page, "Grace Hopper")
    page.get_by_role("button", name="New prompt").click()
    form = page.get_by_role("form", name="New prompt")
    form.get_by_label("Title").fill("Compiler error explainer")
    form.get_by_label("Content").fill("Explain {{ error }} simply.")
    form.get_by_label("Model").fill("gpt-4o")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Compiler error explainer")).to_be_visible()
    page.get_by_role("link", name="Library").click()
    page.get_by_label("Search", exact=True).fill("explain")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/ui/\?q=explain$"))
    expect(rows(page)).to_have_count(1)
    page.get_by_label("Search", exact=True).fill("nothing-like-it")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No prompt matches")).to_be_visible()


def test_sort_by_title_and_back(page: Page, user: User) -> None:
    for title in ("Mango", "Apple", "Zucchini", "Banana"):
        user.create(title=title)
    page.goto("/ui/")
    expect(rows(page).first).to_contain_text("Banana")  # most recently updated first
    page.get_by_role("link", name="Title", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=title"))
    titles = ["Apple", "Banana", "Mango", "Zucchini"]
    for i, title in enumerate(titles):
        expect(rows(page).nth(i)).to_contain_text(title)
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "ascending"
    )
    page.get_by_role("link", name="Title", exact=True).click()
    expect(rows(page).first).to_contain_text("Zucchini")
    expect(page.get_by_role("columnheader", name="Title")).to_have_attribute(
        "aria-sort", "descending"
    )


def test_next_page_and_first_page(page: Page, user: User) -> None:
    for i in range(53):
        user.create(title=f"Variant {i:02d}", tags=["bulk"])
    page.goto("/ui/?sort=title")
    expect(rows(page)).to_have_count(50)
    expect(rows(page).first).to_contain_text("Variant 00")
    page.get_by_role("link", name="Next page").click()
    expect(rows(page)).to_have_count(3)
    expect(rows(page).first).to_contain_text("Variant 50")
    expect(page.get_by_role("link", name="Next page")).to_have_count(0)
    page.get_by_role("link", name="First page").click()
    expect(rows(page).first).to_contain_text("Variant 00")


def test_an_altered_cursor_is_a_400_page(page: Page, user: User) -> None:
    for i in range(51):
        user.create(title=f"Row {i}")
    page.goto("/ui/")
    href = page.get_by_role("link", name="Next page").get_attribute("href")
    assert href is not None and "cursor=" in href
    answer = page.goto(href[:-3] + ("AAA" if not href.endswith("AAA") else "BBB"))
    assert answer is not None and answer.status == 400
    expect(page.get_by_role("alert")).to_have_text(
        "The request is malformed or contains invalid parameters."
    )


def test_a_title_with_markup_shows_as_text(page: Page, user: User) -> None:
    evil = "<script>alert(1)</script>"
    user.create(title=evil, content=evil, tags=["<img src=x onerror=alert(2)>"])
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/ui/")
    expect(page.get_by_role("link", name=evil)).to_be_visible()
    page.get_by_label("Search", exact=True).press_sequentially("alert", delay=30)
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_role("link", name=evil)).to_be_visible()
    assert dialogs == []


LIBRARY = [
    ("Support reply drafter", "claude-sonnet-4", ["support", "email"], 3, 12, "production"),
    ("Release notes writer", "gpt-4o", ["writing", "release"], 2, 5, "production"),
    ("SQL query explainer", "claude-haiku", ["engineering"], 1, 0, None),
    ("Meeting summary", "gpt-4o-mini", ["internal", "summaries"], 4, 21, "staging"),
    ("Product description", "gpt-4o", ["marketing", "ecommerce"], 2, 8, "production"),
    ("Code review checklist", "claude-sonnet-4", ["engineering", "review"], 1, 3, None),
    ("Cold outreach email", "gpt-4o", ["sales", "email"], 5, 17, "production"),
    ("Interview question bank", "claude-haiku", ["hiring"], 1, 2, "staging"),
]


def test_library_screenshot_and_accessibility(page: Page, user: User) -> None:
    for n, (title, model, tags, versions, logs, label) in enumerate(LIBRARY):
        prompt = user.create(
            title=title,
            model=model,
            tags=tags,
            content=f"You are helping with {title.lower()}. Input: {{{{ input }}}}",
        )
        for v in range(2, versions + 1):
            edit = user.api.patch(
                f"/prompts/{prompt['_id']}", json={"content": f"Revision {v}: {{{{ input }}}}"}
            )
            assert edit.status_code == 200
        if label:
            # Production trails the newest version a little, as it does in real use.
            pinned = versions if label == "staging" else max(1, versions - 1)
            put = user.api.put(f"/prompts/{prompt['_id']}/labels/{label}", json={"version": pinned})
            assert put.status_code == 200, put.text
        for i in range(logs):
            score = round(5 + ((n * 7 + i * 3) % 50) / 10, 1)
            body = {"promptId": prompt["_id"], "output": "…", "modelUsed": model, "score": score}
            assert user.api.post("/logs", json=body).status_code == 201
    page.goto("/ui/")
    expect(rows(page)).to_have_count(len(LIBRARY))
    expect(rows(page).first).to_contain_text("Interview question bank")
    assert_accessible(page)
    shot(page, "library")
    page.goto("/ui/prompts/new")
    assert_accessible(page)
    shot(page, "new-prompt")

"""Browser flows of the prompt page's history: edit making a version, compare, restore,
labels (set, move, delete, history), deleting the prompt, and a script in user text that
must stay text. Role and label locators only; stored state is checked through the JSON API."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Dialog, Page, expect

from tests.support.server import ServerProcess
from tests.ui.browser.axe import assert_accessible
from tests.ui.browser.support import shot

PASSWORD = "correct horse battery staple"
SCRIPT = "<script>alert(1)</script>"


@dataclass
class Api:
    http: httpx.Client
    headers: dict[str, str]

    def create(self, **fields: Any) -> str:
        body = {"title": "Support reply", "content": "Answer {{ question }} politely."}
        body.update({"model": "gpt-4o", **fields})
        answer = self.http.post("/prompts", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        return str(answer.json()["_id"])

    def prompt(self, prompt_id: str) -> dict[str, Any]:
        answer = self.http.get(f"/prompts/{prompt_id}", headers=self.headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def status(self, path: str) -> int:
        return self.http.get(path, headers=self.headers).status_code

    def patch(self, prompt_id: str, **fields: Any) -> None:
        answer = self.http.patch(f"/prompts/{prompt_id}", json=fields, headers=self.headers)
        assert answer.status_code == 200, answer.text

    def label(self, prompt_id: str, name: str, version: int) -> None:
        answer = self.http.put(
            f"/prompts/{prompt_id}/labels/{name}", json={"version": version}, headers=self.headers
        )
        assert answer.status_code == 200, answer.text


def _sign_up(page: Page) -> str:
    email = f"history-{secrets.token_hex(6)}@example.com"
    page.goto("/ui/signup")
    page.get_by_label("Name").fill("Hedy")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    return email


@pytest.fixture
def api(page: Page, ui_server: ServerProcess) -> Iterator[Api]:
    """The browser's user, signed up through the form, and their JSON API token."""
    email = _sign_up(page)
    with httpx.Client(base_url=ui_server.base_url, timeout=30) as http:
        answer = http.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield Api(http, {"Authorization": f"Bearer {answer.json()['token']}"})


def _versions_table_numbers(page: Page) -> list[str]:
    table = page.get_by_role("region", name="Versions", exact=True).get_by_role("table")
    rows = table.get_by_role("row").all()[1:]
    return [row.get_by_role("cell").first.inner_text().split()[0] for row in rows]


def _version_row(page: Page, number: int) -> Any:
    table = page.get_by_role("region", name="Versions", exact=True).get_by_role("table")
    link = page.get_by_role("link", name=str(number), exact=True)
    return table.get_by_role("row").filter(has=link)


def test_edit_makes_version_2_and_the_table_shows_it(page: Page, api: Api) -> None:
    prompt_id = api.create()
    page.goto(f"/ui/prompts/{prompt_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support reply")
    page.get_by_role("button", name="Edit").click()
    form = page.get_by_role("region", name="Edit prompt")
    form.get_by_label("Title").fill("Support reply, warmer")
    form.get_by_label("Content").fill("Answer {{ question }} warmly, citing {{ source }}.")
    form.get_by_label("Tags").fill("support, tone")
    form.get_by_label("Commit message").fill("Warmer tone")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Support reply, warmer")
    assert _versions_table_numbers(page) == ["2", "1"]
    expect(_version_row(page, 2)).to_contain_text("Warmer tone")
    stored = api.prompt(prompt_id)
    assert stored["version"] == 2 and stored["tags"] == ["support", "tone"]
    assert stored["variables"] == ["question", "source"]


def test_compare_two_versions_shows_the_diff(page: Page, api: Api) -> None:
    prompt_id = api.create()
    api.patch(prompt_id, content="Answer {{ question }} politely and briefly.\nSign off.")
    page.goto(f"/ui/prompts/{prompt_id}")
    compare = page.get_by_role("region", name="Compare versions")
    compare.get_by_label("Version A").select_option("1")
    compare.get_by_label("Version B").select_option("2")
    compare.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Version 1 → version 2")
    changes = page.get_by_role("region", name="Changes")
    expect(changes.get_by_role("insertion").first).to_contain_text("and briefly")
    expect(changes.get_by_role("insertion").last).to_have_text("Sign off.")
    shot(page, "diff")
    assert_accessible(page)


def test_restore_version_1_makes_version_3(page: Page, api: Api) -> None:
    prompt_id = api.create()
    api.patch(prompt_id, title="Support reply v2", content="Different words.")
    page.goto(f"/ui/prompts/{prompt_id}")
    _version_row(page, 1).get_by_role("button", name="Restore").click()
    expect(page.get_by_role("status")).to_have_text("Version restored as a new version.")
    assert _versions_table_numbers(page) == ["3", "2", "1"]
    stored = api.prompt(prompt_id)
    assert stored["version"] == 3 and stored["title"] == "Support reply"
    assert stored["content"] == "Answer {{ question }} politely."


def test_set_move_and_delete_a_label_then_read_its_history(page: Page, api: Api) -> None:
    prompt_id = api.create()
    api.patch(prompt_id, content="Second wording.")
    page.goto(f"/ui/prompts/{prompt_id}")
    set_label = page.get_by_role("region", name="Set label")
    set_label.get_by_label("Label").fill("prod")
    set_label.get_by_label("Version").select_option("1")
    set_label.get_by_role("button", name="Set label").click()
    expect(page.get_by_role("status")).to_have_text("Label set.")
    assert api.prompt(prompt_id)["labels"] == {"prod": 1}
    set_label = page.get_by_role("region", name="Set label")
    set_label.get_by_label("Label").fill("prod")
    set_label.get_by_label("Version").select_option("2")
    set_label.get_by_role("button", name="Set label").click()
    assert api.prompt(prompt_id)["labels"] == {"prod": 2}
    labels = page.get_by_role("region", name="Labels", exact=True)
    labels.get_by_role("link", name="History of prod").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("History of the label prod")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(3)  # the header, moved 1 -> 2, created at 1
    page.go_back()
    page.once("dialog", lambda dialog: dialog.accept())
    labels = page.get_by_role("region", name="Labels", exact=True)
    labels.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status")).to_have_text("Label deleted.")
    assert api.prompt(prompt_id)["labels"] == {}
    page.goto(f"/ui/prompts/{prompt_id}/labels/prod/history")
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(4)


def test_delete_the_prompt_after_the_dialog(page: Page, api: Api) -> None:
    prompt_id = api.create(title="Short-lived prompt")
    page.goto(f"/ui/prompts/{prompt_id}")
    asked: list[str] = []

    def dismiss_then_accept(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss() if len(asked) == 1 else dialog.accept()

    page.on("dialog", dismiss_then_accept)
    delete = page.get_by_role("form", name="Delete prompt").get_by_role("button", name="Delete")
    delete.click()
    assert api.status(f"/prompts/{prompt_id}") == 200  # dismissed: nothing happened
    delete.click()
    expect(page.get_by_role("status")).to_have_text("Deleted.")
    assert len(asked) == 2 and asked[0].startswith("Delete this prompt")
    assert api.status(f"/prompts/{prompt_id}") == 404


def test_delete_without_javascript_asks_on_a_page(
    js_disabled_page: Page, ui_server: ServerProcess
) -> None:
    page = js_disabled_page
    email = _sign_up(page)
    with httpx.Client(base_url=ui_server.base_url, timeout=30) as http:
        token = http.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
        api = Api(http, {"Authorization": f"Bearer {token['token']}"})
        prompt_id = api.create(title="Plain forms prompt")
        page.goto(f"/ui/prompts/{prompt_id}")
        page.get_by_role("form", name="Delete prompt").get_by_role("button", name="Delete").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Delete the prompt Plain forms prompt?"
        )
        assert api.status(f"/prompts/{prompt_id}") == 200
        page.get_by_role("button", name="Delete").click()
        expect(page.get_by_role("status")).to_have_text("Deleted.")
        assert api.status(f"/prompts/{prompt_id}") == 404


def test_a_script_in_the_title_and_content_runs_nothing(page: Page, api: Api) -> None:
    prompt_id = api.create(title=SCRIPT, content=f"{SCRIPT} {{{{ x }}}}", commitMessage=SCRIPT)
    api.patch(prompt_id, content=f"{SCRIPT}\n{SCRIPT}", commitMessage=SCRIPT)
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    for path in ("", "/versions/1", "/diff?a=1&b=2", "/edit"):
        page.goto(f"/ui/prompts/{prompt_id}{path}")
        expect(page.get_by_role("main")).to_contain_text(SCRIPT)
    page.goto(f"/ui/prompts/{prompt_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(SCRIPT)
    page.wait_for_timeout(200)
    assert opened == []


def test_screenshot_of_a_prompt_with_versions_and_labels(page: Page, api: Api) -> None:
    prompt_id = api.create(
        title="Release notes writer",
        content="Write release notes for {{ product }} version {{ version }}.\n"
        "Audience: {{ audience }}. Keep it under 200 words.",
        tags=["writing", "release"],
        commitMessage="First draft",
    )
    api.patch(
        prompt_id,
        content="Write release notes for {{ product }} {{ version }}.\n"
        "Audience: {{ audience }}. Lead with the biggest change; under 150 words.",
        commitMessage="Lead with the biggest change",
    )
    api.patch(prompt_id, model="gpt-4o-mini", commitMessage="Cheaper model")
    api.label(prompt_id, "prod", 2)
    api.label(prompt_id, "staging", 3)
    page.goto(f"/ui/prompts/{prompt_id}")
    expect(page.get_by_role("heading", name="Versions", exact=True)).to_be_visible()
    assert _versions_table_numbers(page) == ["3", "2", "1"]
    shot(page, "prompt")
    assert_accessible(page)
    for path in ("/versions/1", "/edit", "/labels/prod/history", "/labels/prod/delete"):
        page.goto(f"/ui/prompts/{prompt_id}{path}")
        assert_accessible(page)


def test_edit_and_restore_without_javascript(
    js_disabled_page: Page, ui_server: ServerProcess
) -> None:
    page = js_disabled_page
    email = _sign_up(page)
    with httpx.Client(base_url=ui_server.base_url, timeout=30) as http:
        token = http.post("/auth/login", json={"email": email, "password": PASSWORD}).json()
        api = Api(http, {"Authorization": f"Bearer {token['token']}"})
        prompt_id = api.create()
        page.goto(f"/ui/prompts/{prompt_id}")
        page.get_by_role("button", name="Edit").click()
        form = page.get_by_role("region", name="Edit prompt")
        form.get_by_label("Content").fill("Answer {{ question }} in one line.")
        form.get_by_role("button", name="Save").click()
        expect(page.get_by_role("status")).to_have_text("Saved.")
        assert _versions_table_numbers(page) == ["2", "1"]
        _version_row(page, 1).get_by_role("button", name="Restore").click()
        expect(page.get_by_role("status")).to_have_text("Version restored as a new version.")
        stored = api.prompt(prompt_id)
        assert stored["version"] == 3 and stored["content"] == "Answer {{ question }} politely."

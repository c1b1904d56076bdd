"""The prompt page's results sections in a real Chromium: render and copy, add a log and
filter by version, delete a log (with and without JavaScript), scores with the chart and a
comparison. Role and label locators only; what the page says is checked against the JSON
API's stored state."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Dialog, Locator, Page, expect

from tests.support.browser import PASSWORD
from tests.support.server import ServerProcess
from tests.ui.browser.axe import assert_accessible
from tests.ui.browser.support import shot

XSS = "<script>alert(1)</script>"


@dataclass
class Owner:
    email: str
    api: httpx.Client
    headers: dict[str, str]

    def prompt(self, **fields: Any) -> dict[str, Any]:
        body = {
            "title": "Product blurb",
            "content": "Write a blurb for {{ product }} aimed at {{ audience }}.",
            "model": "gpt-4o",
            **fields,
        }
        answer = self.api.post("/prompts", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def edit(self, prompt_id: str, content: str) -> None:
        answer = self.api.patch(
            f"/prompts/{prompt_id}", json={"content": content}, headers=self.headers
        )
        assert answer.status_code == 200, answer.text

    def log(self, prompt_id: str, **fields: Any) -> dict[str, Any]:
        body = {"promptId": prompt_id, "output": "An output", "modelUsed": "gpt-4o", **fields}
        answer = self.api.post("/logs", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def logs(self, prompt_id: str) -> list[dict[str, Any]]:
        answer = self.api.get("/logs", params={"promptId": prompt_id}, headers=self.headers)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()
        return found


def log_in(page: Page, email: str) -> None:
    page.goto("/ui/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def owner(ui_server: ServerProcess) -> Iterator[Owner]:
    """An account made through the API (the flows test the prompt page, not sign-up)."""
    email = f"results-{secrets.token_hex(5)}@example.com"
    with httpx.Client(base_url=ui_server.base_url, timeout=30) as api:
        made = api.post("/auth/signup", json={"name": "Rita", "email": email, "password": PASSWORD})
        assert made.status_code == 201, made.text
        yield Owner(email, api, {"Authorization": f"Bearer {made.json()['token']}"})


@pytest.fixture
def signed_in(page: Page, owner: Owner) -> Page:
    log_in(page, owner.email)
    return page


def region(page: Page, name: str) -> Locator:
    return page.get_by_role("region", name=name, exact=True)


def test_render_with_variables_and_copy(signed_in: Page, owner: Owner) -> None:
    page = signed_in
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    prompt = owner.prompt()
    page.goto(f"/ui/prompts/{prompt['_id']}")
    render = region(page, "Render")
    render.get_by_label("product", exact=True).fill("Acme <rockets>")
    render.get_by_label("audience", exact=True).fill("engineers")
    render.get_by_role("button", name="Render").click()
    rendered = region(page, "Rendered text")
    expect(rendered).to_contain_text("Write a blurb for Acme <rockets> aimed at engineers.")
    expect(rendered.get_by_role("button", name="Copy")).to_be_visible()  # app.js shows it
    rendered.get_by_role("button", name="Copy").click()
    # The region's only button, whatever it says now (its name changes to "Copied").
    expect(rendered.get_by_role("button")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    api = owner.api.post(
        f"/prompts/{prompt['_id']}/render",
        json={"variables": {"product": "Acme <rockets>", "audience": "engineers"}},
        headers=owner.headers,
    )
    assert copied == api.json()["rendered"]
    shot(page, "render")
    assert_accessible(page)
    # A missing variable: the API's sentence beside the form, the values kept.
    region(page, "Render").get_by_label("audience", exact=True).fill("")
    region(page, "Render").get_by_role("button", name="Render").click()
    expect(page.get_by_role("alert")).to_have_text("Missing template variables: audience.")
    expect(region(page, "Render").get_by_label("product", exact=True)).to_have_value(
        "Acme <rockets>"
    )


def test_add_a_log_for_version_1_then_filter_by_version(signed_in: Page, owner: Owner) -> None:
    page = signed_in
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    prompt = owner.prompt()
    owner.edit(prompt["_id"], "Second take on {{ product }}.")
    owner.log(prompt["_id"], output="from version two", promptVersion=2, score=6)
    page.goto(f"/ui/prompts/{prompt['_id']}")
    add = region(page, "Add log")
    expect(add.get_by_label("Version")).to_have_value("2")  # the current version by default
    add.get_by_label("Output").fill(f"first version said {XSS}")
    add.get_by_label("Score").fill("8.5")
    add.get_by_label("Notes").fill("crisp")
    add.get_by_label("Model").fill("claude-3")
    add.get_by_label("Version").select_option(label="Version 1")
    add.get_by_role("button", name="Add log").click()
    expect(page.get_by_role("status").first).to_have_text("Log added.")

    stored = {log["output"]: log for log in owner.logs(prompt["_id"])}
    added = stored[f"first version said {XSS}"]
    assert (added["promptVersion"], added["score"], added["notes"]) == (1, 8.5, "crisp")
    assert added["modelUsed"] == "claude-3"
    logs = region(page, "Logs")
    expect(logs.get_by_role("row")).to_have_count(3)  # the header and two logs
    # Shown as text: the output's markup ran nothing.
    expect(logs.get_by_role("row", name=re.compile("first version said"))).to_contain_text(XSS)

    filters = region(page, "Filter logs")
    filters.get_by_label("Version").select_option(label="Version 1")
    filters.get_by_role("button", name="Filter").click()
    expect(logs.get_by_role("row")).to_have_count(2)
    expect(logs.get_by_role("row", name=re.compile("first version said"))).to_be_visible()
    expect(logs.get_by_role("row", name=re.compile("from version two"))).to_have_count(0)
    expect(filters.get_by_label("Version")).to_have_value("1")
    shot(page, "logs")
    assert_accessible(page, "#logs")
    assert dialogs == []  # the script in the output never ran


def test_a_long_output_links_to_its_whole_text(signed_in: Page, owner: Owner) -> None:
    page = signed_in
    prompt = owner.prompt()
    whole = "start " + "word " * 1000 + "the very end"
    log = owner.log(prompt["_id"], output=whole, notes="seen in full")
    page.goto(f"/ui/prompts/{prompt['_id']}")
    row = region(page, "Logs").get_by_role("row", name=re.compile("start word"))
    expect(row).not_to_contain_text("the very end")
    row.get_by_role("link", name=f"Whole output ({len(whole)} characters)").click()
    expect(page).to_have_url(re.compile(f"/ui/logs/{log['_id']}$"))
    expect(page.get_by_role("heading", name="Log of Product blurb")).to_be_visible()
    expect(page.get_by_role("region", name="Details")).to_contain_text("the very end")
    expect(page.get_by_role("region", name="Details")).to_contain_text("seen in full")
    assert_accessible(page)


def test_delete_a_log_after_confirming(signed_in: Page, owner: Owner) -> None:
    page = signed_in
    prompt = owner.prompt()
    owner.log(prompt["_id"], output="keep me")
    owner.log(prompt["_id"], output="remove me")
    page.goto(f"/ui/prompts/{prompt['_id']}")
    row = region(page, "Logs").get_by_role("row", name=re.compile("remove me"))
    asked: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    row.get_by_role("button", name="Delete").click()
    expect(row).to_be_visible()
    assert asked == ["Delete this log? This cannot be undone."]
    assert len(owner.logs(prompt["_id"])) == 2

    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("status").first).to_have_text("Log deleted.")
    expect(region(page, "Logs").get_by_role("row", name=re.compile("remove me"))).to_have_count(0)
    assert [log["output"] for log in owner.logs(prompt["_id"])] == ["keep me"]


def test_delete_a_log_without_javascript(js_disabled_page: Page, owner: Owner) -> None:
    page = js_disabled_page
    log_in(page, owner.email)
    prompt = owner.prompt()
    owner.log(prompt["_id"], output="plain forms only")
    page.goto(f"/ui/prompts/{prompt['_id']}")
    region(page, "Logs").get_by_role("row", name=re.compile("plain forms only")).get_by_role(
        "button", name="Delete"
    ).click()
    # The server asks first, since no script could.
    expect(
        page.get_by_role("heading", name="Delete this log? This cannot be undone.")
    ).to_be_visible()
    assert len(owner.logs(prompt["_id"])) == 1
    region(page, "Delete this log? This cannot be undone.").get_by_role(
        "button", name="Delete"
    ).click()
    expect(page.get_by_role("status").first).to_have_text("Log deleted.")
    assert owner.logs(prompt["_id"]) == []


def test_scores_table_chart_and_compare_two_versions(signed_in: Page, owner: Owner) -> None:
    page = signed_in
    prompt = owner.prompt()
    owner.edit(prompt["_id"], "Punchier: {{ product }} for {{ audience }}.")
    for score in (3, 4, 4, 5, 3, 4):
        owner.log(prompt["_id"], promptVersion=1, score=score)
    for score in (8, 9, 8, 7, 9, 10):
        owner.log(prompt["_id"], promptVersion=2, score=score, modelUsed="claude-3")
    page.goto(f"/ui/prompts/{prompt['_id']}")
    scores = region(page, "Scores")
    expect(page.get_by_role("heading", name="Scores", exact=True)).to_be_visible()
    table = scores.get_by_role("table", name=re.compile("Scores per version and model"))
    expect(table.get_by_role("row", name=re.compile(r"v2 claude-3 6 6 8\.5"))).to_be_visible()
    expect(table.get_by_role("row", name=re.compile(r"v1 gpt-4o 6 6 3\.83"))).to_be_visible()
    chart = scores.get_by_role("img", name=re.compile("Score distribution per version"))
    expect(chart).to_be_visible()
    counts = scores.get_by_role("table", name=re.compile("Logs per score"))
    expect(counts.get_by_role("row", name=re.compile("^v1 0 0 0 2 3 1"))).to_be_visible()

    compare = region(page, "Compare scores")
    compare.get_by_label("Version A").select_option(label="Version 1")
    compare.get_by_label("Version B").select_option(label="Version 2")
    compare.get_by_role("button", name="Compare").click()
    verdict = region(page, "Compare scores").get_by_role("status")
    expect(verdict).to_contain_text("b is better")
    api = owner.api.get(
        f"/prompts/{prompt['_id']}/compare", params={"a": 1, "b": 2}, headers=owner.headers
    ).json()
    assert api["verdict"] == "b is better"
    expect(verdict).to_contain_text(f"{api['pValue']:.4f}")
    shot(page, "scores")
    assert_accessible(page, "#scores")

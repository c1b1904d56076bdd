"""Helpers and fixtures of the results-section tests: the UI user's API token, data set up
through the JSON API, and small readers of the prompt page's HTML."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.support.browser import PASSWORD, UiClient, ui_client
from tests.support.server import ServerProcess

LOG_LINK = re.compile(r'action="/ui/logs/(log[0-9a-z]+)/delete"')
NEXT = re.compile(r'<a href="([^"]+)" rel="next">Older logs</a>')


@dataclass
class Setup:
    browser: UiClient
    api: httpx.Client
    headers: dict[str, str]

    def prompt(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "Greeting", "content": "Hello {{ name }}, from {{ place }}."}
        body |= {"model": "gpt-4o", **fields}
        answer = self.api.post("/prompts", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        created: dict[str, Any] = answer.json()
        return created

    def edit(self, prompt_id: str, **fields: Any) -> dict[str, Any]:
        answer = self.api.patch(f"/prompts/{prompt_id}", json=fields, headers=self.headers)
        assert answer.status_code == 200, answer.text
        edited: dict[str, Any] = answer.json()
        return edited

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

    def page(self, prompt_id: str, **params: str) -> httpx.Response:
        return self.browser.get(f"/ui/prompts/{prompt_id}", params=params)

    def post(self, path: str, data: dict[str, Any] | list[tuple[str, Any]]) -> httpx.Response:
        return self.browser.form_post(path, data)


def setup_for(browser: UiClient) -> Setup:
    base = str(browser.client.base_url)
    api = httpx.Client(base_url=base, timeout=30)
    answer = api.post("/auth/login", json={"email": browser.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Setup(browser, api, {"Authorization": f"Bearer {answer.json()['token']}"})


def log_ids(html: str) -> list[str]:
    return LOG_LINK.findall(html)


def next_url(html: str) -> str | None:
    found = NEXT.search(html)
    return None if found is None else found.group(1).replace("&amp;", "&")


def section(html: str, section_id: str) -> str:
    """The HTML of ``<section ... id="section_id">`` up to the next top-level section."""
    start = html.index(f'id="{section_id}"')
    following = [
        html.find(f'<section class="card" id="{name}"', start + 1)
        for name in ("render", "logs", "scores", "use")
    ]
    ends = [at for at in following if at > start]
    return html[start : min(ends) if ends else len(html)]


@pytest.fixture
def setup(ui_browser: UiClient) -> Iterator[Setup]:
    made = setup_for(ui_browser)
    yield made
    made.api.close()


@pytest.fixture
def stranger(live_server: ServerProcess) -> Iterator[Setup]:
    browser = ui_client(live_server.base_url)
    with browser.client:
        made = setup_for(browser.sign_up("Mallory"))
        yield made
        made.api.close()

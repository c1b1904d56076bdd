"""Helpers of the prompt page's HTML-level tests: the logged-in UI user's JSON API access
(to set up prompts quickly and to check what a page stored) and a few HTML probes."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import httpx

from tests.support.browser import PASSWORD, UiClient


@dataclass
class Owner:
    """The UI user, also speaking to the JSON API with a bearer token."""

    ui: UiClient
    headers: dict[str, str]

    @property
    def http(self) -> httpx.Client:
        return self.ui.client

    def create(self, **fields: Any) -> dict[str, Any]:
        body = {"title": "A prompt title", "content": "Hello {{ name }}", "model": "gpt-4"}
        body.update(fields)
        answer = self.http.post("/prompts", json=body, headers=self.headers)
        assert answer.status_code == 201, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def patch(self, prompt_id: str, **fields: Any) -> dict[str, Any]:
        answer = self.http.patch(f"/prompts/{prompt_id}", json=fields, headers=self.headers)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def api(self, path: str) -> httpx.Response:
        return self.http.get(path, headers=self.headers)

    def prompt(self, prompt_id: str) -> dict[str, Any]:
        answer = self.api(f"/prompts/{prompt_id}")
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result

    def post(self, path: str, data: dict[str, Any], page: str) -> httpx.Response:
        return self.ui.form_post(path, data, page=page)


def owner_of(ui: UiClient) -> Owner:
    answer = ui.client.post("/auth/login", json={"email": ui.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return Owner(ui, {"Authorization": f"Bearer {answer.json()['token']}"})


def page_url(prompt_id: str, rest: str = "") -> str:
    return f"/ui/prompts/{prompt_id}{rest}"


def text_of(page: str) -> str:
    """The page's text with tags removed and entities decoded, blanks collapsed."""
    without = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(without).split())


def assert_html(answer: httpx.Response, status: int) -> str:
    assert answer.status_code == status, answer.text[:2000]
    assert answer.headers["content-type"].startswith("text/html")
    # Nothing on our pages comes from another origin.
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', answer.text)
    return answer.text

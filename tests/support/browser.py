"""An HTTP client that uses the UI as a browser does: cookies, the CSRF field of the page's
forms and a same-origin ``Origin`` on every form it sends."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

FORM = "application/x-www-form-urlencoded"

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "the page holds no form with a CSRF field"
    return found.group(1)


@dataclass
class UiClient:
    client: httpx.Client
    email: str = ""

    @property
    def origin(self) -> str:
        return str(self.client.base_url).rstrip("/")

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.client.get(path, **kwargs)

    def form_post(
        self, path: str, data: dict[str, Any] | list[tuple[str, Any]], *, page: str = "/ui/"
    ) -> httpx.Response:
        """POST ``data`` as the form on ``page`` would: with its CSRF token and our Origin."""
        token = csrf_of(self.client.get(page).text)
        fields = list(data.items()) if isinstance(data, dict) else list(data)
        return self.client.post(
            path,
            content=urlencode([("csrf", token), *fields]),
            headers={"Origin": self.origin, "Content-Type": FORM},
        )

    def sign_up(self, name: str = "Ada") -> UiClient:
        self.email = f"ui-{secrets.token_hex(6)}@example.com"
        answer = self.form_post(
            "/ui/signup",
            {"name": name, "email": self.email, "password": PASSWORD},
            page="/ui/signup",
        )
        assert answer.status_code == 303, answer.text
        return self


def ui_client(base_url: str) -> UiClient:
    return UiClient(httpx.Client(base_url=base_url, timeout=30, follow_redirects=False))

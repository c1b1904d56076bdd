"""A thin HTTP helper for tests: fresh users, auth headers, common objects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

PASSWORD = "correct horse battery staple"


@dataclass
class Account:
    token: str
    user: dict[str, Any]
    email: str
    password: str = PASSWORD

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    client: httpx.Client
    engine: str
    accounts: list[Account] = field(default_factory=list)

    def unique_email(self) -> str:
        return f"user-{uuid.uuid4().hex}@example.com"

    def signup(self, name: str = "Test User", email: str | None = None) -> Account:
        email = email or self.unique_email()
        response = self.client.post(
            "/auth/signup", json={"name": name, "email": email, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        account = Account(token=body["token"], user=body["user"], email=email)
        self.accounts.append(account)
        return account

    def create_prompt(self, account: Account, **fields: Any) -> dict[str, Any]:
        body = {"title": "A prompt title", "content": "Some content", "model": "gpt-4"}
        body.update(fields)
        response = self.client.post("/prompts", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    def create_log(self, account: Account, prompt_id: str, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {"promptId": prompt_id, "output": "An output", "modelUsed": "Claude"}
        body.update(fields)
        response = self.client.post("/logs", json=body, headers=account.headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

"""Getting a person into the UI through its forms, and their credentials for the JSON API:
what the account and cross-cutting flows share."""

from __future__ import annotations

import secrets
import sqlite3
from dataclasses import dataclass

import httpx
from playwright.sync_api import Page, expect

from tests.support.server import ServerProcess

PASSWORD = "correct horse battery staple"


@dataclass
class Person:
    name: str
    email: str
    password: str = PASSWORD


def new_person(name: str = "Ada") -> Person:
    return Person(name, f"browser-{secrets.token_hex(6)}@example.com")


def sign_up(page: Page, person: Person | None = None) -> Person:
    """Sign up through the form; signing up logs you in and opens the library."""
    person = person or new_person()
    page.goto("/ui/signup")
    page.get_by_label("Name").fill(person.name)
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(person.password)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("link", name="Account", exact=True)).to_be_visible()
    return person


def log_in(page: Page, person: Person, password: str | None = None) -> None:
    page.goto("/ui/login")
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(password or person.password)
    page.get_by_role("button", name="Log in").click()


def api(server: ServerProcess) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, timeout=30)


def bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def token(server: ServerProcess, person: Person, password: str | None = None) -> str:
    """A login token of the person's, for setting up or checking state over the JSON API."""
    with api(server) as client:
        answer = client.post(
            "/auth/login", json={"email": person.email, "password": password or person.password}
        )
    assert answer.status_code == 200, answer.text
    value: str = answer.json()["token"]
    return value


def me_status(server: ServerProcess, credential: str) -> int:
    with api(server) as client:
        return client.get("/auth/me", headers=bearer(credential)).status_code


def age_sessions(server: ServerProcess, person: Person, minutes: int) -> None:
    """Move the person's browser sessions' log-in time back (the browser tests' server is on
    SQLite): how a session gets too old to make an API key without waiting."""
    assert server.database_url.startswith("sqlite")
    with sqlite3.connect(server.database_url.split(":///", 1)[1]) as conn:
        conn.execute(
            "UPDATE browser_sessions SET created_at = created_at - ? "
            "WHERE user_id = (SELECT id FROM users WHERE email_key = ?)",
            (minutes * 60_000, person.email.lower()),
        )

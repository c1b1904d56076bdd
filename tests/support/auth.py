"""The sentences and helpers the authentication tests share."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import httpx

MISSING = "Required fields are missing or invalid."
WEAK = "The password does not meet the security requirements."
TAKEN = "Email already in use."
BAD_LOGIN = "Incorrect email or password."
NO_TOKEN = "Authentication token is missing."
BAD_TOKEN = "Authentication token is expired or invalid."

USER_ID = re.compile(r"^user[0-9a-z]+$")
JSON = {"Content-Type": "application/json"}
ISO_MS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def email() -> str:
    return f"auth-{uuid.uuid4().hex}@example.com"


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["error"] == message, body
    assert set(body) <= {"error", "details"}, body


def parse_iso(value: str) -> datetime:
    assert ISO_MS.match(value), value
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def bearer(token: str, scheme: str = "Bearer") -> dict[str, str]:
    return {"Authorization": f"{scheme} {token}"}

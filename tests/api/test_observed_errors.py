"""With JSON logs on, a record logged while a hot request fails carries that request's id.

The fast path puts the id in the logging context only on its error branches (a normal
answer logs nothing else), so these branches are what must hold. In process: a failure
cannot be planted in a server started as a separate program."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest

from promptcrafter.accesslog import JSONFormatter
from promptcrafter.api.app import create_app
from promptcrafter.config import Settings
from promptcrafter.store import prompts
from promptcrafter.store.database import StoreError


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JSONFormatter())
        self.lines: list[dict[str, object]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(json.loads(self.format(record)))


@pytest.mark.parametrize(
    ("planted", "status", "message"),
    [
        (StoreError("disk image is malformed"), 503, "database error: disk image is malformed"),
        (RuntimeError("planted bug"), 500, "unhandled error"),
    ],
)
def test_a_failing_hot_request_logs_with_its_request_id(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    planted: Exception,
    status: int,
    message: str,
) -> None:
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'observed.db'}",
        secret_key="s" * 48,
        log_format="json",
    )
    app = create_app(settings)
    lines = _Lines()
    logger = logging.getLogger("promptcrafter")
    logger.addHandler(lines)

    async def scenario() -> tuple[httpx.Response, httpx.Response]:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://obs") as http:
                signup = {"name": "O", "email": "obs@example.com", "password": "p" * 12}
                token = (await http.post("/auth/signup", json=signup)).json()["token"]
                auth = {"Authorization": f"Bearer {token}"}
                made = await http.post(
                    "/prompts",
                    json={"title": "Tea time", "content": "c", "model": "m"},
                    headers=auth,
                )
                assert made.status_code == 201
                path = f"/prompts/{made.json()['_id']}"
                fine = await http.get(path, headers={**auth, "X-Request-ID": "fine-1"})

                async def failing(*_: object) -> None:
                    raise planted

                monkeypatch.setattr(prompts, "get", failing)
                failed = await http.get(path, headers={**auth, "X-Request-ID": "failed-2"})
                return fine, failed

    try:
        fine, failed = asyncio.run(scenario())
    finally:
        logger.removeHandler(lines)
    assert (fine.status_code, fine.headers["x-request-id"]) == (200, "fine-1")
    assert (failed.status_code, failed.headers["x-request-id"]) == (status, "failed-2")
    records = [line for line in lines.lines if line["logger"] == "promptcrafter"]
    assert [(r["message"], r["request_id"]) for r in records] == [(message, "failed-2")]

"""The harness itself: Playwright's session must not break the rest of the suite."""

from __future__ import annotations

import asyncio

from playwright.sync_api import Page


def test_a_browser_test_runs(page: Page) -> None:
    response = page.goto("/health")
    assert response is not None and response.status == 200
    assert '"status":"ok"' in page.content()


def test_asyncio_run_works_while_the_browser_is_open(_playwright_session: object) -> None:
    # The PostgreSQL fixtures call asyncio.run(); Playwright's sync API would otherwise leave
    # its loop marked as running between browser tests (conftest.py).
    async def answer() -> int:
        await asyncio.sleep(0)
        return 42

    assert asyncio.run(answer()) == 42

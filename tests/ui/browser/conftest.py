"""Browser tests: Debian's chromium driven by Playwright's sync API.

One Playwright and one browser for the whole run (starting them costs about a second), a
fresh context and page per test, and a real ``promptcrafter serve`` on SQLite for the pages.
Without chromium these tests skip, except with ``CI=true``, where they fail.

Playwright's sync API runs its event loop in a greenlet and leaves that loop marked as the
thread's running loop between its calls. Any other test that calls ``asyncio.run()`` (the
PostgreSQL fixtures do) would then fail with "cannot be called from a running event loop".
So the mark is put back only while a browser test runs, and taken away after it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests.support.databases import fresh_database
from tests.support.server import ServerProcess
from tests.ui.browser.support import CHROMIUM, CHROMIUM_ARGS, VIEWPORT, missing

# Long enough for a slow CI box, short enough that a missing element fails in seconds.
TIMEOUT_MS = 10_000


class _Session:
    def __init__(self) -> None:
        if not CHROMIUM.exists():
            missing(f"Debian's chromium is not installed ({CHROMIUM} is missing)")
        self.manager = sync_playwright()
        self.playwright: Playwright = self.manager.start()
        self.loop: asyncio.AbstractEventLoop = self.manager._loop
        try:
            self.browser: Browser = self.playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
            )
        except Exception:
            self.playwright.stop()
            raise
        self.pause()

    def resume(self) -> None:
        asyncio._set_running_loop(self.loop)

    def pause(self) -> None:
        asyncio._set_running_loop(None)

    def close(self) -> None:
        self.resume()
        try:
            self.browser.close()
        finally:
            self.playwright.stop()
            self.pause()


@pytest.fixture(scope="session")
def _playwright_session() -> Iterator[_Session]:
    session = _Session()
    yield session
    session.close()


@pytest.fixture
def browser(_playwright_session: _Session) -> Iterator[Browser]:
    """The shared Chromium, usable for the length of one test. Ask for it after any fixture
    of yours that calls ``asyncio.run()``: from here on the loop is marked running."""
    _playwright_session.resume()
    try:
        yield _playwright_session.browser
    finally:
        _playwright_session.pause()


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The real server on a fresh SQLite file, rate limits off, for the browser tests."""
    directory = tmp_path_factory.mktemp("ui-server")
    with fresh_database("sqlite", directory) as url, ServerProcess(url, directory) as server:
        yield server


def _context(browser: Browser, server: ServerProcess, **options: Any) -> BrowserContext:
    context = browser.new_context(base_url=server.base_url, viewport=VIEWPORT, **options)
    context.set_default_timeout(TIMEOUT_MS)
    return context


@pytest.fixture
def context(ui_server: ServerProcess, browser: Browser) -> Iterator[BrowserContext]:
    """A fresh browser profile (no cookies) whose relative URLs go to ``ui_server``."""
    ctx = _context(browser, ui_server)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


@pytest.fixture
def js_disabled_page(ui_server: ServerProcess, browser: Browser) -> Iterator[Page]:
    """A page in a profile of its own with JavaScript off: the plain-forms path."""
    ctx = _context(browser, ui_server, java_script_enabled=False)
    yield ctx.new_page()
    ctx.close()

"""HTML-level UI tests run against the real server on both engines (``live_server``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.browser import UiClient, ui_client
from tests.support.server import ServerProcess


@pytest.fixture
def anonymous(live_server: ServerProcess) -> Iterator[UiClient]:
    """A browser with no session yet."""
    browser = ui_client(live_server.base_url)
    with browser.client:
        yield browser


@pytest.fixture
def ui_browser(live_server: ServerProcess) -> Iterator[UiClient]:
    """A browser logged in as a new user (signed up through the form)."""
    browser = ui_client(live_server.base_url)
    with browser.client:
        yield browser.sign_up()

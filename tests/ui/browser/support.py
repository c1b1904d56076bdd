"""What every browser test shares: where Chromium and axe-core live, how a missing one is
reported, and the screenshot helper."""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

import pytest
from playwright.sync_api import Page

from tests.support.databases import in_ci

ROOT = Path(__file__).resolve().parents[3]
# Debian's package (the Makefile installs it); Playwright downloads no browser of its own.
CHROMIUM = Path("/usr/bin/chromium")
# A devDependency in frontend/package-lock.json (`make test` installs it).
AXE_JS = ROOT / "frontend" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # we run as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Nothing but the pages under test may reach the network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}


def missing(what: str) -> NoReturn:
    """Skip a browser test whose tools are absent; with CI=true, fail it instead: CI must
    run the browser tests, not quietly pass without them."""
    message = f"{what}; `make test` installs it"
    if in_ci():
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(message)


def shot(page: Page, name: str) -> Path:
    """A full-page PNG of what the page shows now, as docs/screenshots/<name>.png (the README
    links these)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path

"""Fixtures of the CLI tests: a CLI user with its own config directory, and an account."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.cli import CLI, PASSWORD, make_cli, unique_email

from promptcrafter.client import PromptCrafterClient


@pytest.fixture
def cli(tmp_path: Path, live_server: Any) -> CLI:
    return make_cli(tmp_path, live_server.base_url, "alice")


@pytest.fixture
def account(live_server: Any) -> Iterator[tuple[str, PromptCrafterClient]]:
    """A fresh account made through the SDK, with a client to inspect what is stored."""
    email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as client:
        client.signup("Alice", email, PASSWORD)
        yield email, client

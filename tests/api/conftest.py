"""Module-wide helpers for the API tests: one client per module and engine.

Accounts made through ``module_api`` live for a whole test module, so tables of cases that
never change state can share them instead of paying for a signup (an argon2 hash) each.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from tests.support.api import Api
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def module_api(live_server: ServerProcess) -> Iterator[Api]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield Api(client=http, engine=live_server.engine)

"""Shared fixtures: a real server per engine, started once per test session.

PostgreSQL tests run against ``PROMPTCRAFTER_TEST_POSTGRES_URL`` (default: the local server).
Outside CI an unreachable PostgreSQL skips them; with ``CI=true`` it fails the run.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.api import Api
from tests.support.databases import ENGINES, fresh_database, in_ci, postgres_problem
from tests.support.server import ServerProcess

_postgres_problem: str | None = None


def pytest_sessionstart(session: pytest.Session) -> None:
    global _postgres_problem
    _postgres_problem = postgres_problem()
    if _postgres_problem and in_ci():
        pytest.exit(
            f"CI=true and PostgreSQL is unreachable ({_postgres_problem}); "
            "the PostgreSQL tests must run in CI",
            returncode=1,
        )


def require_engine(engine: str) -> None:
    if engine == "postgresql" and _postgres_problem:
        pytest.skip(f"PostgreSQL unreachable: {_postgres_problem}")


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    require_engine(name)
    return name


@pytest.fixture(scope="session")
def live_server(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The real ``promptcrafter serve`` on a fresh database, rate limits off."""
    directory = tmp_path_factory.mktemp(f"server-{engine}")
    with fresh_database(engine, directory) as url, ServerProcess(url, directory) as server:
        yield server


@pytest.fixture
def client(live_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        yield http


@pytest.fixture
def api(client: httpx.Client, live_server: ServerProcess) -> Api:
    return Api(client=client, engine=live_server.engine)

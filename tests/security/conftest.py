"""Servers for the security tests: a shared two-worker server, and made-to-order ones.

``two_workers`` (one per engine and session) runs with rate limits off and debug logging, so
its log file shows everything the server would ever write. ``servers`` starts servers with
custom settings on fresh databases and stops them when the test ends.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.api import Api
from tests.support.databases import fresh_database, in_ci
from tests.support.server import ServerProcess

REDIS_URL = os.environ.get("PROMPTCRAFTER_TEST_REDIS_URL", "redis://127.0.0.1:6379")


class Servers:
    def __init__(self, engine: str, directory: Path, stack: ExitStack) -> None:
        self.engine = engine
        self.directory = directory
        self._stack = stack

    def fresh_url(self) -> str:
        return self._stack.enter_context(fresh_database(self.engine, self.directory))

    def start(
        self, env: dict[str, str] | None = None, *, workers: int = 1, url: str | None = None
    ) -> ServerProcess:
        server = ServerProcess(url or self.fresh_url(), self.directory, workers=workers, env=env)
        self._stack.callback(server.stop)
        return server.start()


@pytest.fixture
def servers(engine: str, tmp_path: Path) -> Iterator[Servers]:
    with ExitStack() as stack:
        yield Servers(engine, tmp_path, stack)


@pytest.fixture(scope="session")
def two_workers(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"security-{engine}")
    env = {"PROMPTCRAFTER_LOG_LEVEL": "debug"}
    with (
        fresh_database(engine, directory) as url,
        ServerProcess(url, directory, workers=2, env=env) as server,
    ):
        yield server


@pytest.fixture
def http(two_workers: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=two_workers.base_url, timeout=30) as client:
        yield client


@pytest.fixture
def api2(http: httpx.Client, two_workers: ServerProcess) -> Api:
    return Api(client=http, engine=two_workers.engine)


@pytest.fixture(scope="session")
def redis_db() -> Iterator[tuple[str, redis.Redis]]:
    """A Redis database (a random index 1-15) and a client on it; unreachable Redis skips
    outside CI and fails in CI, like PostgreSQL."""
    url = f"{REDIS_URL}/{random.randint(1, 15)}"
    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if in_ci():
            pytest.fail(f"CI=true and Redis at {REDIS_URL} is unreachable: {exc}")
        pytest.skip(f"Redis unreachable: {exc}")
    yield url, client
    client.close()

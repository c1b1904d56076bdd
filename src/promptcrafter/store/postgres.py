"""PostgreSQL through an asyncpg pool.

A single-statement write runs as its own implicit transaction: one round trip instead of the
three an explicit BEGIN/COMMIT costs. Lost connections (a restarted server) surface as
``DatabaseUnavailable``; the pool replaces broken connections on the next acquire.

A write that PostgreSQL chose as a deadlock's victim was rolled back whole, so it runs again
(``_ATTEMPTS`` times in all): deleting an account cascades over its prompts in one order while
a label change holds one of them, and neither request is wrong to ask.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Sequence
from typing import Any

import asyncpg

from promptcrafter.store.database import (
    DatabaseUnavailable,
    ForeignKeyViolation,
    Params,
    Query,
    Row,
    Statement,
    StoreError,
    UniqueViolation,
)

_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.InterfaceError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
)


# A deadlock's victim or a serialization failure: the transaction was rolled back and may run
# again as it was.
_RETRIED: tuple[type[BaseException], ...] = (
    asyncpg.DeadlockDetectedError,
    asyncpg.SerializationError,
)
_ATTEMPTS = 4


def translate(exc: BaseException) -> StoreError:
    if isinstance(exc, asyncpg.UniqueViolationError):
        return UniqueViolation(str(exc))
    if isinstance(exc, asyncpg.ForeignKeyViolationError):
        return ForeignKeyViolation(str(exc))
    if isinstance(exc, _UNAVAILABLE):
        return DatabaseUnavailable(str(exc) or type(exc).__name__)
    return StoreError(str(exc))


def asyncpg_dsn(url: str) -> str:
    scheme, rest = url.split("://", 1)
    return "postgresql://" + rest if scheme.startswith("postgres") else url


async def _keep_session(connection: Any) -> None:
    """What the pools do to a connection handed back: nothing more than asyncpg's own
    rollback of a transaction left open (it runs before this, without a round trip when none
    is). asyncpg's default reset sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *;
    RESET ALL`` after every use, a second round trip and statement for each one of ours, while
    nothing here changes session state: no SET, LISTEN, session advisory lock or cursor
    outlives its statement (tests/store/test_postgres_pool.py). Skipping it, wrk with 32
    connections on 2 cores: GET /prompts/{id} 2,600-2,650 -> 3,700-3,850 req/s, POST /logs
    1,550-2,070 -> 2,170-2,710 (2026-12-02, same run)."""


async def _create_pool(url: str, size: int, server_settings: dict[str, str]) -> Any:
    return await asyncpg.create_pool(
        asyncpg_dsn(url),
        min_size=1,
        max_size=size,
        command_timeout=30,
        max_inactive_connection_lifetime=300,
        server_settings=server_settings,
        reset=_keep_session,
    )


SETTINGS = {"jit": "off", "application_name": "promptcrafter"}
# Statements that may read many rows (search) plan with their actual parameters, never a
# cached generic plan that cannot see the pattern, and with filters priced as what they are
# here: LIKE over kilobytes of text, not one cheap comparison. With the defaults the planner
# prefers scanning a few thousand rows to the search index.
SCAN_SETTINGS = {**SETTINGS, "plan_cache_mode": "force_custom_plan", "cpu_operator_cost": "0.05"}


class PostgresDatabase:
    engine = "postgresql"

    def __init__(self, pool: Any, scan_pool: Any) -> None:
        self._pool = pool
        self._scan_pool = scan_pool

    @classmethod
    async def open(cls, url: str, pool_size: int) -> PostgresDatabase:
        pool = await _create_pool(url, pool_size, SETTINGS)
        scan_pool = await _create_pool(url, pool_size, SCAN_SETTINGS)
        return cls(pool, scan_pool)

    async def fetch_one(self, query: Query, params: Params) -> Row | None:
        try:
            row: Row | None = await self._pool.fetchrow(query.postgresql, *query.pg_args(params))
        except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
            raise translate(exc) from exc
        return row

    async def fetch_all(self, query: Query, params: Params, *, slow: bool = False) -> list[Row]:
        pool = self._scan_pool if slow else self._pool
        try:
            rows: list[Row] = await pool.fetch(query.postgresql, *query.pg_args(params))
        except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
            raise translate(exc) from exc
        return rows

    async def write(self, statements: Sequence[Statement]) -> list[list[Row]]:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                return await self._write_once(statements)
            except _RETRIED as exc:
                if attempt == _ATTEMPTS:
                    raise translate(exc) from exc
                # Apart, or the same two would meet again: a few milliseconds, growing.
                await asyncio.sleep(random.uniform(0, 0.005 * attempt))
            except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
                raise translate(exc) from exc
        raise AssertionError("unreachable")

    async def _write_once(self, statements: Sequence[Statement]) -> list[list[Row]]:
        if len(statements) == 1:
            query, params = statements[0]
            return [await self._pool.fetch(query.postgresql, *query.pg_args(params))]
        async with self._pool.acquire() as conn, conn.transaction():
            return [await conn.fetch(q.postgresql, *q.pg_args(p)) for q, p in statements]

    async def ping(self) -> bool:
        try:
            await self._pool.fetchval("SELECT 1", timeout=2)
        except (asyncpg.PostgresError, *_UNAVAILABLE):
            return False
        return True

    def stats(self) -> dict[str, float]:
        stats: dict[str, float] = {}
        for name, pool in (("main", self._pool), ("scan", self._scan_pool)):
            stats[f"{name}_size"] = pool.get_size()
            stats[f"{name}_idle"] = pool.get_idle_size()
        return stats

    async def close(self) -> None:
        await self._pool.close()
        await self._scan_pool.close()

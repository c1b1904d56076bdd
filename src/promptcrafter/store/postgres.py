"""PostgreSQL through an asyncpg pool.

A single-statement write runs as its own implicit transaction: one round trip instead of the
three an explicit BEGIN/COMMIT costs. Lost connections (a restarted server) surface as
``DatabaseUnavailable``; the pool replaces broken connections on the next acquire.
"""

from __future__ import annotations

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


class PostgresDatabase:
    engine = "postgresql"

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    @classmethod
    async def open(cls, url: str, pool_size: int) -> PostgresDatabase:
        pool = await asyncpg.create_pool(
            asyncpg_dsn(url),
            min_size=1,
            max_size=pool_size,
            command_timeout=30,
            max_inactive_connection_lifetime=300,
            server_settings={"jit": "off", "application_name": "promptcrafter"},
        )
        return cls(pool)

    async def fetch_one(self, query: Query, params: Params) -> Row | None:
        try:
            row: Row | None = await self._pool.fetchrow(query.postgresql, *query.pg_args(params))
        except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
            raise translate(exc) from exc
        return row

    async def fetch_all(self, query: Query, params: Params, *, slow: bool = False) -> list[Row]:
        try:
            rows: list[Row] = await self._pool.fetch(query.postgresql, *query.pg_args(params))
        except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
            raise translate(exc) from exc
        return rows

    async def write(self, statements: Sequence[Statement]) -> list[list[Row]]:
        try:
            if len(statements) == 1:
                query, params = statements[0]
                return [await self._pool.fetch(query.postgresql, *query.pg_args(params))]
            async with self._pool.acquire() as conn, conn.transaction():
                return [await conn.fetch(q.postgresql, *q.pg_args(p)) for q, p in statements]
        except (asyncpg.PostgresError, *_UNAVAILABLE) as exc:
            raise translate(exc) from exc

    async def ping(self) -> bool:
        try:
            await self._pool.fetchval("SELECT 1", timeout=2)
        except (asyncpg.PostgresError, *_UNAVAILABLE):
            return False
        return True

    async def close(self) -> None:
        await self._pool.close()

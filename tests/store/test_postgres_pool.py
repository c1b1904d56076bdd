"""PostgreSQL pools: a connection goes back without asyncpg's reset statement.

asyncpg's default sends ``SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``
each time a connection is released: one more round trip and statement for every statement of
ours. The pools skip it (store/postgres.py); these tests read, from another connection, what
each pool connection ran last, and check that a failed transaction leaves the connection
clean for the next statement.
"""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from tests.conftest import require_engine
from tests.support.databases import fresh_postgres

from promptcrafter.store.database import StoreError, sql
from promptcrafter.store.postgres import PostgresDatabase

MARKER = "SELECT 4242 AS pool_marker"
LAST_QUERIES = (
    "SELECT query FROM pg_stat_activity "
    "WHERE datname = current_database() AND application_name = 'promptcrafter'"
)


def test_a_released_connection_last_ran_our_statement_not_a_reset() -> None:
    require_engine("postgresql")
    with fresh_postgres() as url:

        async def go() -> list[str]:
            db = await PostgresDatabase.open(url, 1)
            try:
                for _ in range(3):
                    row = await db.fetch_one(sql(MARKER), {})
                    assert row is not None and row[0] == 4242
                observer = await asyncpg.connect(url)
                try:
                    return [r["query"] for r in await observer.fetch(LAST_QUERIES)]
                finally:
                    await observer.close()
            finally:
                await db.close()

        queries = asyncio.run(go())
    assert MARKER in queries
    assert not any("RESET ALL" in query for query in queries), queries


def test_a_failed_write_leaves_no_transaction_behind() -> None:
    require_engine("postgresql")
    with fresh_postgres() as url:

        async def go() -> object:
            db = await PostgresDatabase.open(url, 1)
            try:
                create = sql("CREATE TABLE t (n integer PRIMARY KEY)")
                await db.write([(create, {})])
                insert = sql("INSERT INTO t VALUES (:n)")
                with pytest.raises(StoreError):
                    # The second row breaks the key: the transaction fails as a whole.
                    await db.write([(insert, {"n": 1}), (insert, {"n": 1})])
                # The one pooled connection is clean: in an aborted transaction this read
                # would fail, and in one left open it would see the first row.
                count = await db.fetch_one(sql("SELECT count(*) FROM t"), {})
                return count[0] if count else None
            finally:
                await db.close()

        assert asyncio.run(go()) == 0


def test_a_deadlocked_write_runs_again_and_is_kept() -> None:
    # PostgreSQL ends a deadlock by rolling back one side: the server's side is made the
    # victim here (the other waits ten seconds before it looks), and its write must run
    # again once the other side is through, not come back as a 503.
    require_engine("postgresql")
    with fresh_postgres() as url:

        async def go() -> list[tuple[int, str]]:
            db = await PostgresDatabase.open(url, 2)
            other = await asyncpg.connect(url, server_settings={"deadlock_timeout": "10s"})
            try:
                setup = "CREATE TABLE t (n integer PRIMARY KEY, who text)"
                await db.write([(sql(setup), {})])
                await db.write([(sql("INSERT INTO t VALUES (1, ''), (2, '')"), {})])
                takes_one = sql("UPDATE t SET who = 'server' WHERE n = 1")
                waits_for_two = sql("UPDATE t SET who = who || '+server' WHERE n = 2")
                async with other.transaction():
                    await other.execute("UPDATE t SET who = 'other' WHERE n = 2")
                    server = asyncio.create_task(db.write([(takes_one, {}), (waits_for_two, {})]))
                    await asyncio.sleep(0.3)  # the server holds row 1, waits for row 2
                    # Row 1 closes the circle; PostgreSQL rolls the server's side back.
                    await other.execute("UPDATE t SET who = who || '+other' WHERE n = 1")
                await server
                rows = await other.fetch("SELECT n, who FROM t ORDER BY n")
                return [(row["n"], row["who"]) for row in rows]
            finally:
                await other.close()
                await db.close()

        rows = asyncio.run(go())
    # The other side committed first; the server's write ran again after it, whole.
    assert rows == [(1, "server"), (2, "other+server")]

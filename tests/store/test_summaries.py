"""store.summaries on real databases of both engines: counts, means of scored logs only,
the owner check, and the index the statement reads."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import require_engine
from tests.support.databases import ENGINES, fresh_database
from tests.support.server import TEST_SECRET

from promptcrafter.config import Settings
from promptcrafter.store import logs, migrate, prompts, users
from promptcrafter.store.database import Database, Query
from promptcrafter.store.engine import open_database
from promptcrafter.store.summaries import _SUMMARIES, Summary, log_summaries


@pytest.fixture(params=ENGINES)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    require_engine(request.param)
    with fresh_database(request.param, tmp_path) as url:
        settings = Settings(database_url=url, secret_key=TEST_SECRET)
        migrate.upgrade(settings)
        yield settings


async def _scenario(db: Database) -> None:
    ada = (await users.create(db, "Ada", "ada@example.com", "x")).id
    bob = (await users.create(db, "Bob", "bob@example.com", "x")).id
    scored = (await prompts.create(db, ada, "Scored", "text", "m", []))[prompts.ID]
    unscored = (await prompts.create(db, ada, "Unscored", "text", "m", []))[prompts.ID]
    empty = (await prompts.create(db, ada, "Empty", "text", "m", []))[prompts.ID]
    theirs = (await prompts.create(db, bob, "Theirs", "text", "m", []))[prompts.ID]
    for score in (4, 7, None, 10):
        await logs.create(db, ada, scored, "o", "m", None, score)
    await logs.create(db, ada, unscored, "o", "m", None, None)
    await logs.create(db, bob, theirs, "o", "m", None, 9)

    asked = [scored, unscored, empty, theirs, "p_missing", scored]
    assert await log_summaries(db, ada, asked) == {
        scored: Summary(4, 7.0),
        unscored: Summary(1, None),
        empty: Summary(0, None),
    }
    assert await log_summaries(db, bob, asked) == {theirs: Summary(1, 9.0)}
    assert await log_summaries(db, ada, []) == {}


async def _plan(db: Database, engine: str) -> str:
    params = {"owner": "u", "ids": '["a", "b"]'}
    if engine == "sqlite":
        rows = await db.fetch_all(
            Query(sqlite="EXPLAIN QUERY PLAN " + _SUMMARIES.sqlite, postgresql=""),
            params,
        )
        return "\n".join(str(row[-1]) for row in rows)
    explain = Query(
        sqlite="", postgresql="EXPLAIN " + _SUMMARIES.postgresql, pg_names=_SUMMARIES.pg_names
    )
    # Without this a near-empty table is read whole, which says nothing about the indexes;
    # SET LOCAL and EXPLAIN share one transaction, so one connection.
    no_seqscan = Query(sqlite="", postgresql="SET LOCAL enable_seqscan = off")
    _, rows = await db.write([(no_seqscan, {}), (explain, params)])
    return "\n".join(str(row[0]) for row in rows)


def test_counts_means_and_owner_check(settings: Settings) -> None:
    async def run() -> None:
        db = await open_database(settings)
        try:
            await _scenario(db)
        finally:
            await db.close()

    asyncio.run(run())


def test_the_logs_are_read_from_the_statistics_index(settings: Settings) -> None:
    async def run() -> str:
        db = await open_database(settings)
        try:
            return await _plan(db, settings.engine)
        finally:
            await db.close()

    plan = asyncio.run(run())
    assert "ix_logs_prompt_stats" in plan, plan

"""Open the configured engine."""

from __future__ import annotations

from promptcrafter.config import Settings
from promptcrafter.store.database import Database


async def open_database(settings: Settings) -> Database:
    if settings.engine == "sqlite":
        from promptcrafter.store.sqlite import SQLiteDatabase

        return SQLiteDatabase(settings.sqlite_path)
    from promptcrafter.store.postgres import PostgresDatabase

    return await PostgresDatabase.open(settings.database_url, settings.database_pool_size)

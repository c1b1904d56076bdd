"""Bring a database to the newest schema, safely when several processes start at once."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config

from promptcrafter.config import Settings
from promptcrafter.store import locks

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", _sqlalchemy_url(database_url).replace("%", "%%"))
    return config


def _sqlalchemy_url(database_url: str) -> str:
    scheme, rest = database_url.split("://", 1)
    if scheme.split("+", 1)[0] in ("postgresql", "postgres"):
        return "postgresql+asyncpg://" + rest
    return database_url


def upgrade(settings: Settings, revision: str = "head") -> None:
    """Migrate to ``revision``. PostgreSQL serialises through an advisory lock (see env.py);
    SQLite through an exclusive lock on a file beside the database."""
    config = alembic_config(settings.database_url)
    if settings.engine != "sqlite":
        command.upgrade(config, revision)
        return
    path = settings.sqlite_path
    with locks.migration_lock(path):
        # WAL is a property of the file: set it once, before anyone else connects.
        with closing(sqlite3.connect(path)) as conn:
            conn.execute("PRAGMA journal_mode = WAL")
        # A server may already be running on this file (a second serve started beside it):
        # the migration waits for the write turn like its writers, not on a busy timeout.
        turn = locks.WriteTurn(path)
        turn.take()
        try:
            command.upgrade(config, revision)
        finally:
            turn.give_back()
            turn.close()

"""Bring a database to the newest schema, safely when several processes start at once."""

from __future__ import annotations

import logging
import os
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

from alembic import command
from alembic.config import Config

from promptcrafter.config import Settings
from promptcrafter.store import locks

MIGRATIONS = Path(__file__).with_name("migrations")
# SQLite gives a database's -wal, -shm and -journal files the mode of the database itself.
_COMPANIONS = ("", "-wal", "-shm", "-journal")
log = logging.getLogger("promptcrafter.store")


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
        keep_private(path)
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


def keep_private(path: Path) -> None:
    """Make the database file readable by its owner alone, as the key beside it is: created
    with mode 0600 (SQLite would make it 0644 under the usual umask, letting every local
    user read every account's prompts and password hashes), and an existing one open to
    others is narrowed, with a warning."""
    try:
        os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600))
        return
    except FileExistsError:
        pass
    for suffix in _COMPANIONS:
        file = path.with_name(path.name + suffix)
        try:
            found = file.stat()
            mode = found.st_mode & 0o777
            # Only files: a directory of that name is SQLite's to refuse, not ours to chmod.
            if stat.S_ISREG(found.st_mode) and mode & 0o077:
                os.chmod(file, mode & 0o700)
                log.warning(
                    "%s was open to other users (mode %o); now %o", file, mode, mode & 0o700
                )
        except FileNotFoundError:
            continue
        except PermissionError:  # another user's file: serving goes on, the operator is told
            log.warning("%s is open to other users and not ours to narrow; chmod 600 it", file)

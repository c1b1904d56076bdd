"""restore checks that a SQLite backup's schema is one this release can start on.

A review (2026-12-08) restored a backup whose schema version was unknown (a newer release's)
and one that had lost its prompt_versions table: both exited 0, and then serve stopped with a
traceback at its migration, or PATCH answered 503 one request at a time.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from alembic import command
from tests.cli.test_cli_backup import promptcrafter
from tests.support.server import ServerProcess

from promptcrafter.store.migrate import alembic_config


def _database(path: Path, revision: str = "head") -> Path:
    command.upgrade(alembic_config(f"sqlite:///{path}"), revision)
    return path


def _restore(backup: Path, target: Path) -> tuple[int, str]:
    done = promptcrafter("restore", str(backup), "--database-url", f"sqlite:///{target}")
    return done.returncode, done.stderr


def test_a_backup_of_an_unknown_schema_version_is_refused(tmp_path: Path) -> None:
    backup = _database(tmp_path / "future.db")
    with closing(sqlite3.connect(backup)) as conn, conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_future'")
    target = tmp_path / "target.db"
    code, stderr = _restore(backup, target)
    assert code == 1, stderr
    assert "schema version 9999_future, which this release of PromptCrafter" in stderr
    assert "nothing restored" in stderr
    assert not target.exists()


def test_a_backup_missing_a_table_or_trigger_of_its_version_is_refused(tmp_path: Path) -> None:
    backup = _database(tmp_path / "damaged.db")
    with closing(sqlite3.connect(backup)) as conn, conn:
        conn.execute("DROP TABLE prompt_versions")
        conn.execute("DROP TRIGGER prompts_search_update")
    target = tmp_path / "target.db"
    code, stderr = _restore(backup, target)
    assert code == 1, stderr
    assert "(table prompt_versions, trigger prompts_search_update)" in stderr
    assert not target.exists()


def test_a_whole_backup_of_an_older_version_restores_and_serves(tmp_path: Path) -> None:
    # Before the registry (0007): restored as it is, and migrated when a server starts on it.
    backup = _database(tmp_path / "old.db", "0006")
    target = tmp_path / "target.db"
    code, stderr = _restore(backup, target)
    assert code == 0, stderr
    with ServerProcess(f"sqlite:///{target}", tmp_path, secret=None) as server:
        assert server.process is not None and server.process.poll() is None
    with closing(sqlite3.connect(target)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "prompt_versions" in tables

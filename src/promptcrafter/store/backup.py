"""Backups of a SQLite database, taken while the server runs, and putting one back.

A backup is SQLite's online backup run in one step: it reads one snapshot (a WAL read
transaction), so writes go on meanwhile and the copy holds exactly the commits before it
began. The copy is turned into a self-contained rollback-journal file (no ``-wal`` beside it),
checked with ``PRAGMA integrity_check`` and only then moved to its name. Every file written
here is created with mode 0600 and made durable before it is renamed into place.

PostgreSQL's counterpart (``pg_dump``/``pg_restore``) is in ``store/pg_backup.py``.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

from promptcrafter.store import locks
from promptcrafter.store.sqlite import BUSY_TIMEOUT_MS

# Files whose presence beside a database belongs to that database.
_COMPANIONS = ("-wal", "-shm", "-journal")
# Every file a database owns: a backup written over one of them would break it (over a lock
# file, a new inode that no server holds, so restore would no longer see a running server).
_OWN_FILES = (*_COMPANIONS, ".secret", *locks.LOCK_FILES)
# What every PromptCrafter database holds, from the first migration on.
_CORE_TABLES = frozenset({"alembic_version", "users", "prompts", "logs"})


class BackupError(Exception):
    """A backup or restore that was refused or failed; the message says why, in a sentence."""


def secret_file(db_path: Path) -> Path:
    """Where the generated signing key of a SQLite database lives (see ``config.py``)."""
    return locks.beside(db_path, ".secret")


def backup_sqlite(db_path: Path, dest: Path) -> None:
    """Copy the database at ``db_path`` to ``dest`` (replacing it) while others write."""
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path}.")
    _check_destination(dest)
    if _same_file(dest, db_path) or any(
        _same_file(dest, locks.beside(db_path, suffix)) for suffix in _OWN_FILES
    ):
        raise BackupError(f"{dest} is the database itself or one of its files; choose another.")
    try:
        with closing(_connect(db_path)) as source:
            source.execute("PRAGMA query_only = ON")
            with staged(dest) as tmp:
                _copy(source, tmp)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"Cannot copy {db_path}: {exc}.") from None


def restore_sqlite(
    backup: Path, db_path: Path, *, force: bool = False, secret: Path | None = None
) -> None:
    """Put ``backup`` (and the key in ``secret``, if given) in place of the database at
    ``db_path``. Refused while a server runs on it, and when it would replace an existing
    database or key unless ``force``."""
    if not backup.is_file():
        raise BackupError(f"There is no backup at {backup}.")
    if secret is not None and not secret.is_file():
        raise BackupError(f"There is no secret key file at {secret}.")
    _check_destination(db_path)
    try:
        _restore(backup, db_path, force=force, secret=secret)
    except sqlite3.DatabaseError as exc:
        # Not a SQLite file, or one damaged beyond what integrity_check can report.
        raise BackupError(f"{backup} cannot be read as a SQLite database: {exc}.") from None


def _restore(backup: Path, db_path: Path, *, force: bool, secret: Path | None) -> None:
    with closing(_connect(backup)) as source:
        source.execute("PRAGMA query_only = ON")
        problems = _integrity(source)
        if problems:
            raise BackupError(f"{backup} fails the integrity check: {problems[0]}")
        _check_is_ours(source, backup)
        try:
            with locks.no_server(db_path):
                _refuse_to_replace(db_path, secret, force=force)
                with staged(db_path) as tmp:
                    _copy(source, tmp)
                    # A -wal or hot -journal left beside the old file would be replayed onto
                    # the restored one at the next open: remove them before it takes the name.
                    for suffix in _COMPANIONS:
                        locks.beside(db_path, suffix).unlink(missing_ok=True)
                if secret is not None:
                    copy_secret(secret, secret_file(db_path))
        except locks.ServerRunning:
            raise BackupError(
                f"A server is running on {db_path}; stop it before restoring."
            ) from None


def _check_destination(dest: Path) -> None:
    """Refuse a name that is no file (``""``, ``.``, ``/``) or an existing thing that is not a
    regular file: a backup renamed over a directory fails, and over a device or a FIFO (say
    ``/dev/null``) would replace it."""
    if not dest.name or dest.name in (".", ".."):
        raise BackupError(f"{str(dest) or 'An empty name'} names no file; give a file name.")
    if dest.is_symlink():
        return  # the link itself is replaced, never what it points at
    if dest.exists() and not dest.is_file():
        raise BackupError(f"{dest} exists and is not a regular file; choose another name.")


def _check_is_ours(source: sqlite3.Connection, backup: Path) -> None:
    """A readable SQLite file is not yet a PromptCrafter backup: an empty file or another
    program's database passes the integrity check, and restoring it would leave no data."""
    tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master")}
    missing = sorted(_CORE_TABLES - tables)
    version = None
    if "alembic_version" in tables:
        version = source.execute("SELECT version_num FROM alembic_version").fetchone()
    if missing or version is None:
        what = f"no {', '.join(missing)} table" if missing else "no schema version"
        raise BackupError(f"{backup} is not a PromptCrafter database ({what}); nothing restored.")
    _check_schema(source, backup, str(version[0]))


def _check_schema(source: sqlite3.Connection, backup: Path, revision: str) -> None:
    """The backup's schema must be one this release can start on: a revision it knows (a
    newer release's backup would stop ``serve`` at its migration), holding every table and
    trigger that revision has (one lost would fail its requests one by one)."""
    from alembic.script import ScriptDirectory

    from promptcrafter.store.migrate import MIGRATIONS

    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise BackupError(
            f"{backup} has schema version {revision}, which this release of PromptCrafter "
            f"does not know (a newer release made it?); nothing restored."
        )
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    try:
        expected = _schema_at(revision)
    except (CommandError, SQLAlchemyError, OSError, sqlite3.Error) as exc:
        # A Python whose SQLite lacks FTS5, or no writable temporary directory.
        raise BackupError(
            f"The schema of version {revision} could not be built to check {backup} against "
            f"({exc}); nothing restored."
        ) from None
    have = set(source.execute(_SCHEMA_OBJECTS).fetchall())
    lost = sorted(f"{kind} {name}" for kind, name in expected - have)
    if lost:
        raise BackupError(
            f"{backup} lacks what its schema version {revision} has ({', '.join(lost)}); "
            "nothing restored."
        )


_SCHEMA_OBJECTS = "SELECT type, name FROM sqlite_master WHERE type IN ('table', 'trigger')"


def _schema_at(revision: str) -> set[tuple[str, str]]:
    """The tables and triggers of a database at ``revision``: this release's migrations run
    up to it on an empty scratch file."""
    from alembic import command

    from promptcrafter.store.migrate import alembic_config

    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "schema.sqlite3"
        command.upgrade(alembic_config(f"sqlite:///{path}"), revision)
        with closing(sqlite3.connect(path)) as conn:
            return set(conn.execute(_SCHEMA_OBJECTS).fetchall())


def copy_secret(source: Path, dest: Path) -> None:
    """Copy a key file to ``dest`` (mode 0600, replacing it)."""
    key = source.read_bytes()
    with staged(dest) as tmp, open(tmp, "wb") as handle:
        handle.write(key)


def _refuse_to_replace(db_path: Path, secret: Path | None, *, force: bool) -> None:
    if force:
        return
    if db_path.exists() or any(locks.beside(db_path, s).exists() for s in _COMPANIONS):
        raise BackupError(f"{db_path} exists; add --force to replace it with the backup.")
    if secret is not None and secret_file(db_path).exists():
        raise BackupError(
            f"{secret_file(db_path)} exists; add --force to replace it with the backup's key."
        )


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    return conn


def _copy(source: sqlite3.Connection, dest: Path) -> None:
    """Copy ``source`` into the empty file ``dest`` and check the copy."""
    with closing(sqlite3.connect(dest, isolation_level=None)) as target:
        # pages=-1: the whole database in one step, hence from one snapshot. Stepwise copies
        # restart whenever another connection writes, which under load may be forever.
        source.backup(target, pages=-1)
        # One file that needs nothing beside it; the server turns WAL back on when it starts.
        target.execute("PRAGMA journal_mode = DELETE")
        problems = _integrity(target)
    if problems:
        raise BackupError(f"The copy fails the integrity check: {problems[0]}")


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return [] if [tuple(row) for row in rows] == [("ok",)] else [str(row[0]) for row in rows]


@contextmanager
def staged(dest: Path) -> Iterator[Path]:
    """A new private (0600) file beside ``dest`` to fill; on success it is flushed to disk and
    renamed over ``dest``, on failure removed. A reader of ``dest`` sees the old file or the
    complete new one, never a part."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDONLY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, dest)
        _sync_directory(dest.parent)
    finally:
        tmp.unlink(missing_ok=True)
        for suffix in _COMPANIONS:
            locks.beside(tmp, suffix).unlink(missing_ok=True)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _same_file(a: Path, b: Path) -> bool:
    return a.resolve() == b.resolve()

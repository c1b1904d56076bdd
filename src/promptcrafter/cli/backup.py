"""``promptcrafter backup`` and ``promptcrafter restore``: operator commands run on the machine
that holds the database (not through the API), SQLite file or PostgreSQL database alike."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from promptcrafter.config import DEFAULT_DATABASE_URL, ConfigError, Settings


def register(commands: Any) -> None:
    backup = commands.add_parser(
        "backup", help="copy the database to FILE while the server runs, then check the copy"
    )
    backup.add_argument("file", type=Path, metavar="FILE", help="where to write the backup")
    backup.add_argument(
        "--with-secret",
        action="store_true",
        help="SQLite: also copy the generated secret key to FILE.secret",
    )
    _database_option(backup)
    backup.set_defaults(func=run_backup)

    restore = commands.add_parser(
        "restore", help="put a backup back in place of the database (no server may be running)"
    )
    restore.add_argument("file", type=Path, metavar="FILE", help="the backup to put back")
    restore.add_argument(
        "--force", action="store_true", help="replace an existing database (and key)"
    )
    restore.add_argument(
        "--with-secret",
        action="store_true",
        help="SQLite: also put FILE.secret back as the database's secret key",
    )
    _database_option(restore)
    restore.set_defaults(func=run_restore)


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help=f"the database (default: $PROMPTCRAFTER_DATABASE_URL, else {DEFAULT_DATABASE_URL})",
    )


def _settings(args: argparse.Namespace) -> Settings:
    """The database part of the settings only. Built without validation on purpose: the
    secret key PostgreSQL servers need plays no part in copying the database."""
    url = args.database_url or os.environ.get("PROMPTCRAFTER_DATABASE_URL") or DEFAULT_DATABASE_URL
    settings = Settings.model_construct(database_url=url)
    if settings.engine not in ("sqlite", "postgresql"):
        raise ConfigError("the database URL must start with sqlite:/// or postgresql://")
    return settings


def _fail(message: str, code: int = 1) -> int:
    print(f"promptcrafter: {message}", file=sys.stderr)
    return code


def run_backup(args: argparse.Namespace) -> int:
    from promptcrafter.store import backup, pg_backup

    try:
        settings = _settings(args)
        if settings.engine == "postgresql" and args.with_secret:
            return _fail(_NO_SECRET_FILE, 2)
        if settings.engine == "postgresql":
            pg_backup.backup_postgres(settings.database_url, args.file)
            print(f"Backup written to {args.file} ({_size(args.file)}, pg_dump custom format).")
            print("Check: pg_restore --list reads the whole dump.")
            print("Keep PROMPTCRAFTER_SECRET_KEY too: tokens and API keys need it.")
            return 0
        db_path = settings.sqlite_path
        backup.backup_sqlite(db_path, args.file)
        print(f"Backup written to {args.file} ({_size(args.file)}, mode 0600).")
        print("Check: PRAGMA integrity_check says ok.")
        _report_secret(db_path, args.file, copy=args.with_secret)
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}", 2)
    except (backup.BackupError, OSError) as exc:
        return _fail(str(exc))
    return 0


_NO_SECRET_FILE = (
    "--with-secret is for SQLite; on PostgreSQL the key is PROMPTCRAFTER_SECRET_KEY, "
    "which you keep yourself"
)


def _report_secret(db_path: Path, dest: Path, *, copy: bool) -> None:
    from promptcrafter.store import backup

    key = backup.secret_file(db_path)
    if os.environ.get("PROMPTCRAFTER_SECRET_KEY"):
        # A server with this environment signs with that value, not with the key file.
        print("PROMPTCRAFTER_SECRET_KEY is set: a server started with it signs with it; keep it.")
    if not key.is_file():
        if copy:
            raise backup.BackupError(f"There is no secret key file at {key} to copy.")
        print("No generated secret key file; the key is PROMPTCRAFTER_SECRET_KEY: keep it.")
        return
    print(f"The secret key is in {key}: without it, restored login tokens stop working.")
    # Keys are kept as their SHA-256, not signed: they work wherever the file is restored.
    print("API keys in the backup keep working without it: keep the backup as private as they.")
    if copy:
        backup.copy_secret(key, _secret_of(dest))
        print(f"Secret key copied to {_secret_of(dest)} (mode 0600).")
    else:
        print(f"Add --with-secret to copy it to {_secret_of(dest)} (mode 0600).")


def _secret_of(file: Path) -> Path:
    return file.with_name(file.name + ".secret")


def run_restore(args: argparse.Namespace) -> int:
    from promptcrafter.store import backup, pg_backup

    try:
        settings = _settings(args)
        if settings.engine == "postgresql":
            if args.with_secret:
                return _fail(_NO_SECRET_FILE, 2)
            pg_backup.restore_postgres(settings.database_url, args.file, force=args.force)
            print(f"Restored {args.file} into the PostgreSQL database.")
            return 0
        db_path = settings.sqlite_path
        secret = _secret_of(args.file) if args.with_secret else None
        backup.restore_sqlite(args.file, db_path, force=args.force, secret=secret)
        print(f"Restored {args.file} to {db_path}; the server migrates it when it starts.")
        if secret is not None:
            print(f"Secret key put back in {backup.secret_file(db_path)} (mode 0600).")
    except ConfigError as exc:
        return _fail(f"configuration error: {exc}", 2)
    except (backup.BackupError, OSError) as exc:
        return _fail(str(exc))
    return 0


def _size(path: Path) -> str:
    size = float(path.stat().st_size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{int(size)} bytes" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"

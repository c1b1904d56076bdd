"""Fresh databases for each run, and the PostgreSQL queries the harness itself makes.

:class:`Database` gives each run an empty database: a file in a temporary directory for
SQLite, or ``CREATE DATABASE bench_<random>`` on the PostgreSQL server for PostgreSQL
(dropped again afterwards).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit, urlunsplit

from bench.procfs import stat_fields

PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
ENGINES = ("sqlite", "postgresql")


def _pg_connect_args(url: str) -> dict[str, object]:
    parts = urlsplit(url)
    return {
        "host": parts.hostname or "127.0.0.1",
        "port": parts.port or 5432,
        "user": parts.username or "postgres",
        "password": parts.password,
        "database": parts.path.lstrip("/") or "postgres",
    }


async def _pg_execute(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    import asyncpg

    conn = await asyncpg.connect(**_pg_connect_args(url))
    try:
        out: list[list[tuple[object, ...]]] = []
        for sql in statements:
            rows = await conn.fetch(sql)
            out.append([tuple(r) for r in rows])
        return out
    finally:
        await conn.close()


def pg_query(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """Run statements on PostgreSQL (autocommit, so CREATE/DROP DATABASE work)."""
    import asyncio

    return asyncio.run(_pg_execute(url, *statements))


async def pg_query_async(url: str, *statements: str) -> list[list[tuple[object, ...]]]:
    """:func:`pg_query` for callers already inside an event loop."""
    return await _pg_execute(url, *statements)


def pg_postmaster_pid(admin_url: str) -> int | None:
    """The local PostgreSQL server's main process (the parent of every backend), if local.
    Found as the parent of the checkpointer, which lives as long as the server does."""
    (rows,) = pg_query(
        admin_url, "SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'"
    )
    fields = stat_fields(int(str(rows[0][0]))) if rows else None
    # None: PostgreSQL runs on another host or in another pid namespace.
    return int(fields[1]) if fields else None


def pg_info(admin_url: str = PG_ADMIN_URL) -> dict[str, str]:
    """Server version and the settings that decide whether a commit is durable."""
    try:
        rows = pg_query(
            admin_url,
            "SHOW server_version",
            "SHOW synchronous_commit",
            "SHOW fsync",
            "SHOW wal_sync_method",
            "SHOW shared_buffers",
        )
    except Exception as exc:  # report, do not fail the whole run
        return {"error": f"{type(exc).__name__}: {exc}"}
    keys = ("version", "synchronous_commit", "fsync", "wal_sync_method", "shared_buffers")
    return {k: str(r[0][0]) for k, r in zip(keys, rows, strict=True)}


@dataclass
class Database:
    """A fresh, empty database for one engine; use as a context manager."""

    engine: str
    admin_url: str = PG_ADMIN_URL
    url: str = ""
    name: str = ""
    path: Path | None = None
    _tmp: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False)

    def __enter__(self) -> Database:
        if self.engine == "sqlite":
            self._tmp = tempfile.TemporaryDirectory(prefix="promptcrafter-bench-")
            self.path = Path(self._tmp.name) / "bench.db"
            self.url = f"sqlite:///{self.path}"
            self.name = str(self.path)
        elif self.engine == "postgresql":
            self.name = f"bench_{secrets.token_hex(6)}"
            pg_query(self.admin_url, f'CREATE DATABASE "{self.name}"')
            parts = urlsplit(self.admin_url)
            self.url = urlunsplit(("postgresql", parts.netloc, f"/{self.name}", "", ""))
        else:
            raise ValueError(f"unknown engine {self.engine!r}")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.engine == "postgresql" and self.name:
            # PostgreSQL may be restarting (other tests share it): retry for a while, then
            # say which database was left behind.
            deadline = time.monotonic() + 30
            while True:
                try:
                    pg_query(self.admin_url, f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
                    break
                except Exception as error:
                    if time.monotonic() > deadline:
                        print(
                            f"bench: could not drop database {self.name}: {error}",
                            file=sys.stderr,
                        )
                        break
                    time.sleep(1)
        if self._tmp is not None:
            self._tmp.cleanup()

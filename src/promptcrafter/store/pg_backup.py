"""Backups of a PostgreSQL database with PostgreSQL's own tools, ``pg_dump`` and ``pg_restore``.

The password of the URL goes to the tools in ``PGPASSWORD``, never on their command line,
where any user of the machine could read it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from promptcrafter.store.backup import BackupError, staged

INSTALL_HINT = (
    "install the PostgreSQL client tools (the server's major version or newer), "
    "for example `apt-get install postgresql-client` on Debian or Ubuntu, "
    "`dnf install postgresql` on Fedora, or `brew install libpq` on macOS"
)


def tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} was not found on PATH; {INSTALL_HINT}.")
    return found


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that carries it instead."""
    parts = urlsplit(url)
    scheme = "postgresql"
    env = dict(os.environ)
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        userinfo, host = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{host}"
    return urlunsplit((scheme, netloc, parts.path, parts.query, parts.fragment)), env


def backup_postgres(url: str, dest: Path) -> None:
    """``pg_dump --format=custom`` of the database into ``dest`` (mode 0600), then read back
    with ``pg_restore --list`` to be sure the dump is whole."""
    pg_dump, pg_restore = tool("pg_dump"), tool("pg_restore")
    dsn, env = _libpq(url)
    with staged(dest) as tmp:
        with open(tmp, "wb") as out:
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-password", f"--dbname={dsn}"],
                stdout=out,
                stderr=subprocess.PIPE,
                env=env,
                check=False,
            )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {_why(done)}")
        listed = subprocess.run(
            [pg_restore, "--list", str(tmp)], capture_output=True, env=env, check=False
        )
        if listed.returncode != 0:
            raise BackupError(f"pg_restore cannot read the dump: {_why(listed)}")


def _why(done: subprocess.CompletedProcess[bytes]) -> str:
    """What a failed tool said, or how it ended when it said nothing (a crash says nothing:
    pg_restore fed a damaged dump died of a segmentation fault)."""
    said = done.stderr.decode(errors="replace").strip() if done.stderr else ""
    if said:
        return said
    if done.returncode < 0:
        try:
            name = signal.Signals(-done.returncode).name
        except ValueError:
            name = f"signal {-done.returncode}"
        return f"it was killed by {name} and said nothing; the file may be damaged"
    return f"it exited with status {done.returncode} and said nothing"


def restore_postgres(url: str, backup: Path, *, force: bool = False) -> None:
    """``pg_restore`` a custom-format dump into the database, replacing what is there
    (``--force`` needed when it holds tables). Refused while others are connected to it."""
    pg_restore, psql = tool("pg_restore"), tool("psql")
    if not backup.is_file():
        raise BackupError(f"There is no backup at {backup}.")
    dsn, env = _libpq(url)
    others, tables = _query(
        psql,
        dsn,
        env,
        "SELECT (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
        " AND pid <> pg_backend_pid()), (SELECT count(*) FROM pg_tables"
        " WHERE schemaname NOT IN ('pg_catalog', 'information_schema'))",
    )
    if int(others):
        raise BackupError(
            f"{others} other connection(s) are open to the database; "
            "stop the servers using it before restoring."
        )
    if int(tables) and not force:
        raise BackupError("The database has tables; add --force to replace them with the backup.")
    done = subprocess.run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={dsn}",
            str(backup),
        ],
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed: {_why(done)}")


def _query(psql: str, dsn: str, env: dict[str, str], statement: str) -> list[str]:
    done = subprocess.run(
        [psql, "--no-password", "-X", "-A", "-t", "-F", "|", "-c", statement, dsn],
        capture_output=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"psql failed: {_why(done)}")
    return done.stdout.decode().strip().split("|")

"""``promptcrafter backup`` and ``restore`` against real databases and real servers.

The backup is taken while threads keep posting logs to a running server; a server started on
the copy must then hold every log acknowledged before the backup command was run.
"""

from __future__ import annotations

import os
import re
import sqlite3
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import httpx
from tests.conftest import require_engine
from tests.support.api import PASSWORD, Account, Api
from tests.support.databases import fresh_database
from tests.support.server import TEST_SECRET, ServerProcess

from promptcrafter.store.locks import beside

WRITERS = 3


def promptcrafter(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    return subprocess.run(
        [sys.executable, "-m", "promptcrafter", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        timeout=120,
        check=False,
    )


def server_on(url: str, directory: Path) -> ServerProcess:
    # SQLite servers use the key generated beside the database, so the key file matters.
    return ServerProcess(url, directory, secret=None if url.startswith("sqlite") else TEST_SECRET)


def sqlite_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///"))


class LogWriters:
    """Threads posting logs until stopped; ``acknowledged`` holds the id of every 201."""

    def __init__(self, base_url: str, account: Account, prompt_id: str) -> None:
        self.acknowledged: list[str] = []
        self.failures: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._enough = threading.Event()
        self._args = (base_url, account, prompt_id)
        self._threads = [threading.Thread(target=self._write) for _ in range(WRITERS)]

    def _write(self) -> None:
        base_url, account, prompt_id = self._args
        body = {"promptId": prompt_id, "output": "An output under load", "modelUsed": "Claude"}
        with httpx.Client(base_url=base_url, headers=account.headers, timeout=30) as http:
            while not self._stop.is_set():
                response = http.post("/logs", json=body)
                with self._lock:
                    if response.status_code != 201:
                        self.failures.append(f"{response.status_code} {response.text}")
                        continue
                    self.acknowledged.append(response.json()["_id"])
                    if len(self.acknowledged) >= 60:
                        self._enough.set()

    def snapshot(self) -> set[str]:
        with self._lock:
            return set(self.acknowledged)

    @contextmanager
    def running(self) -> Iterator[LogWriters]:
        for thread in self._threads:
            thread.start()
        try:
            assert self._enough.wait(60), self.failures[:3]
            yield self
        finally:
            self._stop.set()
            for thread in self._threads:
                thread.join()


def stored_log_ids(base_url: str, account: Account) -> set[str]:
    ids: set[str] = set()
    with httpx.Client(base_url=base_url, headers=account.headers, timeout=30) as http:
        url: str | None = "/logs?limit=500"
        while url is not None:
            response = http.get(url)
            assert response.status_code == 200, response.text
            ids.update(log["_id"] for log in response.json())
            url = response.links.get("next", {}).get("url")
    return ids


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_under_write_load_holds_every_acknowledged_write(
    engine: str, tmp_path: Path
) -> None:
    dump = tmp_path / "backups" / ("copy.db" if engine == "sqlite" else "copy.dump")
    with fresh_database(engine, tmp_path / "live") as url, server_on(url, tmp_path) as server:
        with httpx.Client(base_url=server.base_url, timeout=30) as http:
            api = Api(client=http, engine=engine)
            account = api.signup()
            prompt = api.create_prompt(account)
        with LogWriters(server.base_url, account, prompt["_id"]).running() as writers:
            before = writers.snapshot()
            done = promptcrafter(
                "backup",
                str(dump),
                *(["--with-secret"] if engine == "sqlite" else []),
                env={"PROMPTCRAFTER_DATABASE_URL": url},
            )
        assert done.returncode == 0, done.stderr
        assert not writers.failures, writers.failures[:3]
        assert len(writers.snapshot()) > len(before)  # writes went on during the backup
        assert str(dump) in done.stdout
        assert mode(dump) == 0o600
        if engine == "sqlite":
            assert "integrity_check says ok" in done.stdout
            assert f"{sqlite_file(url)}.secret" in done.stdout
            key = beside(dump, ".secret")
            assert f"copied to {key}" in done.stdout
            assert mode(key) == 0o600
            assert key.read_bytes() == beside(sqlite_file(url), ".secret").read_bytes()
            with closing(sqlite3.connect(dump)) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            copy_url = f"sqlite:///{dump}"
            copies = tmp_path / "copy"
            copies.mkdir()
            with server_on(copy_url, copies) as copy:
                assert before <= stored_log_ids(copy.base_url, account)
        else:
            listed = subprocess.run(
                ["pg_restore", "--list", str(dump)], capture_output=True, text=True, check=False
            )
            assert listed.returncode == 0, listed.stderr
            assert "TABLE public logs" in listed.stdout
            with fresh_database(engine, tmp_path) as target:
                restored = promptcrafter("restore", str(dump), "--database-url", target)
                assert restored.returncode == 0, restored.stderr
                with server_on(target, tmp_path) as copy:
                    # The token issued by the first server still works with the same key.
                    assert before <= stored_log_ids(copy.base_url, account)


def test_restore_is_refused_while_a_server_runs_and_onto_a_file_without_force(
    tmp_path: Path,
) -> None:
    with fresh_database("sqlite", tmp_path / "live") as url:
        env = {"PROMPTCRAFTER_DATABASE_URL": url}
        db = sqlite_file(url)
        dump = tmp_path / "copy.db"
        with server_on(url, tmp_path) as server:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                api = Api(client=http, engine="sqlite")
                account = api.signup()
                kept = api.create_prompt(account, title="Kept by the backup")
                assert promptcrafter("backup", str(dump), "--with-secret", env=env).returncode == 0
                api.create_prompt(account, title="Made after the backup")

            running = promptcrafter("restore", str(dump), "--force", "--with-secret", env=env)
            assert running.returncode == 1
            assert f"A server is running on {db}; stop it before restoring." in running.stderr
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                listed = http.get("/prompts", headers=account.headers)
                assert {p["title"] for p in listed.json()} == {
                    "Kept by the backup",
                    "Made after the backup",
                }

        refused = promptcrafter("restore", str(dump), env=env)
        assert refused.returncode == 1
        assert f"{db} exists; add --force to replace it with the backup." in refused.stderr

        beside(db, ".secret").unlink()  # the restore must bring the key back
        restored = promptcrafter("restore", str(dump), "--force", "--with-secret", env=env)
        assert restored.returncode == 0, restored.stderr
        assert mode(beside(db, ".secret")) == 0o600
        assert not beside(db, "-wal").exists()
        with (
            server_on(url, tmp_path) as server,
            httpx.Client(base_url=server.base_url, timeout=30) as http,
        ):
            # The token issued before the backup works: the key came back with it.
            listed = http.get("/prompts", headers=account.headers)
            assert listed.status_code == 200, listed.text
            assert [p["_id"] for p in listed.json()] == [kept["_id"]]
            login = http.post("/auth/login", json={"email": account.email, "password": PASSWORD})
            assert login.status_code == 200, login.text


def test_postgresql_restore_is_refused_while_connected_and_onto_tables_without_force(
    tmp_path: Path,
) -> None:
    require_engine("postgresql")
    dump = tmp_path / "copy.dump"
    with fresh_database("postgresql", tmp_path) as url:
        env = {"PROMPTCRAFTER_DATABASE_URL": url}
        with server_on(url, tmp_path) as server:
            with httpx.Client(base_url=server.base_url, timeout=30) as http:
                api = Api(client=http, engine="postgresql")
                account = api.signup()
                kept = api.create_prompt(account, title="Kept by the backup")
                assert promptcrafter("backup", str(dump), env=env).returncode == 0
                api.create_prompt(account, title="Made after the backup")
            running = promptcrafter("restore", str(dump), "--force", env=env)
            assert running.returncode == 1
            assert "stop the servers using it before restoring" in running.stderr

        refused = promptcrafter("restore", str(dump), env=env)
        assert refused.returncode == 1
        assert "The database has tables; add --force" in refused.stderr

        restored = promptcrafter("restore", str(dump), "--force", env=env)
        assert restored.returncode == 0, restored.stderr
        with (
            server_on(url, tmp_path) as server,
            httpx.Client(base_url=server.base_url, timeout=30) as http,
        ):
            listed = http.get("/prompts", headers=account.headers)
            assert listed.status_code == 200, listed.text
            assert [p["_id"] for p in listed.json()] == [kept["_id"]]


def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all, just some bytes" * 200)
    target = tmp_path / "target.db"
    done = promptcrafter("restore", str(junk), "--database-url", f"sqlite:///{target}")
    assert done.returncode == 1
    assert "cannot be read as a SQLite database" in done.stderr
    assert not target.exists()


def test_backup_of_a_missing_database_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    done = promptcrafter(
        "backup", str(tmp_path / "copy.db"), "--database-url", f"sqlite:///{missing}"
    )
    assert done.returncode == 1
    assert f"There is no database at {missing}." in done.stderr
    assert not (tmp_path / "copy.db").exists()


def test_without_pg_dump_on_path_backup_says_what_to_install(tmp_path: Path) -> None:
    require_engine("postgresql")
    empty = tmp_path / "bin"
    empty.mkdir()
    with fresh_database("postgresql", tmp_path) as url:
        done = promptcrafter(
            "backup",
            str(tmp_path / "copy.dump"),
            env={"PROMPTCRAFTER_DATABASE_URL": url, "PATH": str(empty)},
        )
    assert done.returncode == 1
    assert "pg_dump was not found on PATH" in done.stderr
    assert "apt-get install postgresql-client" in done.stderr
    assert not (tmp_path / "copy.dump").exists()
    # No secret key was needed to read the settings: PostgreSQL's comes from the environment.
    assert "PROMPTCRAFTER_SECRET_KEY" not in done.stderr


def test_with_secret_on_postgresql_is_a_usage_error(tmp_path: Path) -> None:
    require_engine("postgresql")
    with fresh_database("postgresql", tmp_path) as url:
        done = promptcrafter(
            "backup", str(tmp_path / "x.dump"), "--with-secret", "--database-url", url
        )
    assert done.returncode == 2
    assert "PROMPTCRAFTER_SECRET_KEY" in done.stderr


def test_the_readme_sqlite_backup_commands_run_as_written(tmp_path: Path) -> None:
    readme = Path(__file__).resolve().parents[2] / "README.md"
    section = readme.read_text().split("### Backups", 1)[1].split("\n## ", 1)[0]
    backup_cmd, restore_cmd = re.findall(r"```sh\n(.*?)```", section, re.S)[:2]
    # The default database, promptcrafter.db in the working directory, made by a server.
    with ServerProcess(f"sqlite:///{tmp_path / 'promptcrafter.db'}", tmp_path, secret=None):
        pass
    base = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    env = {**base, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{base.get('PATH', '')}"}
    for script in (backup_cmd, restore_cmd):
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (script, done.stderr)
    assert mode(tmp_path / "backups" / "promptcrafter-2026-12-01.db.secret") == 0o600


def test_without_the_secret_tokens_stop_and_api_keys_go_on(tmp_path: Path) -> None:
    # What the backup says of the key must be what a restored copy does: login tokens are
    # signed with the key and stop; API keys are kept as their SHA-256 and go on working, so
    # the backup itself is a set of live credentials.
    url = f"sqlite:///{tmp_path / 'live.db'}"
    with server_on(url, tmp_path) as srv, httpx.Client(base_url=srv.base_url, timeout=30) as http:
        account = Api(client=http, engine="sqlite").signup()
        made = http.post("/auth/keys", json={"name": "ci"}, headers=account.headers)
        assert made.status_code == 201, made.text
        key = {"Authorization": f"Bearer {made.json()['key']}"}
    dump = tmp_path / "copy.db"
    taken = promptcrafter("backup", str(dump), "--database-url", url)
    assert taken.returncode == 0, taken.stderr
    assert "without it, restored login tokens stop working" in taken.stdout
    assert "API keys in the backup keep working without it" in taken.stdout
    elsewhere = f"sqlite:///{tmp_path / 'elsewhere' / 'restored.db'}"
    restored = promptcrafter("restore", str(dump), "--database-url", elsewhere)
    assert restored.returncode == 0, restored.stderr
    with server_on(elsewhere, tmp_path) as srv:  # a new key is generated beside the copy
        assert httpx.get(f"{srv.base_url}/auth/me", headers=account.headers).status_code == 401
        me = httpx.get(f"{srv.base_url}/auth/me", headers=key)
        assert me.status_code == 200 and me.json()["email"] == account.email

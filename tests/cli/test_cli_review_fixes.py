"""Command-line answers a review found wrong (2026-12-04): tracebacks, and backups written
over what they must not replace. Each test fails on the code before the fix."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
from contextlib import closing
from pathlib import Path

import pytest
from tests.cli.test_cli_backup import promptcrafter
from tests.conftest import require_engine
from tests.support.cli import CLI
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

from promptcrafter.client import PromptCrafterClient
from promptcrafter.config import Settings
from promptcrafter.store import migrate
from promptcrafter.store.locks import LOCK_FILES, beside


def _database(tmp_path: Path, name: str = "app.db") -> Path:
    path = tmp_path / name
    migrate.upgrade(Settings(database_url=f"sqlite:///{path}", secret_key="k" * 48))
    return path


def _no_traceback(result: object) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr


@pytest.mark.parametrize("target", ["", ".", "/", "sub/.."])
def test_backup_to_a_name_that_is_no_file_is_one_sentence(tmp_path: Path, target: str) -> None:
    db = _database(tmp_path)
    done = promptcrafter("backup", target, "--database-url", f"sqlite:///{db}")
    _no_traceback(done)
    assert done.returncode == 1
    assert done.stderr.startswith("promptcrafter: ")


def test_backup_never_replaces_a_fifo_or_a_directory(tmp_path: Path) -> None:
    db = _database(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    folder = tmp_path / "folder"
    folder.mkdir()
    for target in (fifo, folder):
        done = promptcrafter("backup", str(target), "--database-url", f"sqlite:///{db}")
        _no_traceback(done)
        assert done.returncode == 1
        assert "is not a regular file" in done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode) and folder.is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]  # nothing left


@pytest.mark.parametrize("suffix", LOCK_FILES)
def test_backup_over_a_lock_file_of_the_database_is_refused(tmp_path: Path, suffix: str) -> None:
    db = _database(tmp_path)
    lock = beside(db, suffix)
    lock.touch()
    before = lock.stat().st_ino
    done = promptcrafter("backup", str(lock), "--database-url", f"sqlite:///{db}")
    assert done.returncode == 1
    assert "is the database itself or one of its files" in done.stderr
    assert lock.stat().st_ino == before and lock.stat().st_size == 0


def test_restore_of_a_running_server_stays_refused_after_a_backup_attempt_on_its_lock(
    tmp_path: Path,
) -> None:
    db = tmp_path / "live.db"
    url = f"sqlite:///{db}"
    with ServerProcess(url, tmp_path, secret=None):
        env = {"PROMPTCRAFTER_DATABASE_URL": url}
        dump = tmp_path / "dump.db"
        assert promptcrafter("backup", str(dump), env=env).returncode == 0
        assert promptcrafter("backup", str(beside(db, ".run-lock")), env=env).returncode == 1
        running = promptcrafter("restore", str(dump), "--force", env=env)
        assert running.returncode == 1
        assert "A server is running" in running.stderr


@pytest.mark.parametrize("kind", ["empty", "other program's"])
def test_restore_refuses_a_sqlite_file_that_is_not_a_promptcrafter_database(
    tmp_path: Path, kind: str
) -> None:
    target = _database(tmp_path, "target.db")
    with closing(sqlite3.connect(target)) as conn:
        conn.execute(
            "INSERT INTO users (id, name, email, email_key, password_hash, created_at, "
            "token_generation) VALUES ('user1', 'A', 'a@x.io', 'a@x.io', 'h', 0, 0)"
        )
        conn.commit()
    backup = tmp_path / "backup.db"
    if kind == "empty":
        backup.write_bytes(b"")
    else:
        with closing(sqlite3.connect(backup)) as conn:
            conn.execute("CREATE TABLE foo (x)")
            conn.commit()
    done = promptcrafter("restore", str(backup), "--force", "--database-url", f"sqlite:///{target}")
    _no_traceback(done)
    assert done.returncode == 1
    assert "is not a PromptCrafter database" in done.stderr
    with closing(sqlite3.connect(target)) as conn:  # the live data is still there
        assert conn.execute("SELECT id FROM users").fetchall() == [("user1",)]


def test_import_refuses_lines_no_request_can_carry_and_goes_on(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)

    def record(title: str, score: str = "5") -> str:
        prompt = json.dumps({"title": title, "content": "text", "model": "m"})
        log = f'{{"output": "o", "modelUsed": "m", "score": {score}}}'
        return f'{{"prompt": {prompt}, "logs": [{log}]}}'

    lines = [
        record("First prompt"),
        record("NaN prompt", "NaN"),
        record("Infinite prompt", "1e999"),
        '{"prompt": ' + "[" * 100_000 + "]" * 100_000 + "}",
        record("Surrogate prompt").replace("Surrogate", "Surrogate \\ud800"),  # a JSON escape
        record("Last prompt"),
    ]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = cli.run("import", str(path), "--json")
    _no_traceback(result)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["created"] == {"prompts": 2, "logs": 2}
    assert report["failed"] == {"prompts": 4, "logs": 0}
    for line in (2, 3, 4, 5):
        assert f"{path}:{line}: not valid JSON" in result.stderr
    assert [p.split(": ", 1)[0] for p in report["problems"]] == [f"{path}:{n}" for n in range(2, 6)]
    titles = sorted(p["title"] for p in client.get_prompts())
    assert titles == ["First prompt", "Last prompt"]  # nothing half-imported


@pytest.mark.parametrize(
    "args",
    [
        ["prompts", "diff", "prompt1", "--from", "", "--to", "1"],
        ["compare", "prompt1", "", ""],
        ["compare", "prompt1", "1", "9" * 5000],
        ["prompts", "get", "prompt\udcff"],
        ["serve", "--port", "70000"],
        ["serve", "--port", "-1"],
    ],
)
def test_command_line_mistakes_exit_2_with_a_sentence(cli: CLI, args: list[str]) -> None:
    # The surrogate stands for a byte the locale could not decode (os.fsencode gives it back).
    argv = [os.fsencode(arg) for arg in args]
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable.encode(), b"-m", b"promptcrafter", *argv],
        capture_output=True,
        env=cli.env,
        timeout=60,
        check=False,
    )
    stderr = result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in stderr, stderr
    assert result.returncode == 2, stderr
    assert "error:" in stderr


@pytest.mark.parametrize("variable", ["PROMPTCRAFTER_TOKEN", "PROMPTCRAFTER_API_KEY"])
def test_a_token_no_header_can_carry_is_one_sentence(cli: CLI, variable: str) -> None:
    result = cli.run("prompts", "list", env={variable: "pc_\u00e9t\u00e9"})
    _no_traceback(result)
    assert result.returncode == 1
    assert "holds characters no token has" in result.stderr


def test_render_vars_file_too_deep_is_one_sentence(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    prompt = client.create_prompt("Deep vars", "Say {{ x }}", "m")
    deep = tmp_path / "deep.json"
    deep.write_text('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    result = cli.run("render", prompt["_id"], "--vars-file", str(deep))
    _no_traceback(result)
    assert result.returncode == 1
    assert "not valid JSON" in result.stderr


def test_a_number_too_long_for_python_in_a_vars_file_is_one_sentence(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    # Python's reader refused it with advice for programmers (sys.set_int_max_str_digits).
    email, client = account
    cli.login(email)
    prompt = client.create_prompt("Long number", "Say {{ x }}", "m")
    long = tmp_path / "long.json"
    long.write_text('{"x": ' + "7" * 5000 + "}", encoding="utf-8")
    result = cli.run("render", prompt["_id"], "--vars-file", str(long))
    _no_traceback(result)
    assert result.returncode == 1
    assert "a number of 5000 digits is too long to read" in result.stderr
    assert "set_int_max_str_digits" not in result.stderr


def test_a_pg_restore_that_crashes_is_named_with_how_it_ended(tmp_path: Path) -> None:
    # pg_restore fed a damaged dump died of a segmentation fault, and the message ended at
    # "pg_restore failed: " (review of 2026-12-08).
    require_engine("postgresql")
    tools = tmp_path / "bin"
    tools.mkdir()
    psql = shutil.which("psql")
    assert psql is not None
    (tools / "psql").symlink_to(psql)
    crashing = tools / "pg_restore"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n", encoding="utf-8")
    crashing.chmod(0o755)
    dump = tmp_path / "damaged.dump"
    dump.write_bytes(b"PGDMP" + b"\x00" * 64)
    with fresh_database("postgresql", tmp_path) as url:
        done = promptcrafter(
            "restore", str(dump), env={"PROMPTCRAFTER_DATABASE_URL": url, "PATH": str(tools)}
        )
    _no_traceback(done)
    assert done.returncode == 1
    assert "pg_restore failed: it was killed by SIGSEGV and said nothing" in done.stderr

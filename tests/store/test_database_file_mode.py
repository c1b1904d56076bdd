"""The SQLite database is its owner's alone, like the signing key beside it.

SQLite creates a new file with the umask's mode (0644 as usually set), so every local user
could read every account's prompts, logs and password hashes; the server now makes it 0600,
and SQLite gives its -wal and -shm files the database's own mode. A database left open to
others by an earlier version or a copy is narrowed at start, with a warning.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import httpx
from tests.support.server import ServerProcess


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _serve_and_write(db: Path, tmp_path: Path) -> ServerProcess:
    server = ServerProcess(f"sqlite:///{db}", tmp_path).start()
    body = {"name": "Mode", "email": f"mode-{os.getpid()}@example.com", "password": "mode-pass-123"}
    assert httpx.post(f"{server.base_url}/auth/signup", json=body).status_code == 201
    return server


def test_a_new_database_and_its_wal_files_are_private(tmp_path: Path) -> None:
    old_umask = os.umask(0o022)  # the usual one, under which SQLite made the file 0644
    try:
        db = tmp_path / "fresh.db"
        server = _serve_and_write(db, tmp_path)
        try:
            for suffix in ("", "-wal", "-shm"):
                file = db.with_name(db.name + suffix)
                assert file.exists(), suffix
                assert _mode(file) == 0o600, (suffix, oct(_mode(file)))
        finally:
            server.stop()
    finally:
        os.umask(old_umask)


def test_an_existing_database_open_to_others_is_narrowed(tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    server = _serve_and_write(db, tmp_path)
    server.stop()
    os.chmod(db, 0o644)
    server = ServerProcess(f"sqlite:///{db}", tmp_path).start()
    try:
        assert _mode(db) == 0o600
        assert "was open to other users (mode 644); now 600" in server.log()
        # The data is still there and served.
        login = {"email": f"mode-{os.getpid()}@example.com", "password": "mode-pass-123"}
        assert httpx.post(f"{server.base_url}/auth/login", json=login).status_code == 200
    finally:
        server.stop()

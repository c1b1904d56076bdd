"""Start-up configuration of ``promptcrafter serve``: the signing key rules."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import jwt
import pytest

from tests.support.server import ServerProcess, free_port

SIGNUP = {"name": "Key Keeper", "password": "correct horse battery staple"}


def serve(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run ``promptcrafter serve`` expecting it to refuse to start."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    command = [sys.executable, "-m", "promptcrafter", "serve", "--port", str(free_port())]
    try:
        return subprocess.run(
            command,
            env={**clean, **env},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired as exc:  # it started serving instead of refusing
        raise AssertionError(f"serve did not exit: {exc.stdout!r} {exc.stderr!r}") from None


def assert_refused(result: subprocess.CompletedProcess[str], *words: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "PROMPTCRAFTER_SECRET_KEY" in output, output
    for word in words:
        assert word in output, output
    assert "Traceback" not in output, output


@pytest.mark.parametrize(
    "key", ["", "k" * 31, "é" * 15, "short"], ids=["empty", "31 bytes", "30 bytes", "short"]
)
def test_secret_key_under_32_bytes_is_refused(tmp_path: Path, key: str) -> None:
    db = tmp_path / "app.db"
    env = {"PROMPTCRAFTER_DATABASE_URL": f"sqlite:///{db}", "PROMPTCRAFTER_SECRET_KEY": key}
    assert_refused(serve(env, tmp_path), "32")
    assert not (tmp_path / "app.db.secret").exists()


@pytest.mark.parametrize("key", [None, "k" * 31], ids=["no key", "short key"])
def test_postgresql_needs_a_proper_secret_key(tmp_path: Path, key: str | None) -> None:
    # An unreachable server: the key must be checked before any connection is tried.
    env = {"PROMPTCRAFTER_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    if key is not None:
        env["PROMPTCRAFTER_SECRET_KEY"] = key
    assert_refused(serve(env, tmp_path))


def test_a_32_byte_key_of_16_characters_is_enough(tmp_path: Path) -> None:
    key = "é" * 16
    with ServerProcess(f"sqlite:///{tmp_path / 'app.db'}", tmp_path, secret=key) as server:
        response = httpx.post(
            f"{server.base_url}/auth/signup", json={**SIGNUP, "email": "k@example.com"}
        )
        assert response.status_code == 201, response.text
        jwt.decode(response.json()["token"], key.encode(), algorithms=["HS256"])


def signup(base_url: str) -> str:
    email = f"keeper-{uuid.uuid4().hex}@example.com"
    response = httpx.post(f"{base_url}/auth/signup", json={**SIGNUP, "email": email})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def me(base_url: str, token: str) -> httpx.Response:
    return httpx.get(f"{base_url}/auth/me", headers={"Authorization": f"Bearer {token}"})


@pytest.mark.slow
def test_sqlite_without_key_generates_a_private_key_that_survives_restart(tmp_path: Path) -> None:
    db = tmp_path / "data" / "library.db"
    url = f"sqlite:///{db}"
    key_file = db.with_name("library.db.secret")
    with ServerProcess(url, tmp_path, secret=None) as server:
        assert key_file.exists(), sorted(p.name for p in db.parent.iterdir())
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        key = key_file.read_bytes().strip()
        assert len(key) >= 32
        token = signup(server.base_url)
        profile = me(server.base_url, token)
        assert profile.status_code == 200, profile.text
        # The file really is the signing key.
        assert jwt.decode(token, key, algorithms=["HS256"])["sub"] == profile.json()["_id"]
    time.sleep(0.2)
    with ServerProcess(url, tmp_path, secret=None) as server:
        again = me(server.base_url, token)
        assert again.status_code == 200, again.text
        assert again.json() == profile.json()
        assert key_file.read_bytes().strip() == key
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.slow
def test_each_sqlite_database_gets_its_own_generated_key(tmp_path: Path) -> None:
    keys = []
    for name in ("one", "two"):
        with ServerProcess(f"sqlite:///{tmp_path / name}.db", tmp_path, secret=None):
            keys.append((tmp_path / f"{name}.db.secret").read_bytes())
    assert keys[0] != keys[1]


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "https://",
        "https://example.com/app",
        "https://u@example.com",
        "https://example.com:99999",
        "example.com",
    ],
)
def test_public_url_must_be_an_http_origin(tmp_path: Path, url: str) -> None:
    env = {
        "PROMPTCRAFTER_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}",
        "PROMPTCRAFTER_PUBLIC_URL": url,
    }
    result = serve(env, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "PROMPTCRAFTER_PUBLIC_URL" in output and "Traceback" not in output, output


def test_public_url_is_kept_as_its_origin() -> None:
    from promptcrafter.config import Settings

    settings = Settings(public_url="HTTPS://Prompts.Example.com/", secret_key="k" * 40)
    assert settings.public_url == "https://prompts.example.com"


def _refused_with_workers(env: dict[str, str], cwd: Path) -> str:
    """``serve --workers 2`` must stop in the parent, before any worker, with exit status 2:
    a process manager restarts a service that exits non-zero, and one that exits 0 it does
    not."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PROMPTCRAFTER_")}
    db = f"sqlite:///{cwd / 'refused.db'}"
    command = [sys.executable, "-m", "promptcrafter", "serve", "--port", str(free_port())]
    try:
        result = subprocess.run(
            [*command, "--workers", "2"],
            env={**clean, "PROMPTCRAFTER_DATABASE_URL": db, **env},
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=30,
        )
    except subprocess.TimeoutExpired as exc:  # it started serving instead of refusing
        raise AssertionError(f"serve did not exit: {exc.stdout!r} {exc.stderr!r}") from None
    output = result.stdout + result.stderr
    assert result.returncode == 2, output
    assert "Traceback" not in output, output
    return output


@pytest.mark.parametrize("network", ["0.0.0.0/0", "::/0", "10.0.0.1,0.0.0.0/0"])
def test_trusting_every_address_as_a_proxy_is_refused(network: str, tmp_path: Path) -> None:
    # Every client could then name its own address in X-Forwarded-For and no per-address
    # limit (logins, signups, key guesses) would hold.
    output = _refused_with_workers({"PROMPTCRAFTER_TRUSTED_PROXIES": network}, tmp_path)
    assert "PROMPTCRAFTER_TRUSTED_PROXIES" in output and "trusts every address" in output


@pytest.mark.parametrize("url", ["localhost:6379", "http://127.0.0.1:6379", "redis://h:port/0"])
def test_a_redis_url_redis_cannot_read_is_refused_at_start(url: str, tmp_path: Path) -> None:
    output = _refused_with_workers({"PROMPTCRAFTER_REDIS_URL": url}, tmp_path)
    assert "PROMPTCRAFTER_REDIS_URL must be a redis://" in output

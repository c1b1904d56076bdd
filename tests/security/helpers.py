"""Helpers for the security tests: worker pinning, stored rows, timing, threads."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
import statistics
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import httpx

from tests.support.api import PASSWORD
from tests.support.server import ServerProcess

BAD_LOGIN = "Incorrect email or password."
TOKEN_INVALID = "Authentication token is expired or invalid."
TOO_MANY_LOGINS = "Too many failed login attempts for this account. Try again later."
TOO_MANY_ATTEMPTS = "Too many attempts from this address. Try again later."


# ---- which worker answered? --------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                stat = handle.read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry))
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    with open("/proc/net/tcp") as handle:
        for line in handle.read().splitlines()[1:]:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.split(":")[1], 16) == server_port
                and int(remote.split(":")[1], 16) == client_port
                and inode != "0"
            ):
                return inode
    return None


def serving_pid(server: ServerProcess, response: httpx.Response) -> int | None:
    """The worker process holding the server side of the connection ``response`` came on."""
    assert server.process is not None
    stream = response.extensions["network_stream"]
    client_port = stream.get_extra_info("client_addr")[1]
    inode = _socket_inode(server.port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    # With one worker uvicorn serves from the main process; with more, from its children.
    for pid in [server.process.pid, *_children(server.process.pid)]:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


class Workers:
    """One kept-alive connection per worker process, so a test can choose who answers.

    Every answer is checked to come from the worker asked for (a connection idle past the
    keep-alive timeout could otherwise be re-opened to another worker unnoticed).
    """

    def __init__(self, server: ServerProcess, attempts: int = 200) -> None:
        self.server = server
        self.clients: list[httpx.Client] = []
        self.pids: list[int] = []
        for _ in range(attempts):
            client = httpx.Client(base_url=server.base_url, timeout=30)
            pid = serving_pid(server, client.get("/health"))
            if pid is None or pid in self.pids:
                client.close()
                continue
            self.clients.append(client)
            self.pids.append(pid)
            if len(self.pids) == server.workers:
                return
        self.close()
        raise AssertionError(f"could not reach {server.workers} distinct workers")

    def __len__(self) -> int:
        return len(self.pids)

    def request(self, worker: int, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.timed(worker, method, url, **kwargs)[1]

    def timed(
        self, worker: int, method: str, url: str, **kwargs: Any
    ) -> tuple[float, httpx.Response]:
        """The answer and its round-trip time (the worker check is not part of the time)."""
        index = worker % len(self.pids)
        started = time.perf_counter()
        response = self.clients[index].request(method, url, **kwargs)
        elapsed = time.perf_counter() - started
        assert serving_pid(self.server, response) == self.pids[index], "answered elsewhere"
        return elapsed, response

    def close(self) -> None:
        for client in self.clients:
            client.close()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# ---- stored state --------------------------------------------------------------------------


def fetch(database_url: str, query: str, *args: Any) -> list[tuple[Any, ...]]:
    """Rows of ``query`` (``$1``-style parameters) read straight from the database."""
    if database_url.startswith("sqlite"):
        path = database_url.split(":///", 1)[1]
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return list(conn.execute(query.replace("$", "?"), args).fetchall())
        finally:
            conn.close()

    async def run() -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(database_url, timeout=10)
        try:
            return [tuple(row) for row in await conn.fetch(query, *args)]
        finally:
            await conn.close()

    return asyncio.run(run())


def password_hash(database_url: str, email: str) -> str:
    rows = fetch(
        database_url, "SELECT password_hash FROM users WHERE email_key = $1", email.lower()
    )
    assert len(rows) == 1, rows
    value: str = rows[0][0]
    return value


def account_bucket(email: str) -> str:
    """The name of an account's failed-login counter (its email hashed, never in clear)."""
    return "login-fail:" + hashlib.sha256(email.lower().encode()).hexdigest()[:32]


def argon2_parameters(encoded: str) -> tuple[str, dict[str, int]]:
    """``$argon2id$v=19$m=19456,t=2,p=1$salt$hash`` → ("argon2id", {"m": 19456, ...})."""
    parts = encoded.split("$")
    assert len(parts) == 6 and parts[0] == "", encoded
    params = dict(item.split("=") for item in parts[3].split(","))
    return parts[1], {name: int(value) for name, value in params.items()}


# ---- requests ----------------------------------------------------------------------------


def assert_error(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert response.json() == {"error": message}
    assert response.headers["x-content-type-options"] == "nosniff"


def assert_limited(response: httpx.Response, message: str, window_seconds: int) -> int:
    """A 429 with the given sentence and an integer Retry-After within the window."""
    assert_error(response, 429, message)
    retry_after = response.headers["retry-after"]
    assert retry_after.isdigit(), retry_after
    assert 1 <= int(retry_after) <= window_seconds, retry_after
    return int(retry_after)


def login_body(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"email": email, "password": password}


def signup_body(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"name": "Security Tester", "email": email, "password": password}


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def in_parallel(count: int, task: Callable[[int], Any]) -> list[Any]:
    """Run ``task(i)`` for i in range(count) on as many threads, released together."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = task(index)
        except BaseException as exc:  # reported below, on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not errors, errors[:3]
    return results

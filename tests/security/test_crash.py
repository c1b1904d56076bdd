"""Crashes: SIGKILL of the whole server while clients write, and PostgreSQL restarted under a
running server. Nothing acknowledged may be lost; the service heals without a restart."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
import uuid
from urllib.parse import urlsplit

import httpx
import pytest

from tests.security.conftest import Servers
from tests.security.helpers import Workers, signup_body
from tests.support.databases import POSTGRES_ADMIN_URL, in_ci
from tests.support.server import ServerProcess

DATABASE_DOWN = "The database is not reachable right now; try again shortly."
WRITERS = 6
ROUNDS = 3


class LogWriters:
    """Threads that post logs until the server goes away, remembering every 201."""

    def __init__(self, server: ServerProcess, token: str, prompt_id: str, label: str) -> None:
        self.acknowledged: dict[str, str] = {}
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        self._args = (server.base_url, {"Authorization": f"Bearer {token}"}, prompt_id, label)
        self._threads = [threading.Thread(target=self._run, args=(i,)) for i in range(WRITERS)]

    def _run(self, number: int) -> None:
        base_url, headers, prompt_id, label = self._args
        with httpx.Client(base_url=base_url, headers=headers, timeout=10) as client:
            for sequence in range(100_000):
                output = f"{label}-{number}-{sequence}"
                body = {"promptId": prompt_id, "output": output, "modelUsed": "m"}
                try:
                    response = client.post("/logs", json=body)
                except httpx.HTTPError:
                    return  # the server is gone; whatever was not acknowledged may be lost
                with self._lock:
                    if response.status_code == 201:
                        self.acknowledged[response.json()["_id"]] = output
                    else:
                        self.unexpected.append(f"{response.status_code} {response.text}")

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.acknowledged) >= count, (len(self.acknowledged), self.unexpected[:3])

    def join(self) -> None:
        for thread in self._threads:
            thread.join(30)
            assert not thread.is_alive()


def stored_logs(server: ServerProcess, token: str) -> dict[str, str]:
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        listed = client.get("/logs", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200, listed.text
    return {log["_id"]: log["output"] for log in listed.json()}


@pytest.mark.slow
def test_acknowledged_logs_survive_kill_9(servers: Servers) -> None:
    url = servers.fresh_url()  # for SQLite, the same file every round
    acknowledged: dict[str, str] = {}
    token = prompt_id = ""
    for round_ in range(ROUNDS + 1):
        server = servers.start(url=url, workers=2)
        if round_ == 0:
            with httpx.Client(base_url=server.base_url, timeout=30) as client:
                email = f"crash-{uuid.uuid4().hex}@example.com"
                token = client.post("/auth/signup", json=signup_body(email)).json()["token"]
                auth = {"Authorization": f"Bearer {token}"}
                body = {"title": "Crash", "content": "c", "model": "m"}
                prompt_id = client.post("/prompts", json=body, headers=auth).json()["_id"]
        # Every log acknowledged before the earlier kills is there after the restart.
        stored = stored_logs(server, token)
        missing = {key: value for key, value in acknowledged.items() if stored.get(key) != value}
        assert not missing, (round_, len(missing), list(missing.items())[:5])
        # At most the requests in flight at each kill were stored without an answer.
        assert len(stored) - len(acknowledged) <= WRITERS * round_
        assert len(set(stored.values())) == len(stored)
        if round_ == ROUNDS:
            break
        writers = LogWriters(server, token, prompt_id, f"round{round_}")
        writers.start()
        writers.wait_for(40)
        server.kill()  # SIGKILL to the whole process group, mid-write
        writers.join()
        assert not writers.unexpected, writers.unexpected[:3]
        acknowledged.update(writers.acknowledged)
    assert len(acknowledged) >= 40 * ROUNDS


def postgres_cluster() -> tuple[str, str]:
    """Version and name of the local cluster the tests' PostgreSQL URL points at."""
    address = urlsplit(POSTGRES_ADMIN_URL)
    port = str(address.port or 5432)
    problem, found = None, None
    if address.hostname not in ("127.0.0.1", "localhost", "::1"):
        problem = f"PostgreSQL at {address.hostname} is not a local cluster"
    elif shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        problem = "pg_lsclusters/pg_ctlcluster are not installed"
    elif os.geteuid() != 0:
        problem = "restarting PostgreSQL needs root"
    else:
        listing = subprocess.run(
            ["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True
        ).stdout
        found = next(
            ((f[0], f[1]) for f in map(str.split, listing.splitlines()) if f[2:3] == [port]),
            None,
        )
        problem = None if found else f"no local cluster listens on port {port}"
    if found is None:
        if in_ci():
            pytest.fail(f"CI=true but PostgreSQL cannot be restarted here: {problem}")
        pytest.skip(str(problem))
    return found


def pg_ctl(cluster: tuple[str, str], *action: str) -> None:
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster, *action]
    subprocess.run(command, check=True, capture_output=True, timeout=60)


def poll(server: ServerProcess, wanted: int, timeout: float) -> tuple[float, httpx.Response]:
    started = time.monotonic()
    while True:
        try:
            response = httpx.get(f"{server.base_url}/health", timeout=2)
            if response.status_code == wanted or time.monotonic() - started > timeout:
                return time.monotonic() - started, response
        except httpx.HTTPError:
            if time.monotonic() - started > timeout:
                raise
        time.sleep(0.05)


@pytest.mark.slow
def test_health_follows_a_postgresql_restart_without_restarting_us(servers: Servers) -> None:
    if servers.engine != "postgresql":
        pytest.skip("PostgreSQL only")
    cluster = postgres_cluster()
    server = servers.start(workers=2)
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        email = f"pg-{uuid.uuid4().hex}@example.com"
        token = client.post("/auth/signup", json=signup_body(email)).json()["token"]
        auth = {"Authorization": f"Bearer {token}"}
        body = {"title": "Before", "content": "c", "model": "m"}
        prompt = client.post("/prompts", json=body, headers=auth).json()
    with Workers(server) as workers:
        pids = set(workers.pids)
    try:
        pg_ctl(cluster, "stop", "-m", "fast")
        _, down = poll(server, 503, timeout=10)
        assert down.status_code == 503, down.text
        assert down.json() == {"status": "unavailable", "error": DATABASE_DOWN}
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            for _ in range(4):
                response = client.get("/prompts", headers=auth)
                assert response.status_code == 503, response.text
                assert response.json() == {"error": DATABASE_DOWN}
        assert poll(server, 503, timeout=1)[1].status_code == 503  # still down, still 503
    finally:
        pg_ctl(cluster, "start")
    elapsed, up = poll(server, 200, timeout=15)
    assert up.status_code == 200, up.text
    assert up.json() == {"status": "ok"}
    assert elapsed <= 5, f"/health took {elapsed:.1f}s to recover"
    assert server.process is not None and server.process.poll() is None
    with Workers(server) as workers:
        assert set(workers.pids) == pids  # the same worker processes, none restarted
        for worker in range(2):
            listed = workers.request(worker, "GET", "/prompts", headers=auth)
            assert listed.status_code == 200, listed.text
            assert [p["_id"] for p in listed.json()] == [prompt["_id"]]
            body = {"promptId": prompt["_id"], "output": f"after {worker}", "modelUsed": "m"}
            written = workers.request(worker, "POST", "/logs", json=body, headers=auth)
            assert written.status_code == 201, written.text

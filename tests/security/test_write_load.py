"""Sustained concurrent writes on a two-worker server: both workers write at the same time,
none of them answers 5xx (on SQLite no writer runs out of busy timeout), and every
acknowledged log is stored."""

from __future__ import annotations

import fcntl
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from promptcrafter.store import locks
from promptcrafter.store.sqlite import BUSY_TIMEOUT_MS
from tests.security.helpers import serving_pid
from tests.support.api import Account, Api
from tests.support.server import ServerProcess

CLIENTS_PER_WORKER = 12
POSTS_PER_CLIENT = 25


@pytest.fixture
def pinned_clients(two_workers: ServerProcess) -> Iterator[list[tuple[int, httpx.Client]]]:
    """``CLIENTS_PER_WORKER`` kept-alive connections to each worker, with its pid."""
    clients: list[tuple[int, httpx.Client]] = []
    per_pid: dict[int, int] = {}
    try:
        for _ in range(400):
            client = httpx.Client(base_url=two_workers.base_url, timeout=60)
            pid = serving_pid(two_workers, client.get("/health"))
            if pid is None or per_pid.get(pid, 0) >= CLIENTS_PER_WORKER:
                client.close()
                continue
            per_pid[pid] = per_pid.get(pid, 0) + 1
            clients.append((pid, client))
            if len(clients) == CLIENTS_PER_WORKER * two_workers.workers:
                break
        assert len(per_pid) == two_workers.workers, per_pid
        assert len(clients) == CLIENTS_PER_WORKER * two_workers.workers, per_pid
        # Finding a balance may take long enough on a slow machine that uvicorn closes the
        # first connections (5 s idle) and httpx opens new ones, perhaps to the other worker:
        # each is asked again, at the last moment, which worker it is on.
        now_on = [(serving_pid(two_workers, c.get("/health")), c) for _, c in clients]
        clients = [(pid, c) for pid, c in now_on if pid is not None]
        assert len(clients) == len(now_on)
        assert {pid for pid, _ in clients} == set(per_pid), clients
        yield clients
    finally:
        for _, client in clients:
            client.close()


@pytest.fixture
def writer(api2: Api) -> tuple[Account, list[str]]:
    """An account and four prompts, made before the connections are pinned (the test asks for
    it first): uvicorn closes a kept-alive connection idle for 5 s, and httpx's new one may land
    on the other worker, so nothing slow may come between pinning and writing (a slow day's
    signup and prompts took that long on 2026-12-07)."""
    account = api2.signup()
    return account, [api2.create_prompt(account, title=f"Load prompt {i}")["_id"] for i in range(4)]


def test_both_workers_writing_at_once_lose_nothing(
    two_workers: ServerProcess,
    api2: Api,
    writer: tuple[Account, list[str]],
    pinned_clients: list[tuple[int, httpx.Client]],
) -> None:
    account, prompts = writer
    tag = uuid.uuid4().hex
    barrier = threading.Barrier(len(pinned_clients))
    answers: list[list[httpx.Response]] = [[] for _ in pinned_clients]
    last_pid: list[int | None] = [None] * len(pinned_clients)
    errors: list[BaseException] = []

    def post_many(index: int) -> None:
        _, client = pinned_clients[index]
        try:
            barrier.wait(timeout=60)
            for n in range(POSTS_PER_CLIENT):
                answers[index].append(
                    post_log(client, account, prompts[n % 4], f"{tag}-{index}-{n}")
                )
            last_pid[index] = serving_pid(two_workers, answers[index][-1])
        except BaseException as exc:  # reported on the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=post_many, args=(i,)) for i in range(len(pinned_clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert not errors, errors[:3]

    responses = [response for batch in answers for response in batch]
    assert len(responses) == len(pinned_clients) * POSTS_PER_CLIENT
    failures = [(r.status_code, r.text) for r in responses if r.status_code != 201]
    assert not failures, failures[:3]
    # Each connection stayed on its worker to the end: both processes wrote throughout.
    assert last_pid == [pid for pid, _ in pinned_clients]

    acknowledged = {r.json()["_id"]: r.json()["output"] for r in responses}
    assert len(acknowledged) == len(responses)
    listed = api2.client.get("/logs", headers=account.headers)
    assert listed.status_code == 200, listed.text
    stored = {log["_id"]: log["output"] for log in listed.json()}
    assert stored == acknowledged


def post_log(client: httpx.Client, account: Account, prompt_id: str, output: str) -> httpx.Response:
    body = {"promptId": prompt_id, "output": output, "modelUsed": "gpt-4o", "score": 5}
    return client.post("/logs", json=body, headers=account.headers)


def test_writers_wait_for_a_turn_held_past_the_busy_timeout(
    two_workers: ServerProcess, api2: Api, pinned_clients: list[tuple[int, httpx.Client]]
) -> None:
    """Another process holds the write turn and SQLite's write lock for longer than the busy
    timeout: the server's writes wait for it and then succeed, none gives up with 503."""
    if two_workers.engine != "sqlite":
        pytest.skip("the write turn is SQLite's")
    account = api2.signup()
    prompt = api2.create_prompt(account)["_id"]
    path = Path(two_workers.database_url.split(":///", 1)[1])
    # One client per worker, so both processes have a write waiting.
    one_each = {pid: client for pid, client in pinned_clients}
    assert len(one_each) == 2
    with ThreadPoolExecutor(max_workers=4) as pool:
        with (
            locks.held(locks.beside(path, ".write-lock"), fcntl.LOCK_EX),
            closing(sqlite3.connect(path, isolation_level=None)) as conn,
        ):
            conn.execute("BEGIN IMMEDIATE")
            futures = [
                pool.submit(post_log, client, account, prompt, f"held-{n}")
                for n, client in enumerate(one_each.values())
            ]
            time.sleep(BUSY_TIMEOUT_MS / 1000 + 1)
            # Nothing can commit while we hold the lock, so nothing is acknowledged yet.
            assert not [future for future in futures if future.done()]
            conn.execute("COMMIT")
        responses = [future.result(timeout=60) for future in futures]
    assert [r.status_code for r in responses] == [201, 201], [r.text for r in responses]
    listed = api2.client.get(f"/logs?promptId={prompt}", headers=account.headers)
    assert sorted(log["output"] for log in listed.json()) == ["held-0", "held-1"]

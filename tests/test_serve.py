"""The real ``promptcrafter serve --workers 2`` over TCP, on both engines."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

TAKEN = "Email already in use."
BAD_LOGIN = "Incorrect email or password."
BAD_TOKEN = "Authentication token is expired or invalid."
RACERS = 20


@pytest.fixture(scope="module")
def server(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"serve-{engine}")
    with fresh_database(engine, directory) as url, ServerProcess(url, directory, workers=2) as srv:
        yield srv


def fresh_client(server: ServerProcess) -> httpx.Client:
    # A new connection per request spreads requests over both workers.
    return httpx.Client(base_url=server.base_url, timeout=60, headers={"Connection": "close"})


def case_variants(email: str, count: int) -> list[str]:
    """``count`` distinct spellings of ``email``: bit k of i upper-cases the k-th letter."""
    letters = [n for n, c in enumerate(email) if c.isalpha()]
    return [
        "".join(
            c.upper() if n in letters[:8] and i >> letters.index(n) & 1 else c
            for n, c in enumerate(email)
        )
        for i in range(count)
    ]


def worker_processes(server: ServerProcess) -> int:
    assert server.process is not None
    pid = server.process.pid
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    commands = [Path(f"/proc/{child}/cmdline").read_bytes() for child in children]
    return sum(b"spawn_main" in command for command in commands)


def test_two_workers_serve_requests(server: ServerProcess) -> None:
    if Path("/proc/self/task").exists():
        assert worker_processes(server) == 2
    with fresh_client(server) as client:
        assert client.get("/health").json() == {"status": "ok"}
        email = f"serve-{uuid.uuid4().hex}@example.com"
        body = {"name": "Worker Test", "email": email, "password": "correct horse battery"}
        signup = client.post("/auth/signup", json=body)
        assert signup.status_code == 201, signup.text
        headers = {"Authorization": f"Bearer {signup.json()['token']}"}
        created = client.post(
            "/prompts", json={"title": "Two workers", "content": "c", "model": "m"}, headers=headers
        )
        assert created.status_code == 201, created.text
    prompt_id = created.json()["_id"]

    def read(_: int) -> tuple[int, str]:
        with fresh_client(server) as client:
            response = client.get(f"/prompts/{prompt_id}", headers=headers)
            return response.status_code, response.json().get("title", response.text)

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(read, range(24))) == {(200, "Two workers")}

    # Logging out ends the token on every worker, not only the one that served the logout.
    with fresh_client(server) as client:
        assert client.post("/auth/logout", headers=headers).status_code == 204

    def after_logout(_: int) -> tuple[int, str]:
        with fresh_client(server) as client:
            response = client.get("/prompts", headers=headers)
            return response.status_code, response.json()["error"]

    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(after_logout, range(16))) == {(401, BAD_TOKEN)}


@pytest.mark.parametrize("round_", range(2))
def test_parallel_signups_with_one_email_make_one_account(
    server: ServerProcess, round_: int
) -> None:
    base = f"race-{uuid.uuid4().hex[:12]}@example.com"
    variants = case_variants(base, RACERS)
    assert len(set(variants)) == RACERS

    def sign_up(index: int) -> tuple[int, dict]:
        body = {"name": f"Racer {index}", "email": variants[index], "password": f"password-{index}"}
        with fresh_client(server) as client:
            response = client.post("/auth/signup", json=body)
            return response.status_code, response.json()

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(sign_up, range(RACERS)))
    statuses = sorted(status for status, _ in results)
    assert statuses == [201] + [409] * (RACERS - 1), results
    winner = next(i for i, (status, _) in enumerate(results) if status == 201)
    for status, body in results:
        if status == 409:
            assert body == {"error": TAKEN}

    with fresh_client(server) as client:
        # Exactly the winner's password opens the account, whatever case the email is typed in.
        login = client.post(
            "/auth/login", json={"email": base.upper(), "password": f"password-{winner}"}
        )
        assert login.status_code == 200, login.text
        me = client.get("/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert me.json() == results[winner][1]["user"]
        loser = (winner + 1) % RACERS
        other = client.post("/auth/login", json={"email": base, "password": f"password-{loser}"})
        assert other.status_code == 401, other.text
        assert other.json() == {"error": BAD_LOGIN}

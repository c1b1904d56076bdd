"""JSON request logs and Prometheus metrics, on a real server, on both engines."""

from __future__ import annotations

import json
import os
import re
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.security.helpers import _children
from tests.support.api import PASSWORD, Api
from tests.support.browser import ui_client
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

pytestmark = pytest.mark.slow

MAKE_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture(scope="module")
def json_server(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"jsonlog-{engine}")
    env = {"PROMPTCRAFTER_LOG_FORMAT": "json"}
    with fresh_database(engine, directory) as url, ServerProcess(url, directory, env=env) as srv:
        yield srv


@pytest.fixture(scope="module")
def metrics_server(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"metrics-{engine}")
    env = {"PROMPTCRAFTER_METRICS_ENABLED": "true"}
    with (
        fresh_database(engine, directory) as url,
        ServerProcess(url, directory, workers=2, env=env) as srv,
    ):
        yield srv


def request_lines(server: ServerProcess) -> list[dict[str, Any]]:
    """Every line of the server's output parsed as JSON; the request lines among them."""
    time.sleep(0.2)  # lines are written at the end of the event loop's turn
    lines = server.log_path.read_text().splitlines()
    parsed = [json.loads(line) for line in lines if line.strip()]  # every line is JSON
    return [line for line in parsed if line["logger"] == "promptcrafter.access"]


def line_of(server: ServerProcess, rid: str) -> dict[str, Any]:
    found = [line for line in request_lines(server) if line["request_id"] == rid]
    assert len(found) == 1, found
    return found[0]


def test_one_json_line_per_request_with_its_route_and_caller(json_server: ServerProcess) -> None:
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
        api = Api(client=client, engine=json_server.engine)
        account = api.signup()
        prompt = api.create_prompt(account)
        made = client.post("/auth/keys", json={"name": "ci"}, headers=account.headers).json()
        key = {"Authorization": f"Bearer {made['key']}"}
        me = account.user["_id"]
        asked = [
            # (method, path, credential, route, status, user_id, key_id)
            ("GET", f"/prompts/{prompt['_id']}", account.headers, "/prompts/{id}", 200, me, None),
            # The caller is known before the parameter is refused (401/403 come before 400).
            (
                "GET",
                f"/prompts/{prompt['_id']}?x=1",
                account.headers,
                "/prompts/{id}",
                400,
                me,
                None,
            ),
            ("GET", "/search?q=prompt", account.headers, "/search", 200, me, None),
            ("GET", "/prompts", account.headers, "/prompts", 200, me, None),
            # A key names itself beside its owner, on the fast path and through FastAPI.
            ("GET", f"/prompts/{prompt['_id']}", key, "/prompts/{id}", 200, me, made["_id"]),
            ("GET", "/prompts", key, "/prompts", 200, me, made["_id"]),
            # Unrouted: nobody authenticated.
            ("GET", "/no/such/path", account.headers, None, 404, None, None),
            # UI pages are named with their /ui prefix, never as the API route of the same
            # shape (the UI's routes are relative to its mount).
            ("GET", "/ui/login", {}, "/ui/login", 200, None, None),
            ("GET", f"/ui/prompts/{prompt['_id']}", {}, "/ui/prompts/{id}", 303, None, None),
            ("GET", "/ui/no-such-page", {}, "/ui/{rest:path}", 404, None, None),
        ]
        for number, (method, path, credential, route, status, user_id, key_id) in enumerate(asked):
            rid = f"test-{number}.{json_server.engine}"
            response = client.request(method, path, headers={**credential, "X-Request-ID": rid})
            assert response.status_code == status, response.text
            assert response.headers["x-request-id"] == rid
            line = line_of(json_server, rid)
            assert line["method"] == method
            assert line["route"] == route
            assert line["status"] == status
            assert line["user_id"] == user_id
            assert line["key_id"] == key_id
            assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", line["time"])


def test_a_signed_in_browser_request_names_its_user(json_server: ServerProcess) -> None:
    # Pages and forms of the UI are made by someone: the log says who, as for the API. Before,
    # every UI line said null, so nothing done in the browser could be traced to a user.
    browser = ui_client(json_server.base_url).sign_up()
    try:
        me = browser.get("/ui/account")
        assert me.status_code == 200, me.text
        with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
            login = client.post("/auth/login", json={"email": browser.email, "password": PASSWORD})
            user_id = client.get(
                "/auth/me", headers={"Authorization": f"Bearer {login.json()['token']}"}
            ).json()["_id"]
        for number, path in enumerate(("/ui/", "/ui/account")):
            rid = f"ui-user-{number}.{json_server.engine}"
            page = browser.get(path, headers={"X-Request-ID": rid})
            assert page.status_code == 200, page.text
            line = line_of(json_server, rid)
            assert (line["route"], line["user_id"], line["key_id"]) == (path, user_id, None)
        # Signed out, the same page is nobody's.
        rid = f"ui-anon.{json_server.engine}"
        anonymous = httpx.get(f"{json_server.base_url}/ui/login", headers={"X-Request-ID": rid})
        assert anonymous.status_code == 200
        assert line_of(json_server, rid)["user_id"] is None
    finally:
        browser.client.close()


@pytest.mark.parametrize(
    "sent",
    ["", "has space", "x" * 129, "semi;colon", "ünïcode"],
    ids=["empty", "space", "too-long", "semicolon", "non-ascii"],
)
def test_an_invalid_request_id_is_replaced(json_server: ServerProcess, sent: str) -> None:
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
        response = client.get("/health", headers={"X-Request-ID": sent.encode("utf-8")})
    assert response.status_code == 200
    made = response.headers["x-request-id"]
    assert MAKE_ID.fullmatch(made)
    assert line_of(json_server, made)["route"] == "/health"


def test_a_request_id_is_made_when_none_is_sent(json_server: ServerProcess) -> None:
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
        first = client.get("/health").headers["x-request-id"]
        second = client.get("/health").headers["x-request-id"]
    assert MAKE_ID.fullmatch(first) and MAKE_ID.fullmatch(second) and first != second
    assert line_of(json_server, first)["status"] == 200
    longest = "A.b_c-9" * 18 + "xx"
    assert len(longest) == 128
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
        kept = client.get("/health", headers={"X-Request-ID": longest})
    assert kept.headers["x-request-id"] == longest


def test_no_password_token_or_body_reaches_the_log(json_server: ServerProcess) -> None:
    secret_body = "a-body-that-must-never-be-logged"
    with httpx.Client(base_url=json_server.base_url, timeout=30) as client:
        api = Api(client=client, engine=json_server.engine)
        account = api.signup()
        login = client.post("/auth/login", json={"email": account.email, "password": PASSWORD})
        assert login.status_code == 200
        wrong = client.post("/auth/login", json={"email": account.email, "password": secret_body})
        assert wrong.status_code == 401
        prompt = api.create_prompt(account, content=secret_body)
        api.create_log(account, prompt["_id"], output=secret_body)
        refused = client.get("/prompts", headers={"Authorization": f"Bearer {secret_body}"})
        assert refused.status_code == 401
    time.sleep(0.2)
    text = json_server.log_path.read_text()
    for secret in (PASSWORD, account.token, login.json()["token"], secret_body, account.email):
        assert secret not in text
    routes = [line["route"] for line in request_lines(json_server)]
    assert "/auth/login" in routes and "/auth/signup" in routes and "/logs" in routes


def test_metrics_are_off_by_default(live_server: ServerProcess) -> None:
    response = httpx.get(f"{live_server.base_url}/metrics")
    assert response.status_code == 404
    assert response.json() == {"error": "No resource exists at this path."}
    assert "x-request-id" not in response.headers
    paths = httpx.get(f"{live_server.base_url}/openapi.json").json()["paths"]
    assert "/metrics" not in paths


def samples(text: str, name: str) -> dict[frozenset[tuple[str, str]], float]:
    """``name``'s samples in a Prometheus text exposition, keyed by their labels."""
    found: dict[frozenset[tuple[str, str]], float] = {}
    pattern = re.compile(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$")
    for line in text.splitlines():
        match = pattern.match(line)
        if match:
            labels = frozenset(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            found[labels] = float(match.group(2))
    return found


def test_metrics_add_up_across_two_workers(metrics_server: ServerProcess) -> None:
    with httpx.Client(base_url=metrics_server.base_url, timeout=30) as client:
        api = Api(client=client, engine=metrics_server.engine)
        account = api.signup()
        prompt = api.create_prompt(account)
    reads, searches, misses = 30, 12, 7

    def fresh(path: str, **kwargs: Any) -> int:
        # A new connection each time spreads the requests over both workers.
        with httpx.Client(base_url=metrics_server.base_url, timeout=30) as one:
            return one.get(path, headers={"Connection": "close", **account.headers}).status_code

    assert {fresh(f"/prompts/{prompt['_id']}") for _ in range(reads)} == {200}
    assert {fresh("/search?q=prompt") for _ in range(searches)} == {200}
    assert {fresh("/nothing/here") for _ in range(misses)} == {404}

    scrape = httpx.get(f"{metrics_server.base_url}/metrics")
    assert scrape.status_code == 200
    assert scrape.headers["content-type"].startswith("text/plain")
    text = scrape.text
    histogram = "promptcrafter_http_request_duration_seconds"
    counts = samples(text, f"{histogram}_count")

    def count(method: str, route: str, status: str) -> float:
        return counts.get(frozenset({("method", method), ("route", route), ("status", status)}), 0)

    assert count("GET", "/prompts/{id}", "200") == reads
    assert count("GET", "/search", "200") == searches
    assert count("GET", "unmatched", "404") == misses
    assert count("POST", "/auth/signup", "201") == 1
    assert count("POST", "/prompts", "201") == 1

    key = frozenset({("method", "GET"), ("route", "/prompts/{id}"), ("status", "200")})
    buckets = {
        dict(labels)["le"]: value
        for labels, value in samples(text, f"{histogram}_bucket").items()
        if frozenset(pair for pair in labels if pair[0] != "le") == key
    }
    assert len(buckets) == 15  # 0.5 ms to 10 s, and +Inf
    assert buckets["+Inf"] == reads
    assert buckets["0.001"] <= buckets["0.01"] <= buckets["+Inf"]

    if metrics_server.engine == "sqlite":
        assert samples(text, "promptcrafter_db_write_queue") == {frozenset(): 0.0}
    else:
        open_connections = samples(text, "promptcrafter_db_pool_connections")
        assert open_connections[frozenset({("pool", "main")})] >= 2  # one or more per worker
        assert frozenset({("pool", "scan")}) in samples(
            text, "promptcrafter_db_pool_idle_connections"
        )

    # The scrape itself was counted by whichever worker served it.
    again = httpx.get(f"{metrics_server.base_url}/metrics").text
    assert (
        samples(again, f"{histogram}_count")[
            frozenset({("method", "GET"), ("route", "/metrics"), ("status", "200")})
        ]
        >= 1
    )


def test_metrics_token_is_required_when_set(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp(f"metrics-token-{engine}")
    env = {"PROMPTCRAFTER_METRICS_ENABLED": "true", "PROMPTCRAFTER_METRICS_TOKEN": "s3cret-scrape"}
    with fresh_database(engine, directory) as url, ServerProcess(url, directory, env=env) as srv:
        missing = httpx.get(f"{srv.base_url}/metrics")
        wrong = httpx.get(f"{srv.base_url}/metrics", headers={"Authorization": "Bearer nope"})
        right = httpx.get(
            f"{srv.base_url}/metrics", headers={"Authorization": "Bearer s3cret-scrape"}
        )
        posted = httpx.post(f"{srv.base_url}/metrics")
    assert missing.status_code == wrong.status_code == 401
    assert missing.json() == {"error": "Authentication token is expired or invalid."}
    assert (
        right.status_code == 200
        and "promptcrafter_http_request_duration_seconds_count" in right.text
    )
    assert posted.status_code == 405 and posted.headers["allow"] == "GET, HEAD"


def _metrics_directory(server: ServerProcess) -> Path:
    """The metric files' directory, from a worker's environment (serve makes it for them)."""
    assert server.process is not None
    for child in _children(server.process.pid):
        try:
            environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        for entry in environ:
            if entry.startswith(b"PROMETHEUS_MULTIPROC_DIR="):
                return Path(entry.split(b"=", 1)[1].decode())
    raise AssertionError("no worker has a metrics directory")


def _live_gauge_pids(directory: Path) -> set[int]:
    return {int(f.stem.rsplit("_", 1)[1]) for f in directory.glob("gauge_live*_*.db")}


def _pools_counted(directory: Path, pid: int) -> bool:
    """Whether a worker has written its pool gauges yet, not only created its file.

    A worker's file appears when its metrics are made, before its first gauge refresh sets the
    pools: a scrape in between reads that worker's pools as absent.
    """
    from prometheus_client.multiprocess import MultiProcessCollector

    files = [str(f) for f in directory.glob(f"gauge_live*_{pid}.db")]
    return any(
        metric.samples
        for metric in MultiProcessCollector.merge(files, accumulate=False)
        if metric.name == "promptcrafter_db_pool_connections"
    )


def _wait_for_pools(directory: Path, pids: set[int], engine: str, deadline: float) -> None:
    if engine != "postgresql":  # SQLite has no pool gauges to wait for
        return
    while not all(_pools_counted(directory, pid) for pid in pids):
        assert time.monotonic() < deadline, f"workers {pids} never set their pool gauges"
        time.sleep(0.1)


def test_a_killed_workers_gauges_leave_the_sums(
    engine: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A worker that stops cleanly takes its live gauges out of the sums itself; one killed
    # (SIGKILL, the out-of-memory killer) left its pool counted beside its replacement's:
    # PostgreSQL's open connections read 3 + 3 where 2 + 2 were open.
    directory = tmp_path_factory.mktemp(f"metrics-kill-{engine}")
    env = {"PROMPTCRAFTER_METRICS_ENABLED": "true"}
    gauge = "promptcrafter_db_pool_connections"
    with (
        fresh_database(engine, directory) as url,
        ServerProcess(url, directory, workers=2, env=env) as server,
    ):
        files = _metrics_directory(server)
        deadline = time.monotonic() + 30
        while len(_live_gauge_pids(files)) < 2 and time.monotonic() < deadline:
            httpx.get(f"{server.base_url}/metrics", headers={"Connection": "close"})
            time.sleep(0.2)
        workers = _live_gauge_pids(files)
        assert len(workers) == 2, workers
        _wait_for_pools(files, workers, engine, deadline)
        before = samples(httpx.get(f"{server.base_url}/metrics").text, gauge)

        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        while time.monotonic() < deadline:  # uvicorn starts a replacement
            if len(_live_gauge_pids(files) - workers) == 1:
                break
            time.sleep(0.2)
        replacement = _live_gauge_pids(files) - workers
        assert len(replacement) == 1, _live_gauge_pids(files)
        server.wait_healthy()
        # Otherwise the victim's stale pools could stand in for the replacement's missing ones.
        _wait_for_pools(files, replacement, engine, deadline)

        after = httpx.get(f"{server.base_url}/metrics")
        assert after.status_code == 200
        assert victim not in _live_gauge_pids(files)
        assert _live_gauge_pids(files) == (workers - {victim}) | replacement
        if engine == "postgresql":
            # Each worker opens its pools' minimum at start: two workers' worth again.
            assert samples(after.text, gauge) == before

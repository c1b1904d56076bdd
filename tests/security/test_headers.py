"""Response headers: nosniff on every answer, no-store on private ones, CORS only for the
configured origins, and the interactive docs switched off when asked."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.api import Account, Api
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

MIB = 1024 * 1024
APP = "https://app.example"
EVIL = "https://evil.example"
NO_SUCH_PATH = "No resource exists at this path."


@pytest.fixture
def account(api2: Api) -> Account:
    return api2.signup()


def everywhere(account: Account, prompt_id: str) -> list[tuple[str, str, dict[str, Any], int]]:
    auth = account.headers
    return [
        ("GET", "/health", {}, 200),
        ("GET", "/docs", {}, 200),
        ("GET", "/openapi.json", {}, 200),
        ("GET", "/prompts", {"headers": auth}, 200),
        (
            "POST",
            "/prompts",
            {"headers": auth, "json": {"title": "T t", "content": "c", "model": "m"}},
            201,
        ),
        ("GET", f"/prompts/{prompt_id}", {"headers": auth}, 200),
        ("DELETE", "/logs/log0", {"headers": auth}, 404),
        ("POST", "/auth/login", {"json": {"email": account.email, "password": "x" * 10}}, 401),
        ("GET", "/prompts", {}, 401),
        ("GET", "/prompts/bad-id", {"headers": auth}, 400),
        ("GET", "/no/such/route", {}, 404),
        ("PUT", "/prompts", {"headers": auth, "json": {}}, 405),
        ("DELETE", "/health", {}, 405),
        (
            "POST",
            "/prompts",
            {"headers": {**auth, "Content-Type": "text/plain"}, "content": b"x"},
            415,
        ),
        (
            "POST",
            "/prompts",
            {"headers": {**auth, "Content-Type": "application/json"}, "content": b" " * (MIB + 1)},
            413,
        ),
        ("DELETE", f"/prompts/{prompt_id}", {"headers": auth}, 204),
    ]


def test_nosniff_on_every_answer(http: httpx.Client, api2: Api, account: Account) -> None:
    prompt = api2.create_prompt(account)
    for method, path, kwargs, status in everywhere(account, prompt["_id"]):
        response = http.request(method, path, **kwargs)
        assert response.status_code == status, (method, path, response.text)
        assert response.headers["x-content-type-options"] == "nosniff", (method, path)
        if status >= 400:
            assert response.headers["content-type"] == "application/json", (method, path)
            assert "error" in response.json()


def test_no_store_on_private_answers(http: httpx.Client, api2: Api, account: Account) -> None:
    prompt = api2.create_prompt(account)
    log = api2.create_log(account, prompt["_id"])
    auth = account.headers
    answers = [
        http.post(
            "/auth/signup", json={"name": "N", "email": api2.unique_email(), "password": "p" * 12}
        ),
        http.post("/auth/login", json={"email": account.email, "password": account.password}),
        http.get("/auth/me", headers=auth),
        http.get("/prompts", headers=auth),
        http.get(f"/prompts/{prompt['_id']}", headers=auth),
        http.patch(f"/prompts/{prompt['_id']}", json={"title": "New title"}, headers=auth),
        http.post("/prompts", json={"title": "T t", "content": "c", "model": "m"}, headers=auth),
        http.get("/logs", headers=auth),
        http.get(f"/logs?promptId={prompt['_id']}", headers=auth),
        http.get(f"/logs-by-prompt?promptId={prompt['_id']}", headers=auth),
        http.post(
            "/logs", json={"promptId": prompt["_id"], "output": "o", "model": "m"}, headers=auth
        ),
        http.get("/search?q=prompt", headers=auth),
        http.delete(f"/logs/{log['_id']}", headers=auth),
        http.post("/auth/logout", headers=auth),
    ]
    for response in answers:
        assert response.status_code < 300, (response.request.url, response.text)
        assert response.headers["cache-control"] == "no-store", response.request.url


def test_no_cors_headers_by_default(http: httpx.Client, account: Account) -> None:
    simple = http.get("/auth/me", headers={**account.headers, "Origin": APP})
    assert simple.status_code == 200
    preflight = http.options(
        "/prompts",
        headers={
            "Origin": APP,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    assert preflight.status_code == 405, preflight.text
    for response in (simple, preflight):
        assert not [name for name in response.headers if name.startswith("access-control-")]


def preflight(client: httpx.Client, origin: str) -> httpx.Response:
    return client.options(
        "/prompts",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization,content-type,if-match",
        },
    )


@pytest.fixture(scope="module")
def cors_server(engine: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp(f"cors-{engine}")
    env = {"PROMPTCRAFTER_CORS_ORIGINS": APP, "PROMPTCRAFTER_DOCS_ENABLED": "false"}
    with (
        fresh_database(engine, directory) as url,
        ServerProcess(url, directory, env=env) as server,
    ):
        yield server


def test_cors_for_listed_origin_only_and_docs_off(cors_server: ServerProcess) -> None:
    with httpx.Client(base_url=cors_server.base_url, timeout=30) as client:
        allowed = preflight(client, APP)
        assert allowed.status_code == 200, allowed.text
        assert allowed.headers["access-control-allow-origin"] == APP
        methods = {m.strip() for m in allowed.headers["access-control-allow-methods"].split(",")}
        assert {"GET", "POST", "PATCH", "DELETE"} <= methods
        allowed_headers = allowed.headers["access-control-allow-headers"].lower()
        assert {"authorization", "content-type", "if-match"} <= {
            h.strip() for h in allowed_headers.split(",")
        }
        assert allowed.headers["x-content-type-options"] == "nosniff"

        signup = {"name": "C", "email": "cors@example.com", "password": "p" * 12}
        created = client.post("/auth/signup", json=signup, headers={"Origin": APP})
        assert created.status_code == 201, created.text
        assert created.headers["access-control-allow-origin"] == APP
        assert "origin" in created.headers["vary"].lower()
        exposed = created.headers["access-control-expose-headers"].lower()
        assert "etag" in exposed and "retry-after" in exposed
        assert "link" in {h.strip() for h in exposed.split(",")}  # paging's next page

        # The hot routes answered in front of FastAPI carry the headers as well.
        auth = {"Origin": APP, "Authorization": f"Bearer {created.json()['token']}"}
        prompt = client.post(
            "/prompts", json={"title": "Tea", "content": "C", "model": "m"}, headers=auth
        )
        assert prompt.status_code == 201
        prompt_id = prompt.json()["_id"]
        hot = [
            client.get(f"/prompts/{prompt_id}", headers=auth),
            client.get("/search", params={"q": "Tea"}, headers=auth),
            client.post(
                "/logs", json={"promptId": prompt_id, "output": "o", "modelUsed": "m"}, headers=auth
            ),
            client.patch(f"/prompts/{prompt_id}", json={"title": "Tee"}, headers=auth),
            client.post(f"/prompts/{prompt_id}/render", json={"variables": {}}, headers=auth),
        ]
        for answer in hot:
            assert answer.status_code in (200, 201), answer.text
            assert answer.headers["access-control-allow-origin"] == APP, answer.request.url
            assert "etag" in answer.headers["access-control-expose-headers"].lower()

        refused = preflight(client, EVIL)
        assert refused.status_code >= 400
        assert "access-control-allow-origin" not in refused.headers
        simple = client.get("/health", headers={"Origin": EVIL})
        assert simple.status_code == 200
        assert "access-control-allow-origin" not in simple.headers

        docs = client.get("/docs")
        assert docs.status_code == 404
        assert docs.json() == {"error": NO_SUCH_PATH}
        assert docs.headers["x-content-type-options"] == "nosniff"


def test_refused_cors_preflight_uses_the_error_format(cors_server: ServerProcess) -> None:
    # SPEC: every error is a JSON object {"error": ...}, never a framework default.
    with httpx.Client(base_url=cors_server.base_url, timeout=30) as client:
        refused = preflight(client, EVIL)
    assert refused.status_code in (400, 403), refused.text
    assert refused.headers["content-type"].startswith("application/json"), refused.text
    assert set(refused.json()) <= {"error", "details"}


def raw_get(server: ServerProcess, target: str, token: str) -> tuple[int, dict[str, str], bytes]:
    request = (
        f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        "Connection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request.encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return int(status_line.split()[1]), headers, body


def test_overlong_search_query_is_a_json_error_with_nosniff(
    two_workers: ServerProcess, account: Account
) -> None:
    # Found by the fuzzer: a query string over 64 KiB (here 8,000 percent-encoded CJK
    # characters) is refused by the HTTP layer in plain text, without the headers.
    status, headers, body = raw_get(two_workers, "/search?q=" + "%E5%B6%B0" * 8000, account.token)
    assert 400 <= status < 500, (status, body)
    assert headers.get("x-content-type-options") == "nosniff", (status, headers, body)
    assert headers.get("content-type") == "application/json", (status, headers, body)
    assert set(json.loads(body)) <= {"error", "details"}

"""Answers a review found wrong (2026-12-04): each test fails on the code before the fix."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.api import Api
from tests.support.contract import assert_error
from tests.support.server import ServerProcess

MISSING = "Required fields are missing or invalid."
WEAK = "The password does not meet the security requirements."
PASSWORD = "correct horse battery"


def _signup(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post(
        "/auth/signup", json={"name": "Review", "email": email, "password": password}
    )


def _login(client: httpx.Client, email: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/auth/login", json={"email": email, "password": password})


def test_health_reads_the_database_file(tmp_path: Path) -> None:
    db = tmp_path / "health.db"
    with (
        ServerProcess(f"sqlite:///{db}", tmp_path) as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        assert client.get("/health").json() == {"status": "ok"}
        # The file's header and schema page overwritten: no query can read it any more.
        for path in (db, Path(f"{db}-wal")):
            if path.exists():
                with open(path, "r+b") as file:
                    file.write(os.urandom(min(path.stat().st_size, 64 * 1024)))
        response = client.get("/health")
        assert response.status_code == 503
        assert response.json()["status"] != "ok"


@pytest.mark.parametrize(
    ("stored", "typed"),
    [
        (f"jos\u00e9-{os.getpid()}@example.com", f"jose\u0301-{os.getpid()}@example.com"),
        (f"ida-{os.getpid()}@ex\u00e4mple.com", f"ida-{os.getpid()}@xn--exmple-cua.com"),
        (f"Mixed-{os.getpid()}@Example.com", f"  mixed-{os.getpid()}@EXAMPLE.COM "),
    ],
)
def test_login_finds_the_address_signup_says_is_in_use(
    client: httpx.Client, stored: str, typed: str
) -> None:
    suffix = os.urandom(3).hex()
    stored, typed = stored.replace("@", f"{suffix}@", 1), typed.replace("@", f"{suffix}@", 1)
    assert unicodedata.normalize("NFC", stored) != typed
    assert _signup(client, stored).status_code == 201
    if typed == typed.strip():  # signup refuses surrounding white space as no address
        assert_error(_signup(client, typed), 409, "Email already in use.")
    response = _login(client, typed)
    assert response.status_code == 200, response.text
    assert response.json()["tokenType"] == "Bearer"


def test_login_with_another_password_is_still_refused(client: httpx.Client, api: Api) -> None:
    email = api.unique_email()
    assert _signup(client, email).status_code == 201
    assert_error(
        _login(client, email.upper(), "not the password"), 401, "Incorrect email or password."
    )


@pytest.mark.parametrize("password", [" " * 12, "\t" * 10 + "\n" * 3, "\u3000" * 10])
def test_signup_refuses_a_password_of_white_space(
    client: httpx.Client, api: Api, password: str
) -> None:
    email = api.unique_email()
    assert_error(_signup(client, email, password), 400, WEAK)
    assert_error(_login(client, email, password), 400, MISSING)  # and no account was made
    assert_error(_login(client, email, "x" * 12), 401, "Incorrect email or password.")


@pytest.mark.parametrize(
    "body",
    [
        {"email": "someone@example.com", "password": ""},
        {"email": "someone@example.com", "password": "   "},
        {"email": "   ", "password": "long enough password"},
        {"email": "\t", "password": "\t"},
    ],
)
def test_login_with_a_blank_field_is_a_400(client: httpx.Client, body: dict[str, str]) -> None:
    assert_error(client.post("/auth/login", json=body), 400, MISSING)


@pytest.mark.parametrize("raw", [b"q=abc%FFdef", b"q=%ED%A0%80", b"q=caf%C3", b"q=ok&q2=%C0%AF"])
def test_search_refuses_a_query_that_is_not_utf8(api: Api, raw: bytes) -> None:
    account = api.signup()
    api.create_prompt(account, title="Replacement", content="abc\ufffddef and caf\ufffd")
    for suffix in (b"", b"&limit=5"):
        response = api.client.get(
            "/search?" + (raw + suffix).decode("ascii"), headers=account.headers
        )
        if b"q2" in raw:  # an unknown parameter is refused before its value is read
            assert_error(response, 400, "The request is malformed or contains invalid parameters.")
        else:
            assert_error(response, 400, "Missing or malformed query string.")


def test_a_listing_refuses_a_parameter_that_is_not_utf8(api: Api) -> None:
    account = api.signup()
    response = api.client.get("/prompts?tag=%FF&limit=5", headers=account.headers)
    assert_error(response, 400, "The request is malformed or contains invalid parameters.")
    ok = api.client.get("/prompts?tag=caf%C3%A9&limit=5", headers=account.headers)
    assert ok.status_code == 200 and ok.json() == []


def test_bytes_that_are_not_utf8_get_the_sentence_of_their_own_parameter(api: Api) -> None:
    # The route's own sentence (promptId's, the search query's) is about its own parameter;
    # it was given for bytes in any parameter (review of 2026-12-08).
    account = api.signup()
    prompt_id = api.create_prompt(account)["_id"]
    malformed = "The request is malformed or contains invalid parameters."
    cases = [
        ("/logs?limit=%FF", malformed),
        (f"/logs?promptId={prompt_id}&model=%FF", malformed),
        (f"/logs-by-prompt?promptId={prompt_id}&limit=%FF", malformed),
        ("/search?q=abc&limit=%FF", malformed),
        ("/search?q=abc&cursor=%C3", malformed),
        ("/logs?promptId=%FF", "`promptId` missing or malformed"),
        ("/logs-by-prompt?promptId=prompt%C3&limit=5", "`promptId` missing or malformed"),
        ("/search?q=%FF&limit=5", "Missing or malformed query string."),
    ]
    for path, sentence in cases:
        assert_error(api.client.get(path, headers=account.headers), 400, sentence)


def _without_content_type(
    client: httpx.Client, method: str, path: str, body: bytes, **h: str
) -> httpx.Response:
    request = client.build_request(method, path, content=body, headers=h)
    request.headers.pop("content-type", None)
    assert "content-type" not in request.headers
    return client.send(request)


def test_a_json_body_without_content_type_is_read_as_json_everywhere(api: Api) -> None:
    account = api.signup()
    auth = {"Authorization": account.headers["Authorization"]}
    created = _without_content_type(
        api.client, "POST", "/prompts", b'{"title":"abcd","content":"x","model":"m"}', **auth
    )
    assert created.status_code == 201, created.text
    prompt_id = created.json()["_id"]
    log = f'{{"promptId":"{prompt_id}","output":"x","modelUsed":"m"}}'.encode()
    assert _without_content_type(api.client, "POST", "/logs", log, **auth).status_code == 201
    blank = f'{{"promptId":"{prompt_id}","output":"","modelUsed":"m"}}'.encode()
    refused = _without_content_type(api.client, "POST", "/logs", blank, **auth)
    assert_error(refused, 400, MISSING)
    assert [d["field"] for d in refused.json().get("details", [])] == ["output"]
    email = api.unique_email()
    signup = f'{{"name":"n","email":"{email}","password":"{PASSWORD}"}}'.encode()
    assert _without_content_type(api.client, "POST", "/auth/signup", signup).status_code == 201
    assert len(api.client.get(f"/logs?promptId={prompt_id}", headers=account.headers).json()) == 1


def _operation(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    operation: dict[str, Any] = document["paths"][path][method]
    return operation


def test_openapi_says_what_the_server_requires(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for path, name in (("/search", "q"), ("/logs-by-prompt", "promptId")):
        [param] = [p for p in _operation(document, path, "get")["parameters"] if p["name"] == name]
        assert param["required"] is True, (path, param)
    password = document["components"]["schemas"]["SignupIn"]["properties"]["password"]
    assert (password["minLength"], password["maxLength"]) == (10, 128)
    for path, method, status in (
        ("/prompts", "post", "201"),
        ("/prompts/{id}", "get", "200"),
        ("/prompts/{id}", "patch", "200"),
    ):
        headers = _operation(document, path, method)["responses"][status].get("headers", {})
        assert "ETag" in headers, (path, method)


def test_openapi_lists_the_403_an_api_key_gets(client: httpx.Client) -> None:
    document = client.get("/openapi.json").json()
    for path, method, sentence in (
        ("/prompts", "post", "This API key may only read."),
        ("/logs", "post", "This API key may only read."),
        ("/auth/logout", "post", "API keys cannot manage the account."),
        ("/prompts/{id}", "patch", "This API key may only read."),
    ):
        entry = _operation(document, path, method)["responses"].get("403")
        assert entry is not None, (path, method)
        assert sentence in entry["description"], (path, method, entry)
    assert "403" not in _operation(document, "/prompts", "get")["responses"]


# --- robustness (the second review) -----------------------------------------------------


def test_an_if_match_of_thousands_of_digits_is_a_412(api: Api) -> None:
    account = api.signup()
    prompt = api.create_prompt(account)
    huge = '"' + "9" * 5000 + '"'
    padded = '"' + "0" * 5000 + '1"'  # version 1, written with leading zeros
    for method, body in (("PATCH", {"title": "A new title"}), ("DELETE", None)):
        response = api.client.request(
            method,
            f"/prompts/{prompt['_id']}",
            json=body,
            headers={**account.headers, "If-Match": huge},
        )
        assert_error(response, 412)
    changed = api.client.patch(
        f"/prompts/{prompt['_id']}",
        json={"title": "Changed through padding"},
        headers={**account.headers, "If-Match": padded},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["title"] == "Changed through padding"


@pytest.mark.parametrize("path", ["/logs", "/prompts", "/auth/login"])
def test_a_content_length_of_thousands_of_digits_is_no_5xx(
    live_server: ServerProcess, path: str
) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", live_server.port), timeout=10) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
            + b"Content-Length: "
            + b"0" * 5000
            + b"2\r\nConnection: close\r\n\r\n{}"
        )
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    assert 400 <= status < 500, answer[:300]
    assert b'{"error":' in answer


@pytest.mark.parametrize("depth", [63, 64, 300, 1000])
def test_render_refuses_deeply_nested_values(api: Api, depth: int) -> None:
    account = api.signup()
    prompt = api.create_prompt(account, content="Say {{ x }} to the world")
    body = '{"variables":{"x":' + "[" * depth + "]" * depth + "}}"
    url = f"/prompts/{prompt['_id']}/render"
    response = api.client.post(
        url, content=body, headers={**account.headers, "Content-Type": "application/json"}
    )
    if depth < 64:
        assert response.status_code == 200, response.text
        assert response.json()["rendered"] == "Say " + "[" * depth + "]" * depth + " to the world"
    else:
        assert_error(response, 400)


def test_render_keeps_integers_beyond_64_bits(api: Api) -> None:
    account = api.signup()
    prompt = api.create_prompt(account, content="{{ a }} {{ b }} {{ c }} {{ d }}")
    body = (
        b'{"variables":{"a":12345678901234567890123,"b":{"n":100000000000000000000},'
        b'"c":2.5,"d":-9223372036854775809}}'
    )
    url = f"/prompts/{prompt['_id']}/render"
    headers = {**account.headers, "Content-Type": "application/json"}
    expected = '12345678901234567890123 {"n":100000000000000000000} 2.5 -9223372036854775809'
    fast = api.client.post(url, content=body, headers=headers)
    assert fast.status_code == 200, fast.text
    assert fast.json()["rendered"] == expected

    def chunked() -> Any:  # no Content-Length: the request takes FastAPI's route
        yield body

    routed = api.client.post(url, content=chunked(), headers=headers)
    assert routed.status_code == 200, routed.text
    assert routed.json()["rendered"] == expected


def test_head_on_health_answers_like_get(client: httpx.Client) -> None:
    response = client.head("/health")
    assert response.status_code == 200
    assert response.content == b""
    assert response.headers["content-type"] == "application/json"
    document = client.get("/openapi.json").json()
    assert list(document["paths"]["/health"]) == ["get"]
    ids = [op["operationId"] for item in document["paths"].values() for op in item.values()]
    assert len(ids) == len(set(ids))  # Swagger UI tells operations apart by it


@pytest.mark.parametrize(
    ("method", "path", "sentence"),
    [
        (
            "GET",
            "/prompts/prompt3%2Fx",
            "The request is malformed or the prompt ID format is invalid.",
        ),
        ("PATCH", "/prompts/bad%2fid", "The prompt ID format is invalid."),
        ("DELETE", "/prompts/prompt3%2F", "The prompt ID format is invalid."),
        ("DELETE", "/logs/log3%2Fx", "The request is malformed or the log ID format is invalid."),
    ],
)
def test_an_encoded_slash_in_an_id_is_a_malformed_id(
    api: Api, method: str, path: str, sentence: str
) -> None:
    account = api.signup()
    body = {"title": "A new title"} if method == "PATCH" else None
    response = api.client.request(method, path, json=body, headers=account.headers)
    assert_error(response, 400, sentence)
    literal = api.client.get("/prompts/prompt3/x", headers=account.headers)
    assert_error(literal, 404, "No resource exists at this path.")


@pytest.mark.parametrize(
    ("title", "queries"),
    [
        ("ΚΟΣΜΟΣ news", ["ΚΟΣ", "κοσμοσ", "σμοσ", "ΚΟΣΜΟΣ"]),
        ("Straße name", ["STRASSE", "strasse", "straße", "Strasse"]),
        ("Ship ﬁles", ["files", "FILES", "ﬁles"]),
    ],
)
def test_search_folds_case_fully(api: Api, title: str, queries: list[str]) -> None:
    account = api.signup()
    prompt = api.create_prompt(account, title=title)
    for query in queries:
        for params in ({"q": query}, {"q": query, "limit": "5"}):
            response = api.client.get("/search", params=params, headers=account.headers)
            assert response.status_code == 200, response.text
            assert [p["_id"] for p in response.json()] == [prompt["_id"]], (title, query)


def test_head_answers_wherever_get_does(api: Api) -> None:
    account = api.signup()
    prompt = api.create_prompt(account, title="Headed prompt")
    for path in (f"/prompts/{prompt['_id']}", "/prompts", "/search?q=headed", "/logs"):
        got = api.client.get(path, headers=account.headers)
        head = api.client.head(path, headers=account.headers)
        assert (head.status_code, got.status_code) == (200, 200), path
        assert head.content == b""
        assert head.headers["content-type"] == got.headers["content-type"]
        assert head.headers.get("etag") == got.headers.get("etag")
    assert api.client.head(f"/prompts/{prompt['_id']}").status_code == 401
    refused = api.client.request("PUT", "/prompts", headers=account.headers)
    assert refused.status_code == 405 and "HEAD" in refused.headers["allow"]

"""Conventions every route shares: the error format, body parsing, limits and headers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from tests.support.api import Account, Api

MISSING = "Required fields are missing or invalid."
MALFORMED_PARAMS = "The request is malformed or contains invalid parameters."
MIB = 1024 * 1024
JSON = {"Content-Type": "application/json"}


def assert_error(response: httpx.Response, *statuses: int) -> dict:
    """The contract's error: a JSON object with a string ``error`` and maybe a ``details`` list."""
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].split(";")[0].strip() == "application/json"
    body = response.json()
    assert isinstance(body, dict), body
    assert isinstance(body.get("error"), str) and body["error"], body
    assert set(body) <= {"error", "details"}, body
    assert isinstance(body.get("details", []), list), body
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    return body


@pytest.fixture
def account(api: Api) -> Account:
    return api.signup()


def post_raw(
    client: httpx.Client, path: str, content: bytes, account: Account, **headers: str
) -> httpx.Response:
    return client.post(path, content=content, headers={**JSON, **account.headers, **headers})


def prompt_count(client: httpx.Client, account: Account) -> int:
    response = client.get("/prompts", headers=account.headers)
    assert response.status_code == 200, response.text
    return len(response.json())


VALID = b'{"title": "A title", "content": "Some content", "model": "gpt-4"}'

BAD_BODIES = {
    "syntax error": b'{"title": "A title", "content": ',
    "trailing comma": b'{"title": "A title", "content": "c", "model": "m",}',
    "single quotes": b"{'title': 'A title', 'content': 'c', 'model': 'm'}",
    "array": b'[{"title": "A title", "content": "c", "model": "m"}]',
    "string": b'"A title"',
    "number": b"5",
    "null": b"null",
    "true": b"true",
    "empty": b"",
    "whitespace": b"   ",
    "NaN": b'{"title": "A title", "content": "c", "model": "m", "tags": [NaN]}',
    "nul in string": b'{"title": "A ti\\u0000tle", "content": "c", "model": "m"}',
    "raw nul byte": b'{"title": "A ti\x00tle", "content": "c", "model": "m"}',
    "lone high surrogate": b'{"title": "A title \\ud800", "content": "c", "model": "m"}',
    "lone low surrogate": b'{"title": "A title", "content": "\\udc00", "model": "m"}',
    "surrogate in tag": b'{"title": "A title", "content": "c", "model": "m", "tags": ["\\ud83d"]}',
    "invalid utf-8": b'{"title": "A title \xff\xfe", "content": "c", "model": "m"}',
    "overlong utf-8": b'{"title": "A title \xc0\xaf", "content": "c", "model": "m"}',
    "utf-8 surrogate bytes": b'{"title": "A title \xed\xa0\x80", "content": "c", "model": "m"}',
    "number as string": b'{"title": "A title", "content": "c", "model": 5}',
    "server-owned _id": b'{"_id": "prompt1", "title": "A title", "content": "c", "model": "m"}',
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_json_bodies_on_post_prompts_are_400(
    client: httpx.Client, account: Account, body: bytes
) -> None:
    assert_error(post_raw(client, "/prompts", body, account), 400)
    assert prompt_count(client, account) == 0


@pytest.mark.parametrize(
    "body", [BAD_BODIES[k] for k in ("syntax error", "array", "nul in string", "invalid utf-8")]
)
@pytest.mark.parametrize("path", ["/auth/signup", "/auth/login", "/logs"])
def test_bad_json_bodies_elsewhere_are_400(
    client: httpx.Client, account: Account, path: str, body: bytes
) -> None:
    assert_error(post_raw(client, path, body, account), 400)


@pytest.mark.parametrize("path", ["/prompts", "/logs", "/auth/signup"])
def test_a_body_that_is_not_json_names_no_field(
    client: httpx.Client, account: Account, path: str
) -> None:
    # The place of a JSON syntax error is a character offset; it was shown as the field
    # ("field": "19"). Review of 2026-12-08.
    response = post_raw(client, path, b'{"title": "A title", oops}', account)
    assert response.status_code == 400
    for detail in response.json().get("details", []):
        assert detail["field"] is None, detail


@pytest.mark.parametrize("name", ['"Ada\\u0000"', '"Ada \\ud800"', '"\\udfff Ada"', '"\\ud800"'])
def test_nul_and_lone_surrogates_are_rejected_on_signup(
    client: httpx.Client, api: Api, account: Account, name: str
) -> None:
    email = api.unique_email()
    body = f'{{"name": {name}, "email": "{email}", "password": "long-enough-pw"}}'.encode()
    assert assert_error(post_raw(client, "/auth/signup", body, account), 400)["error"] == MISSING
    login = client.post("/auth/login", json={"email": email, "password": "long-enough-pw"})
    assert login.status_code == 401, login.text


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/xml",
        "text/json",
    ],
)
def test_non_json_content_type_is_400_or_415(
    client: httpx.Client, account: Account, content_type: str
) -> None:
    response = post_raw(client, "/prompts", VALID, account, **{"Content-Type": content_type})
    assert_error(response, 400, 415)
    assert prompt_count(client, account) == 0


def test_json_content_type_with_charset_is_accepted(client: httpx.Client, account: Account) -> None:
    response = post_raw(
        client, "/prompts", VALID, account, **{"Content-Type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 201, response.text


NESTING_BOMBS = {
    "arrays": b"[" * 100_000,
    "closed arrays": b"[" * 100_000 + b"]" * 100_000,
    "objects": b'{"a":' * 50_000,
    "inside a field": b'{"title": "A title", "content": "c", "model": "m", "tags": '
    + b"[" * 100_000,
}


@pytest.mark.parametrize("bomb", NESTING_BOMBS.values(), ids=NESTING_BOMBS.keys())
@pytest.mark.parametrize("path", ["/prompts", "/auth/signup"])
def test_nesting_bomb_is_refused_fast(
    client: httpx.Client, account: Account, path: str, bomb: bytes
) -> None:
    started = time.monotonic()
    response = post_raw(client, path, bomb, account)
    assert time.monotonic() - started < 5
    assert_error(response, 400, 413)
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/nope"),
        ("GET", "/prompts/prompt1/logs"),
        ("POST", "/auth/nothing"),
        ("GET", "/logs/log1/extra"),
        # A trailing slash is another path: no framework redirect (307 with an empty body).
        ("GET", "/prompts/"),
        ("POST", "/prompts/"),
        ("GET", "/auth/me/"),
    ],
)
def test_unknown_route_is_404(
    client: httpx.Client, account: Account, method: str, path: str
) -> None:
    response = client.request(method, path, headers=account.headers)
    assert_error(response, 404)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/prompts"),
        ("DELETE", "/prompts"),
        ("PUT", "/prompts/prompt1"),
        ("POST", "/prompts/prompt1"),
        ("GET", "/auth/signup"),
        ("GET", "/auth/login"),
        ("PATCH", "/logs"),
        ("DELETE", "/logs"),
        ("POST", "/search"),
    ],
)
def test_wrong_method_is_405(
    client: httpx.Client, account: Account, method: str, path: str
) -> None:
    response = client.request(method, path, content=VALID, headers={**JSON, **account.headers})
    assert_error(response, 405)


def sized_prompt(size: int) -> bytes:
    """A JSON prompt body of exactly ``size`` bytes (its content far over 200,000 chars)."""
    head, tail = b'{"title": "A title", "model": "m", "content": "', b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_a_body_of_exactly_1_mib_is_parsed(client: httpx.Client, account: Account) -> None:
    body = sized_prompt(MIB)
    assert len(body) == MIB
    assert assert_error(post_raw(client, "/prompts", body, account), 400)["error"] == MISSING


@pytest.mark.parametrize("path", ["/prompts", "/auth/signup", "/logs", "/prompts/prompt1"])
def test_body_over_1_mib_with_content_length_is_413(
    client: httpx.Client, account: Account, path: str
) -> None:
    body = sized_prompt(MIB + 1)
    method = "PATCH" if path.startswith("/prompts/") else "POST"
    response = client.request(method, path, content=body, headers={**JSON, **account.headers})
    assert_error(response, 413)
    assert prompt_count(client, account) == 0


def chunks(body: bytes, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def test_chunked_body_over_1_mib_is_413(client: httpx.Client, account: Account) -> None:
    body = sized_prompt(MIB + 100)
    response = post_raw(client, "/prompts", chunks(body), account)  # type: ignore[arg-type]
    assert "content-length" not in response.request.headers
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert_error(response, 413)
    assert prompt_count(client, account) == 0


def test_chunked_body_under_the_limit_is_accepted(client: httpx.Client, account: Account) -> None:
    response = post_raw(client, "/prompts", chunks(VALID, 7), account)  # type: ignore[arg-type]
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "A title"


@pytest.mark.parametrize(
    "query",
    ["foo=1", "limit=10&offset=0", "q=photo", "promptId=prompt1", "title=A%20title"],
)
def test_unknown_query_parameter_is_400(client: httpx.Client, account: Account, query: str) -> None:
    response = client.get(f"/prompts?{query}", headers=account.headers)
    assert assert_error(response, 400)["error"] == MALFORMED_PARAMS


def test_unknown_query_parameter_on_other_routes_is_400(
    client: httpx.Client, api: Api, account: Account
) -> None:
    prompt = api.create_prompt(account)
    for path in ("/auth/me", f"/prompts/{prompt['_id']}"):
        response = client.get(f"{path}?debug=true", headers=account.headers)
        assert assert_error(response, 400)["error"] == MALFORMED_PARAMS, path


def test_api_answers_carry_no_store_and_nosniff(
    client: httpx.Client, api: Api, account: Account
) -> None:
    created = client.post("/prompts", content=VALID, headers={**JSON, **account.headers})
    answers = [
        created,
        client.get("/prompts", headers=account.headers),
        client.get(f"/prompts/{created.json()['_id']}", headers=account.headers),
        client.get("/auth/me", headers=account.headers),
        client.get("/health"),
        client.get("/prompts"),
        client.post("/auth/login", json={"email": account.email, "password": "wrong-pass-1"}),
    ]
    for response in answers:
        assert response.status_code < 500, response.text
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert response.headers["x-content-type-options"] == "nosniff", response.request.url
        assert response.headers["content-type"].startswith("application/json")

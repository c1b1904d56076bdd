"""Property tests: no generated body or query string ever gets a 5xx or a malformed error.

Bodies are arbitrary JSON values, objects with the right keys and odd values (wrong types,
NUL, lone surrogates, huge or exotic strings, NaN, giant integers), sent either as
ASCII-escaped JSON or as raw UTF-8 (where a lone surrogate becomes invalid UTF-8).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote_from_bytes

import httpx
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from tests.support.api import PASSWORD, Account, Api
from tests.support.server import ServerProcess

PROPERTY = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def http(live_server: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server.base_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def owner(http: httpx.Client, live_server: ServerProcess) -> Account:
    return Api(client=http, engine=live_server.engine).signup(name="Property Owner")


@pytest.fixture(scope="module")
def prompt_id(http: httpx.Client, live_server: ServerProcess, owner: Account) -> str:
    api = Api(client=http, engine=live_server.engine)
    return str(api.create_prompt(owner, title="Property prompt", tags=["seed"])["_id"])


# ---- strategies --------------------------------------------------------------------------

chars = st.characters() | st.characters(categories=["Cs"]) | st.sampled_from("\x00\u202e\ufeff")
short_text = st.text(chars, max_size=40)
SPECIAL = [
    "",
    " ",
    "\t\n",
    "\x00",
    "\ud800",
    "\udfff",
    "null",
    "0",
    "true",
    "prompt1",
    "log1",
    "prompt" + "z" * 65,
    "a@b.c",
    "x" * 101,
    "😀" * 51,
    "%_*\\'\"(",
]
huge_text = st.builds(
    operator.mul,
    st.sampled_from(["x", "é", "😀", "\ud800", " ", "ab\x00"]),
    st.integers(0, 220_000),
)
strings = st.one_of(short_text, st.sampled_from(SPECIAL), huge_text)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(),
    strings,
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(short_text, children, max_size=4)
    ),
    max_leaves=12,
)


def text_between(low: int, high: int) -> st.SearchStrategy[str]:
    return st.text(st.characters(exclude_characters="\x00"), min_size=low, max_size=high)


def objects(
    required: dict[str, st.SearchStrategy[Any]], optional: dict[str, st.SearchStrategy[Any]]
) -> st.SearchStrategy[Any]:
    """Plausible objects, objects with one odd field or extra keys, any subset, any JSON."""
    fields = {**required, **optional}
    plausible = st.fixed_dictionaries(required, optional=optional)
    odd_field = st.tuples(plausible, st.sampled_from(sorted(fields)), json_values | strings).map(
        lambda t: {**t[0], t[1]: t[2]}
    )
    any_subset = st.fixed_dictionaries(
        {}, optional={name: strategy | json_values for name, strategy in fields.items()}
    )
    extra_keys = st.dictionaries(
        st.sampled_from(["_id", "ownerId", "createdAt", "x"]) | short_text, json_values, max_size=2
    )
    with_extra = st.tuples(plausible, extra_keys).map(lambda pair: {**pair[1], **pair[0]})
    return st.one_of(plausible, odd_field, odd_field, any_subset, with_extra, json_values)


def encoded(values: st.SearchStrategy[Any]) -> st.SearchStrategy[bytes]:
    """ASCII-escaped JSON, or raw UTF-8 (lone surrogates then become invalid UTF-8 bytes)."""

    def encode(value: Any, ascii_only: bool) -> bytes:
        text = json.dumps(value, ensure_ascii=ascii_only)
        return text.encode("utf-8", "surrogatepass")

    return st.builds(encode, values, st.booleans())


PROMPT_FIELDS = {
    "title": text_between(3, 100),
    "content": text_between(1, 300),
    "model": text_between(1, 100),
}
TAGS = {"tags": st.lists(text_between(1, 50), max_size=51)}
LOG_FIELDS = {
    "promptId": st.just("PROMPT"),
    "output": text_between(1, 300),
    "modelUsed": text_between(1, 100),
}
LOG_EXTRAS = {
    "model": text_between(1, 100),
    "notes": text_between(0, 300),
    "score": st.floats(-1, 11) | st.integers(-1, 11),
}
emails = st.emails() | st.sampled_from(
    ["a@", "@b.c", "A@EXAMPLE.COM", "x" * 320 + "@a.io", "a\x00@b.co", "a\ud800@b.co"]
)
SIGNUP_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": text_between(1, 101),
    "email": emails,
    "password": text_between(8, 130),
}
LOGIN_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "email": emails,
    "password": st.just(PASSWORD) | text_between(0, 130),
}

# "MAIN" stands for the route's own parameter (q or promptId), so many queries are plausible.
query_values = (
    st.sampled_from([b"property", b"seed", b"PROMPT", b"%", b"_", b"prompt3", b" ", b"a b"])
    | st.text("abcdefghijklmnopqrstuvwxyz %_'", min_size=1, max_size=12).map(str.encode)
    | st.binary(max_size=30)
    | short_text.map(lambda s: s.encode("utf-8", "surrogatepass"))
)
query_keys = st.just("MAIN") | st.sampled_from(["q", "promptId", "Q", "q[]", "", "limit"])
pairs = st.one_of(
    st.tuples(st.just("MAIN"), query_values, st.just(True)).map(lambda pair: [pair]),
    st.lists(st.tuples(query_keys | short_text, query_values, st.booleans()), max_size=3),
)


def query_string(items: list[tuple[str, bytes, bool]], main: str) -> str:
    parts = []
    for key, value, with_equals in items:
        name = quote_from_bytes(key.replace("MAIN", main).encode("utf-8", "surrogatepass"), safe="")
        parts.append(f"{name}={quote_from_bytes(value, safe='')}" if with_equals else name)
    return "&".join(parts)


# ---- the property ------------------------------------------------------------------------


def check(response: httpx.Response, allowed: set[int]) -> Any:
    request = response.request
    event(f"status {response.status_code}")  # shown by --hypothesis-show-statistics
    where = f"{request.method} {request.url} {request.content[:300]!r}"
    assert response.status_code < 500, (where, response.status_code, response.text[:500])
    assert response.status_code in allowed, (where, response.status_code, response.text[:500])
    body = response.json()
    if response.status_code >= 400:
        assert response.headers["content-type"].startswith("application/json"), where
        assert isinstance(body, dict) and isinstance(body.get("error"), str), (where, body)
        assert body["error"] and set(body) <= {"error", "details"}, (where, body)
        assert isinstance(body.get("details", []), list), (where, body)
    return body


def post(http: httpx.Client, path: str, body: bytes, account: Account | None) -> httpx.Response:
    headers = {"Content-Type": "application/json", **(account.headers if account else {})}
    return http.post(path, content=body, headers=headers)


@PROPERTY
@given(body=encoded(objects(PROMPT_FIELDS, TAGS)))
def test_post_prompts_never_fails(http: httpx.Client, owner: Account, body: bytes) -> None:
    result = check(post(http, "/prompts", body, owner), {201, 400, 413})
    if isinstance(result, dict) and "_id" in result:
        sent = json.loads(body)
        assert (result["title"], result["content"]) == (sent["title"], sent["content"])
        assert result["tags"] == sent.get("tags", [])


@PROPERTY
@given(body=encoded(objects({}, {**PROMPT_FIELDS, **TAGS})))
def test_patch_prompt_never_fails(
    http: httpx.Client, owner: Account, prompt_id: str, body: bytes
) -> None:
    response = http.patch(
        f"/prompts/{prompt_id}",
        content=body,
        headers={"Content-Type": "application/json", **owner.headers},
    )
    result = check(response, {200, 400, 413})
    if response.status_code == 200:
        for name, value in json.loads(body).items():
            assert result[name] == value, name


@PROPERTY
@given(
    body=encoded(objects(LOG_FIELDS, LOG_EXTRAS)),
)
def test_post_logs_never_fails(
    http: httpx.Client, owner: Account, prompt_id: str, body: bytes
) -> None:
    body = body.replace(b'"PROMPT"', json.dumps(prompt_id).encode())
    result = check(post(http, "/logs", body, owner), {201, 400, 404, 413})
    if isinstance(result, dict) and "_id" in result:
        assert result["promptId"] == prompt_id
        assert result["output"] == json.loads(body)["output"]


@PROPERTY
@given(body=encoded(objects(SIGNUP_FIELDS, {})))
def test_signup_never_fails(http: httpx.Client, body: bytes) -> None:
    result = check(post(http, "/auth/signup", body, None), {201, 400, 409, 413})
    if isinstance(result, dict) and "token" in result:
        assert result["message"] == "User account created successfully."


@PROPERTY
@given(body=encoded(objects(LOGIN_FIELDS, {})))
def test_login_never_fails(http: httpx.Client, owner: Account, body: bytes) -> None:
    body = body.replace(b'"A@EXAMPLE.COM"', json.dumps(owner.email.upper()).encode())
    check(post(http, "/auth/login", body, None), {200, 400, 401, 413})


@PROPERTY
@given(items=pairs, path=st.sampled_from(["/search", "/logs", "/logs-by-prompt"]))
def test_query_strings_never_fail(
    http: httpx.Client,
    owner: Account,
    prompt_id: str,
    path: str,
    items: list[tuple[str, bytes, bool]],
) -> None:
    allowed = {200, 400} if path == "/search" else {200, 400, 404}
    query = query_string(items, "q" if path == "/search" else "promptId")
    query = query.replace("PROMPT", prompt_id)
    result = check(http.get(f"{path}?{query}", headers=owner.headers), allowed)
    if isinstance(result, list):
        for item in result:
            assert item.get("ownerId", owner.user["_id"]) == owner.user["_id"]

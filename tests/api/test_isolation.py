"""Users never see or touch each other's data; every route needs a valid token; text survives."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    LOG_LIST_FORBIDDEN,
    LOG_NOT_YOURS,
    LOG_PROMPT_UNAVAILABLE,
    PROMPT_NO_READ,
    PROMPT_NOT_YOURS,
    TOKEN_INVALID,
    TOKEN_MISSING,
    assert_error,
    get_prompt,
    list_logs,
    list_prompts,
    ok_json,
    search,
)


@pytest.fixture(scope="module")
def alice(module_api: Api) -> Account:
    return module_api.signup(name="Alice")


@pytest.fixture(scope="module")
def bob(module_api: Api) -> Account:
    return module_api.signup(name="Bob")


@pytest.fixture(scope="module")
def alices(module_api: Api, alice: Account) -> dict[str, Any]:
    prompt = module_api.create_prompt(
        alice, title="Alice's secret plan", content="xylophone quartet", tags=["private"]
    )
    log = module_api.create_log(alice, prompt["_id"], notes="mine", score=9)
    return {"prompt": prompt, "log": log}


@pytest.fixture(scope="module")
def bobs(module_api: Api, bob: Account) -> dict[str, Any]:
    prompt = module_api.create_prompt(bob, title="Bob's own plan", content="drum solo")
    log = module_api.create_log(bob, prompt["_id"], output="Bob's output")
    return {"prompt": prompt, "log": log}


def state(api: Api, account: Account, prompt_id: str) -> dict[str, Any]:
    """Everything a user can read back about their library, and their prompt's ETag."""
    prompt = get_prompt(api.client, account, prompt_id)
    return {
        "prompt": ok_json(prompt),
        "etag": prompt.headers.get("etag"),
        "prompts": list_prompts(api.client, account),
        "logs": list_logs(api.client, account),
        "prompt_logs": list_logs(api.client, account, prompt_id),
    }


def expected_state(data: dict[str, Any], etag: str | None) -> dict[str, Any]:
    return {
        "prompt": data["prompt"],
        "etag": etag,
        "prompts": [data["prompt"]],
        "logs": [data["log"]],
        "prompt_logs": [data["log"]],
    }


class _AnyEtag:
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and bool(other)


ANY_ETAG: Any = _AnyEtag()


# What Bob tries on Alice's things: (method, path, body), with {prompt} and {log} her ids.
ATTEMPTS = [
    pytest.param("GET", "/prompts/{prompt}", None, 403, PROMPT_NO_READ, id="read-prompt"),
    pytest.param(
        "PATCH", "/prompts/{prompt}", {"title": "Taken"}, 403, PROMPT_NOT_YOURS, id="patch-prompt"
    ),
    pytest.param("DELETE", "/prompts/{prompt}", None, 403, PROMPT_NOT_YOURS, id="delete-prompt"),
    pytest.param(
        "POST",
        "/logs",
        {"promptId": "{prompt}", "output": "Bob was here", "modelUsed": "m"},
        404,
        LOG_PROMPT_UNAVAILABLE,
        id="log-on-prompt",
    ),
    pytest.param(
        "GET", "/logs?promptId={prompt}", None, 403, LOG_LIST_FORBIDDEN, id="list-prompt-logs"
    ),
    pytest.param(
        "GET", "/logs-by-prompt?promptId={prompt}", None, 403, LOG_LIST_FORBIDDEN, id="by-prompt"
    ),
    pytest.param("DELETE", "/logs/{log}", None, 403, LOG_NOT_YOURS, id="delete-log"),
]


def fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {key: fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("with_etag", [False, True], ids=["plain", "if-match"])
@pytest.mark.parametrize(("method", "path", "body", "status", "sentence"), ATTEMPTS)
def test_another_user_cannot_touch_a_users_data(
    api: Api,
    alice: Account,
    alices: dict[str, Any],
    bob: Account,
    bobs: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    status: int,
    sentence: str,
    with_etag: bool,
) -> None:
    prompt_id = alices["prompt"]["_id"]
    before = state(api, alice, prompt_id)
    assert before == expected_state(alices, before["etag"])
    ids = {"prompt": prompt_id, "log": alices["log"]["_id"]}
    headers = dict(bob.headers)
    if with_etag:  # even knowing the current ETag changes nothing
        headers["If-Match"] = before["etag"]
    response = api.client.request(method, fill(path, ids), json=fill(body, ids), headers=headers)
    assert_error(response, status, sentence)
    assert state(api, alice, prompt_id) == before
    assert state(api, bob, bobs["prompt"]["_id"]) == expected_state(bobs, ANY_ETAG)


def test_listings_and_search_show_only_the_callers_data(
    api: Api, alice: Account, alices: dict[str, Any], bob: Account, bobs: dict[str, Any]
) -> None:
    assert list_prompts(api.client, bob) == [bobs["prompt"]]
    assert list_logs(api.client, bob) == [bobs["log"]]
    assert list_prompts(api.client, alice) == [alices["prompt"]]
    assert list_logs(api.client, alice) == [alices["log"]]
    assert search(api.client, bob, "xylophone") == []
    assert search(api.client, bob, "plan") == [bobs["prompt"]]
    assert search(api.client, alice, "plan") == [alices["prompt"]]


def forged(account: Account, **changes: Any) -> str:
    claims = {**jwt.decode(account.token, options={"verify_signature": False}), **changes}
    return jwt.encode(claims, "not-the-server-secret-but-32-bytes-long!", algorithm="HS256")


def unsigned(account: Account) -> str:
    claims = jwt.decode(account.token, options={"verify_signature": False})
    return jwt.encode(claims, None, algorithm="none")


# (id, how to build the Authorization header from a real account, expected sentence)
BAD_AUTH: list[tuple[str, Callable[[Account], str | None], str]] = [
    ("none", lambda a: None, TOKEN_MISSING),
    ("garbage", lambda a: "Bearer not-a-jwt", TOKEN_INVALID),
    ("wrong-key", lambda a: f"Bearer {forged(a)}", TOKEN_INVALID),
    ("alg-none", lambda a: f"Bearer {unsigned(a)}", TOKEN_INVALID),
    ("expired", lambda a: f"Bearer {forged(a, exp=int(time.time()) - 60)}", TOKEN_INVALID),
]
ROUTES = [
    ("GET", "/prompts", None),
    ("POST", "/prompts", {"title": "New prompt", "content": "c", "model": "m"}),
    ("GET", "/prompts/{prompt}", None),
    ("PATCH", "/prompts/{prompt}", {"title": "Changed"}),
    ("DELETE", "/prompts/{prompt}", None),
    ("POST", "/logs", {"promptId": "{prompt}", "output": "o", "modelUsed": "m"}),
    ("GET", "/logs", None),
    ("GET", "/logs?promptId={prompt}", None),
    ("GET", "/logs-by-prompt?promptId={prompt}", None),
    ("DELETE", "/logs/{log}", None),
    ("GET", "/search?q=xylophone", None),
]


@pytest.mark.parametrize(("kind", "header", "sentence"), BAD_AUTH, ids=[b[0] for b in BAD_AUTH])
@pytest.mark.parametrize(
    ("method", "path", "body"), ROUTES, ids=[f"{m} {p.split('?')[0]}" for m, p, _ in ROUTES]
)
def test_every_route_needs_a_valid_token(
    api: Api,
    alice: Account,
    alices: dict[str, Any],
    method: str,
    path: str,
    body: Any,
    kind: str,
    header: Callable[[Account], str | None],
    sentence: str,
) -> None:
    prompt_id = alices["prompt"]["_id"]
    before = state(api, alice, prompt_id)
    authorization = header(alice)
    headers = {} if authorization is None else {"Authorization": authorization}
    ids = {"prompt": prompt_id, "log": alices["log"]["_id"]}
    response = api.client.request(method, fill(path, ids), json=fill(body, ids), headers=headers)
    assert_error(response, 401, sentence)
    assert state(api, alice, prompt_id) == before


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_scheme_word_is_case_insensitive(
    api: Api, alice: Account, alices: dict[str, Any], scheme: str
) -> None:
    headers = {"Authorization": f"{scheme} {alice.token}"}
    assert ok_json(api.client.get("/prompts", headers=headers)) == [alices["prompt"]]


UNICODE = {
    "title": "Plan 🚀 计划 שָׁלוֹם e\u0301",
    "content": "Emoji 👩🏽‍💻🇯🇵, CJK 漢字かなカナ한국어, RTL مرحبا بالعالم \u200f, "
    "combining a\u0308o\u0302\u0323, 4-byte 𝄞𠜎, zero-width \u200b\u200d.",
    "tags": ["日本語", "עברית", "🏷️", "n\u0303", "𝄞"],
}
LOG_UNICODE = {
    "output": "Ответ: ✅ 答え 🤖 \u0645\u0631\u062d\u0628\u0627 𝄞",
    "notes": "ملاحظة 📝 e\u0301",
}


def test_unicode_round_trips_unchanged(api: Api) -> None:
    user = api.signup(name="Zoë 🌍")
    prompt = api.create_prompt(user, model="模型-🤖", **UNICODE)
    for name, value in UNICODE.items():
        assert prompt[name] == value, name
    assert ok_json(get_prompt(api.client, user, prompt["_id"])) == prompt
    assert list_prompts(api.client, user) == [prompt]
    assert search(api.client, user, "计划") == [prompt]
    assert search(api.client, user, "🏷️") == [prompt]
    log = api.create_log(user, prompt["_id"], modelUsed="模型", score=8, **LOG_UNICODE)
    assert {name: log[name] for name in LOG_UNICODE} == LOG_UNICODE
    assert list_logs(api.client, user, prompt["_id"]) == [log]


def test_a_title_of_100_four_byte_characters_is_100_characters(api: Api) -> None:
    user = api.signup()
    prompt = api.create_prompt(user, title="😀" * 100, tags=["𝄞" * 50])
    assert ok_json(get_prompt(api.client, user, prompt["_id"])) == prompt
    response = api.client.post(
        "/prompts",
        json={"title": "😀" * 101, "content": "c", "model": "m"},
        headers=user.headers,
    )
    assert response.status_code == 400, response.text
    assert list_prompts(api.client, user) == [prompt]


def test_combining_marks_are_not_normalised(api: Api) -> None:
    user = api.signup()
    decomposed, composed = "Cafe\u0301 menu", "Café menu"
    first = api.create_prompt(user, title=decomposed)
    second = api.create_prompt(user, title=composed)
    assert [p["title"] for p in list_prompts(api.client, user)] == [decomposed, composed]
    assert ok_json(get_prompt(api.client, user, first["_id"]))["title"] == decomposed
    assert ok_json(get_prompt(api.client, user, second["_id"]))["title"] == composed
    assert [p["title"] for p in search(api.client, user, "cafe\u0301")] == [decomposed]

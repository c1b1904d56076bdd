"""The hot requests answered at the application's door (api/front.py), before FastAPI's and
Starlette's own layers: what those layers did for them must still hold. Each security header
once, the body limit, a body sent without a length (left to the stack, still answered), and a
bug answered as a 500 in the error format."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.api import Account, Api

from promptcrafter.api.app import create_app
from promptcrafter.config import Settings
from promptcrafter.store import prompts

MIB = 1024 * 1024
FAILED = "The server failed to handle this request."


def _prompt(api: Api, owner: Account) -> str:
    return str(api.create_prompt(owner, title="Door", content="Hi {{ who }}", model="m")["_id"])


def _assert_headers_once(answer: httpx.Response) -> None:
    where = (answer.request.method, answer.request.url.path, answer.status_code)
    assert answer.headers.get_list("x-content-type-options") == ["nosniff"], where
    assert answer.headers.get_list("cache-control") == ["no-store"], where


def test_hot_answers_and_refusals_carry_each_security_header_once(api: Api) -> None:
    owner, stranger = api.signup(), api.signup()
    prompt_id = _prompt(api, owner)
    missing = "prompt" + "0" * 26
    http = api.client
    answers: list[tuple[httpx.Response, int]] = [
        (http.get(f"/prompts/{prompt_id}", headers=owner.headers), 200),
        (http.get(f"/prompts/{missing}", headers=owner.headers), 404),
        (http.get(f"/prompts/{prompt_id}", headers=stranger.headers), 403),
        (http.get(f"/prompts/{prompt_id}"), 401),
        (http.get("/search", params={"q": "Door"}, headers=owner.headers), 200),
        (
            http.post(
                "/logs",
                json={"promptId": prompt_id, "output": "o", "modelUsed": "m"},
                headers=owner.headers,
            ),
            201,
        ),
        (
            http.post(
                "/logs",
                json={"promptId": missing, "output": "o", "modelUsed": "m"},
                headers=owner.headers,
            ),
            404,
        ),
        (http.patch(f"/prompts/{prompt_id}", json={"title": "Door 2"}, headers=owner.headers), 200),
        (
            http.patch(
                f"/prompts/{prompt_id}",
                json={"title": "Door 3"},
                headers={**owner.headers, "If-Match": '"9"'},
            ),
            412,
        ),
        (
            http.post(
                f"/prompts/{prompt_id}/render",
                json={"variables": {"who": "you"}},
                headers=owner.headers,
            ),
            200,
        ),
        (
            http.post(
                f"/prompts/{prompt_id}/render", json={"variables": {}}, headers=stranger.headers
            ),
            403,
        ),
    ]
    for answer, status in answers:
        assert answer.status_code == status, (answer.request.url, answer.text)
        _assert_headers_once(answer)
        if status >= 400:
            assert set(answer.json()) == {"error"}
    rendered = answers[9][0].json()
    assert rendered["rendered"] == "Hi you"


def _chunks(body: bytes) -> Iterator[bytes]:
    # A generator makes httpx send Transfer-Encoding: chunked, with no Content-Length.
    yield body[:10]
    yield body[10:]


def test_bodies_without_a_length_are_still_answered(api: Api) -> None:
    owner = api.signup()
    prompt_id = _prompt(api, owner)
    headers = {**owner.headers, "Content-Type": "application/json"}
    log = b'{"promptId": "%s", "output": "chunked", "modelUsed": "m"}' % prompt_id.encode()
    stored = api.client.post("/logs", content=_chunks(log), headers=headers)
    assert stored.status_code == 201, stored.text
    assert "content-length" not in stored.request.headers
    _assert_headers_once(stored)
    listed = api.client.get("/logs", params={"promptId": prompt_id}, headers=owner.headers)
    assert [entry["output"] for entry in listed.json()] == ["chunked"]

    patched = api.client.patch(
        f"/prompts/{prompt_id}", content=_chunks(b'{"title": "Chunked title"}'), headers=headers
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["title"], patched.json()["version"]) == ("Chunked title", 2)


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_the_limit_is_refused_and_not_stored(api: Api, chunked: bool) -> None:
    owner = api.signup()
    prompt_id = _prompt(api, owner)
    padding = "x" * MIB
    body = b'{"promptId": "%s", "output": "%s", "modelUsed": "m"}' % (
        prompt_id.encode(),
        padding.encode(),
    )
    headers = {**owner.headers, "Content-Type": "application/json"}
    content: Any = _chunks(body) if chunked else body
    refused = api.client.post("/logs", content=content, headers=headers)
    assert refused.status_code == 413, refused.text
    assert set(refused.json()) == {"error"}
    listed = api.client.get("/logs", params={"promptId": prompt_id}, headers=owner.headers)
    assert listed.json() == []


def test_a_bug_in_a_hot_handler_is_a_500_in_the_error_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In process: a bug cannot be planted in a server started as a separate program.
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'door.db'}", secret_key="s" * 48)
    app = create_app(settings)

    async def scenario() -> httpx.Response:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://door") as http:
                signup = {"name": "B", "email": "bug@example.com", "password": "p" * 12}
                token = (await http.post("/auth/signup", json=signup)).json()["token"]
                auth = {"Authorization": f"Bearer {token}"}
                made = await http.post(
                    "/prompts",
                    json={"title": "Tea time", "content": "c", "model": "m"},
                    headers=auth,
                )
                assert made.status_code == 201

                async def broken(*_: object) -> None:
                    raise RuntimeError("planted bug")

                monkeypatch.setattr(prompts, "get", broken)
                return await http.get(f"/prompts/{made.json()['_id']}", headers=auth)

    answer = asyncio.run(scenario())
    assert answer.status_code == 500
    assert answer.json() == {"error": FAILED}
    _assert_headers_once(answer)


def _raw(api: Api, method: str, raw_path: str, **kwargs: Any) -> httpx.Response:
    """A request whose path is sent exactly as written (httpx would otherwise normalise it)."""
    request = api.client.build_request(method, "/", **kwargs)
    request.url = httpx.URL(request.url, raw_path=raw_path.encode())
    return api.client.send(request)


def test_an_encoded_slash_after_prompts_is_no_route_at_the_door_either(api: Api) -> None:
    # /prompts%2F<id> is no route (an encoded slash is kept as written), and the stack said so
    # for DELETE; the door read the decoded path and answered GET, PATCH and render as if
    # it were /prompts/<id> (review of 2026-12-08).
    owner = api.signup()
    prompt_id = _prompt(api, owner)
    path = f"/prompts%2F{prompt_id}"
    answers = [
        _raw(api, "GET", path, headers=owner.headers),
        _raw(api, "PATCH", path, headers=owner.headers, json={"title": "Changed at the door"}),
        _raw(api, "POST", f"{path}/render", headers=owner.headers, json={"variables": {}}),
        _raw(api, "DELETE", path, headers=owner.headers),
    ]
    for answer in answers:
        assert answer.status_code == 404, (answer.request.method, answer.text)
        assert answer.json() == {"error": "No resource exists at this path."}
    kept = api.client.get(f"/prompts/{prompt_id}", headers=owner.headers)
    assert kept.status_code == 200
    assert kept.json()["title"] == "Door" and kept.json()["version"] == 1

"""SPEC Part 2, Templates and render: POST /prompts/{id}/render through the server."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests.support.api import Account, Api
from tests.support.contract import (
    MISSING_OR_INVALID,
    PROMPT_NOT_FOUND,
    PROMPT_NOT_YOURS,
    PROMPT_WRITE_BAD_ID,
    assert_error,
    ok_json,
)
from tests.support.registry import (
    NO_SUCH_LABEL,
    NO_SUCH_VERSION,
    TOO_LARGE,
    set_label,
    with_versions,
)


@pytest.fixture(scope="module")
def owner(module_api: Api) -> Account:
    return module_api.signup(name="Renderer")


def render(api: Api, account: Account, prompt_id: str, body: Any) -> httpx.Response:
    return api.client.post(f"/prompts/{prompt_id}/render", json=body, headers=account.headers)


def test_render_fills_the_current_version(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(
        owner, content="Dear {{ name }}, about {{topic}}: {{ name }}. \\{{x}}"
    )
    values = {"name": "Ada", "topic": {"b": [1, "ü"], "a": None}, "extra": 1, "bad key": 2}
    assert ok_json(render(api, owner, prompt["_id"], {"variables": values})) == {
        "promptId": prompt["_id"],
        "version": 1,
        "rendered": 'Dear Ada, about {"b":[1,"ü"],"a":null}: Ada. {{x}}',
        "used": ["name", "topic"],
        "missing": [],
        "unused": ["bad key", "extra"],
    }
    typed = {"name": 7, "topic": 2.5}
    assert ok_json(render(api, owner, prompt["_id"], {"variables": typed}))["rendered"].startswith(
        "Dear 7, about 2.5: 7."
    )
    flags = {"name": True, "topic": None}
    assert ok_json(render(api, owner, prompt["_id"], {"variables": flags}))["rendered"] == (
        "Dear true, about : true. {{x}}"
    )


def test_strict_by_default_and_lenient_on_request(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner, content="{{b}} {{ a }} {{b}} {{c}}")
    response = render(api, owner, prompt["_id"], {"variables": {"c": 1}})
    assert_error(response, 400, "Missing template variables: b, a.")
    assert response.json()["details"] == ["b", "a"]
    assert_error(render(api, owner, prompt["_id"], {}), 400, "Missing template variables: b, a, c.")
    lenient = ok_json(render(api, owner, prompt["_id"], {"variables": {"c": 1}, "strict": False}))
    assert (lenient["rendered"], lenient["used"], lenient["missing"]) == (
        "{{b}} {{ a }} {{b}} 1",
        ["c"],
        ["b", "a"],
    )
    plain = api.create_prompt(owner, content="No {variables} {{ here }")
    assert ok_json(render(api, owner, plain["_id"], {}))["rendered"] == "No {variables} {{ here }"


def test_render_a_version_or_a_label(api: Api, owner: Account) -> None:
    prompt = with_versions(api, owner, "one {{a}}", "two {{a}}")
    ok_json(set_label(api, owner, prompt["_id"], "prod", 1))
    cases = [
        ({"version": 1}, 1, "one A"),
        ({"label": "prod"}, 1, "one A"),
        ({"label": "latest"}, 2, "two A"),
        ({}, 2, "two A"),
    ]
    for extra, version, text in cases:
        body = ok_json(render(api, owner, prompt["_id"], {"variables": {"a": "A"}, **extra}))
        assert (body["version"], body["rendered"]) == (version, text), extra
    assert_error(render(api, owner, prompt["_id"], {"version": 3}), 404, NO_SUCH_VERSION)
    assert_error(render(api, owner, prompt["_id"], {"label": "beta"}), 404, NO_SUCH_LABEL)


@pytest.mark.parametrize(
    "body",
    [
        {"version": 1, "label": "prod"},
        {"version": 0},
        {"version": "1"},
        {"label": "Prod"},
        {"variables": []},
        {"variables": "a=1"},
        {"strict": "yes"},
        {"unknown": 1},
        [],
    ],
)
def test_malformed_render_bodies_are_400(api: Api, owner: Account, body: Any) -> None:
    prompt = api.create_prompt(owner, content="{{a}}")
    assert_error(render(api, owner, prompt["_id"], body), 400, MISSING_OR_INVALID)


def test_a_rendered_text_over_two_mib_is_413(api: Api, owner: Account) -> None:
    prompt = api.create_prompt(owner, content="{{a}}" * 5)
    big = {"variables": {"a": "x" * 500_000}}
    assert_error(render(api, owner, prompt["_id"], big), 413, TOO_LARGE)
    fits = {"variables": {"a": "x" * 400_000}}
    assert len(ok_json(render(api, owner, prompt["_id"], fits))["rendered"]) == 2_000_000


def test_someone_elses_absent_or_malformed_prompt(api: Api, owner: Account) -> None:
    stranger = api.signup(name="Stranger")
    prompt = api.create_prompt(owner, content="{{a}}")
    assert_error(
        render(api, stranger, prompt["_id"], {"variables": {"a": 1}}), 403, PROMPT_NOT_YOURS
    )
    assert_error(render(api, owner, "prompt3", {}), 404, PROMPT_NOT_FOUND)
    assert_error(render(api, owner, "bad_id", {"version": 0}), 400, PROMPT_WRITE_BAD_ID)
    assert_error(api.client.post(f"/prompts/{prompt['_id']}/render", json={}), 401)

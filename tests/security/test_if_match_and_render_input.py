"""Input that once broke the service: an If-Match number beyond any integer column (it killed
SQLite's writer thread), weak tags, and U+0000 hidden inside render variables."""

from __future__ import annotations

import pytest

from tests.support.api import Api

HUGE = [str(2**63), str(2**70), "9" * 40]


@pytest.mark.parametrize("number", HUGE)
def test_an_if_match_beyond_any_version_is_a_412_and_the_service_stays_up(
    api: Api, number: str
) -> None:
    owner = api.signup()
    prompt = api.create_prompt(owner)
    pid = prompt["_id"]
    headers = {**owner.headers, "If-Match": f'"{number}"'}
    for method, path, body in (
        ("PATCH", f"/prompts/{pid}", {"title": "Changed title"}),
        ("POST", f"/prompts/{pid}/versions/1/restore", {}),
        ("DELETE", f"/prompts/{pid}", None),
    ):
        response = api.client.request(method, path, json=body, headers=headers)
        assert response.status_code == 412, (method, response.text)
    assert api.client.get("/health").json() == {"status": "ok"}
    # Writes still go through afterwards, and the prompt is as it was.
    stored = api.client.get(f"/prompts/{pid}", headers=owner.headers).json()
    assert stored["title"] == prompt["title"] and stored["version"] == 1
    assert api.create_log(owner, pid)["promptVersion"] == 1


def test_weak_and_non_ascii_tags_never_match(api: Api) -> None:
    owner = api.signup()
    pid = api.create_prompt(owner)["_id"]
    for tag in ('W/"1"', '"1', '""', '"0x1"'):
        headers = {**owner.headers, "If-Match": tag}
        response = api.client.patch(f"/prompts/{pid}", json={"title": "New"}, headers=headers)
        assert response.status_code == 412, tag
    ok = api.client.patch(
        f"/prompts/{pid}", json={"title": "New"}, headers={**owner.headers, "If-Match": '"1"'}
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2


@pytest.mark.parametrize(
    "variables",
    [{"a": "x\u0000"}, {"a": {"k\u0000": 1}}, {"a": ["ok", ["\u0000"]]}, {"a\u0000": "v"}],
)
def test_render_refuses_nul_anywhere_in_the_variables(api: Api, variables: object) -> None:
    owner = api.signup()
    pid = api.create_prompt(owner, content="Hi {{ a }}")["_id"]
    response = api.client.post(
        f"/prompts/{pid}/render",
        json={"variables": variables, "strict": False},
        headers=owner.headers,
    )
    assert response.status_code == 400
    assert response.json()["error"] == "Required fields are missing or invalid."

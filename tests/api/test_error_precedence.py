"""Which 400 wins when a request is wrong in several places: the path, then the query."""

from __future__ import annotations

import pytest
from tests.support.api import Api

MALFORMED = "The request is malformed or contains invalid parameters."


@pytest.mark.parametrize(
    ("method", "path", "sentence"),
    [
        (
            "GET",
            "/prompts/bad?foo=1",
            "The request is malformed or the prompt ID format is invalid.",
        ),
        ("DELETE", "/prompts/bad?foo=1", "The prompt ID format is invalid."),
        ("GET", "/prompts/bad/diff?zz=1", "The prompt ID format is invalid."),
        ("DELETE", "/logs/bad?x=1", "The request is malformed or the log ID format is invalid."),
    ],
)
def test_a_malformed_id_is_named_before_an_unknown_parameter(
    api: Api, method: str, path: str, sentence: str
) -> None:
    owner = api.signup()
    response = api.client.request(method, path, headers=owner.headers)
    assert response.status_code == 400
    assert response.json()["error"] == sentence


def test_a_well_formed_id_with_an_unknown_parameter_is_the_query_sentence(api: Api) -> None:
    owner = api.signup()
    pid = api.create_prompt(owner)["_id"]
    for path in (f"/prompts/{pid}?foo=1", f"/prompts/{pid}/diff?zz=1", "/logs/log1?x=1"):
        response = (
            api.client.get(path, headers=owner.headers)
            if "logs" not in path
            else (api.client.delete(path, headers=owner.headers))
        )
        assert response.status_code == 400, path
        assert response.json() == {"error": MALFORMED}

"""``POST /prompts`` with ``version``: a history that began later (an import of a prompt
whose first recorded version is not 1) keeps its numbers."""

from __future__ import annotations

from tests.support.api import Api


def test_a_history_can_start_at_a_later_number(api: Api) -> None:
    owner = api.signup()
    prompt = api.create_prompt(owner, content="Begins at {{ four }}", version=4)
    assert prompt["version"] == 4 and prompt["variables"] == ["four"]
    pid = prompt["_id"]
    response = api.client.get(f"/prompts/{pid}", headers=owner.headers)
    assert response.headers["ETag"] == '"4"'
    missing = api.client.get(f"/prompts/{pid}/versions/1", headers=owner.headers)
    assert missing.status_code == 404
    assert missing.json() == {"error": "No such version of this prompt."}
    changed = api.client.patch(
        f"/prompts/{pid}", json={"content": "Then five"}, headers=owner.headers
    )
    assert changed.status_code == 200 and changed.json()["version"] == 5
    versions = api.client.get(f"/prompts/{pid}/versions", headers=owner.headers).json()
    assert [v["version"] for v in versions] == [5, 4]


def test_the_first_number_must_be_a_whole_number_from_one(api: Api) -> None:
    owner = api.signup()
    for bad in (0, -3, 2.5, "4", True, 1_000_000_001, 2**40):
        response = api.client.post(
            "/prompts",
            json={"title": "Numbered", "content": "x", "model": "m", "version": bad},
            headers=owner.headers,
        )
        assert response.status_code == 400, bad
        assert response.json()["error"] == "Required fields are missing or invalid."
    listed = api.client.get("/prompts", headers=owner.headers).json()
    assert listed == []

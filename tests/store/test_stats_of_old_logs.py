"""Stats over logs written before versions existed: their group has ``promptVersion`` null
and sorts last. The logs are written by the previous release's server (as in
test_registry_migration.py), then the current one upgrades the database and answers."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from tests.store.test_registry_migration import database, previous_source, signup
from tests.support.server import ServerProcess

__all__ = ["database"]  # the fixture, used by name


@pytest.mark.slow
def test_logs_from_before_versions_form_the_null_group_last(database: str, tmp_path: Path) -> None:
    old = ServerProcess(database, tmp_path, env={"PYTHONPATH": str(previous_source(tmp_path))})
    with old, httpx.Client(base_url=old.base_url, timeout=60) as client:
        headers = signup(client, "ada")
        body = {"title": "Old prompt", "content": "text", "model": "m"}
        prompt = client.post("/prompts", json=body, headers=headers).json()
        for score in (4, 6):
            log = {"promptId": prompt["_id"], "output": "o", "modelUsed": "m", "score": score}
            assert client.post("/logs", json=log, headers=headers).status_code == 201

    with (
        ServerProcess(database, tmp_path) as new,
        httpx.Client(base_url=new.base_url, timeout=60) as client,
    ):
        log = {"promptId": prompt["_id"], "output": "o", "modelUsed": "m", "score": 9}
        assert client.post("/logs", json=log, headers=headers).json()["promptVersion"] == 1
        answer = client.get(f"/prompts/{prompt['_id']}/stats", headers=headers)
        assert answer.status_code == 200, answer.text
        groups = answer.json()["groups"]
        assert [(g["promptVersion"], g["modelUsed"], g["count"]) for g in groups] == [
            (1, "m", 1),
            (None, "m", 2),
        ]
        assert groups[1]["mean"] == 5 and groups[1]["median"] == 5
        assert answer.json()["total"]["count"] == 3
        # More versions after the old logs: the walk from group to group steps from the
        # NULL version to the numbered ones, and merging by model joins old and new logs.
        for version in (2, 3):
            patched = client.patch(
                f"/prompts/{prompt['_id']}", json={"content": f"v{version}"}, headers=headers
            )
            assert patched.status_code == 200, patched.text
            posted = client.post("/logs", json={**log, "modelUsed": "n"}, headers=headers)
            assert posted.json()["promptVersion"] == version
        answer = client.get(f"/prompts/{prompt['_id']}/stats", headers=headers)
        keys = [(g["promptVersion"], g["modelUsed"], g["count"]) for g in answer.json()["groups"]]
        assert keys == [(3, "n", 1), (2, "n", 1), (1, "m", 1), (None, "m", 2)]
        by_model = client.get(
            f"/prompts/{prompt['_id']}/stats", params={"by": "model"}, headers=headers
        ).json()["groups"]
        assert [(g["modelUsed"], g["count"]) for g in by_model] == [("m", 3), ("n", 2)]
        # compare and diff only name versions, so the old logs are in neither side.
        compared = client.get(
            f"/prompts/{prompt['_id']}/compare", params={"a": "1", "b": "1"}, headers=headers
        ).json()
        assert compared["a"]["count"] == 1

"""Migration 0007 on data written through the API of the code before it.

The previous release's source is taken from git (the parent of the commit that added 0007)
and served from a scratch directory ahead of the installed package. It fills a database
through its API and hands out ETags; then the current server upgrades the same database, and
every prompt, log and ETag must have survived, with the history starting at each prompt's
version number.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.support.api import PASSWORD
from tests.support.databases import fresh_database
from tests.support.server import ServerProcess

REPO = Path(__file__).resolve().parents[2]
MIGRATION = "src/promptcrafter/store/migrations/versions/0007_prompt_registry.py"
BULK = 620  # more than one backfill page of 500


def previous_source(directory: Path) -> Path:
    added = subprocess.run(
        ["git", "-C", str(REPO), "log", "--diff-filter=A", "--format=%H", "--", MIGRATION],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert added, "the commit that added migration 0007 is not in this clone's history"
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", f"{added[-1]}^", "src"],
        capture_output=True,
        check=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    return directory / "src"


@pytest.fixture
def database(engine: str, tmp_path: Path) -> Iterator[str]:
    with fresh_database(engine, tmp_path / "db") as url:
        yield url


def signup(client: httpx.Client, name: str) -> dict[str, str]:
    body = {"name": name, "email": f"{name}@example.com", "password": PASSWORD}
    response = client.post("/auth/signup", json=body)
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def fill(client: httpx.Client) -> dict[str, Any]:
    """Prompts at versions 1, 2 and 4, logs, and a bulk library; what was answered."""
    ada, bob = signup(client, "ada"), signup(client, "bob")
    made: dict[str, Any] = {"users": {"ada": ada, "bob": bob}, "prompts": {}, "logs": []}
    specs = [
        (ada, {"title": "Plain", "content": "No variables here.", "model": "m", "tags": ["a"]}, 0),
        (ada, {"title": "Edited", "content": "Hi {{ name }}", "model": "m", "tags": ["x", "y"]}, 1),
        (bob, {"title": "Often edited", "content": "{{a}} {{b}} {{a}}", "model": "m"}, 3),
    ]
    for headers, body, edits in specs:
        prompt = client.post("/prompts", json=body, headers=headers).json()
        for index in range(edits):
            change = {"title": f"{body['title']} {index}"}
            prompt = client.patch(f"/prompts/{prompt['_id']}", json=change, headers=headers).json()
        log = {"promptId": prompt["_id"], "output": "out", "modelUsed": "m", "score": 7}
        made["logs"].append((headers, client.post("/logs", json=log, headers=headers).json()))
    for index in range(BULK):
        body = {"title": f"Bulk {index}", "content": f"bulk {{{{v{index}}}}}", "model": "m"}
        assert client.post("/prompts", json=body, headers=bob).status_code == 201
    for name, headers in (("ada", ada), ("bob", bob)):
        for prompt in client.get("/prompts", headers=headers).json():
            etag = client.get(f"/prompts/{prompt['_id']}", headers=headers).headers["etag"]
            made["prompts"][prompt["_id"]] = (name, prompt, etag)
    return made


@pytest.mark.slow
def test_data_from_before_the_registry_survives_with_its_etags(
    database: str, tmp_path: Path
) -> None:
    old_src = previous_source(tmp_path)
    old = ServerProcess(database, tmp_path, env={"PYTHONPATH": str(old_src)})
    with old, httpx.Client(base_url=old.base_url, timeout=60) as client:
        made = fill(client)
        sample = next(iter(made["prompts"].values()))[1]
        assert "version" not in sample, "the old server already knows versions"
    etags = {pid: etag for pid, (_, _, etag) in made["prompts"].items()}
    assert sorted(set(etags.values())) == ['"1"', '"2"', '"4"']

    with (
        ServerProcess(database, tmp_path) as new,
        httpx.Client(base_url=new.base_url, timeout=60) as client,
    ):
        users = made["users"]
        for pid, (name, before, etag) in made["prompts"].items():
            response = client.get(f"/prompts/{pid}", headers=users[name])
            assert response.headers["etag"] == etag
            number = int(etag.strip('"'))
            variables = list(dict.fromkeys(
                part.split("}}")[0].strip() for part in before["content"].split("{{")[1:]
            ))  # fmt: skip
            assert response.json() == {
                **before, "version": number, "labels": {}, "variables": variables
            }  # fmt: skip
            if not before["title"].startswith("Bulk") or before["title"] == "Bulk 0":
                history = client.get(f"/prompts/{pid}/versions", headers=users[name]).json()
                assert [v["version"] for v in history] == [number]
                assert history[0]["createdAt"] == before["updatedAt"]
                assert history[0]["commitMessage"] is None
                for earlier in range(1, number):
                    old_one = client.get(f"/prompts/{pid}/versions/{earlier}", headers=users[name])
                    assert old_one.status_code == 404, old_one.text
        for headers, log in made["logs"]:
            listed = client.get("/logs", params={"promptId": log["promptId"]}, headers=headers)
            expected = {**log, "promptVersion": None, "label": None, "model": log["modelUsed"]}
            assert listed.json() == [expected]
        # An ETag handed out before the upgrade still works for If-Match, once.
        pid = next(p for p, (_, b, _) in made["prompts"].items() if b["title"] == "Edited 0")
        name, _, etag = made["prompts"][pid]
        headers = {**users[name], "If-Match": etag}
        patched = client.patch(f"/prompts/{pid}", json={"content": "{{new}}"}, headers=headers)
        assert patched.status_code == 200, patched.text
        assert (patched.json()["version"], patched.json()["variables"]) == (3, ["new"])
        again = client.patch(f"/prompts/{pid}", json={"content": "x"}, headers=headers)
        assert again.status_code == 412, again.text
        history = client.get(f"/prompts/{pid}/versions", headers=users[name]).json()
        assert [v["version"] for v in history] == [3, 2]

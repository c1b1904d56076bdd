"""The snippets run as a user would paste them, against the real server: curl in a shell,
the SDK snippet in Python, the CLI snippet in a shell, each with only an API key in
``$PROMPTCRAFTER_API_KEY``. Each logs one output; the server then holds all three."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from promptcrafter.snippets import usage_snippets
from tests.support.api import Api
from tests.support.cli import make_cli

LABEL = "prod.v-1_x"

# The snippets do not depend on the engine: one server is enough.
pytestmark = pytest.mark.parametrize("engine", ["sqlite"], indirect=True)


def run(argv: list[str], env: dict[str, str], code: str) -> str:
    result = subprocess.run(
        argv, input=code, capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert result.returncode == 0, (code, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.parametrize("ref", [{"version": 1}, {"label": LABEL}])
def test_every_snippet_fetches_renders_and_logs(
    api: Api, tmp_path: Path, ref: dict[str, Any]
) -> None:
    account = api.signup()
    prompt = api.create_prompt(account, content="Hello {{ name }}", model="gpt-4o")
    prompt_id = prompt["_id"]
    labelled = api.client.put(
        f"/prompts/{prompt_id}/labels/{LABEL}", json={"version": 1}, headers=account.headers
    )
    assert labelled.status_code == 200, labelled.text
    key = api.client.post("/auth/keys", json={"name": "snippets"}, headers=account.headers)
    assert key.status_code == 201, key.text
    base_url = str(api.client.base_url).rstrip("/")
    snippets = usage_snippets(base_url, prompt_id, model="gpt-4o", variables=["name"], **ref)

    env = make_cli(tmp_path, base_url, "user").env
    env.pop("PROMPTCRAFTER_URL")  # the snippets name the server themselves
    env["PROMPTCRAFTER_API_KEY"] = key.json()["key"]
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    shell = ["bash", "-euo", "pipefail", "-c", 'set -e; eval "$(cat)"']

    out = run(shell, env, snippets.curl.replace("curl -sS", "curl -sSf"))
    assert "Hello {{ name }}" in out and "Hello ..." in out
    run([sys.executable, "-"], env, snippets.python)
    out = run(shell, env, snippets.cli)
    assert "Hello ..." in out

    logs = api.client.get("/logs", params={"promptId": prompt_id}, headers=account.headers)
    assert logs.status_code == 200, logs.text
    assert [(log["promptVersion"], log["modelUsed"]) for log in logs.json()] == [(1, "gpt-4o")] * 3

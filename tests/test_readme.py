"""The README's curl walkthrough runs as written against a real server."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import ServerProcess

README = Path(__file__).resolve().parent.parent / "README.md"


def shell_block(heading: str) -> str:
    """The first shell block after ``heading``."""
    section = README.read_text().split(heading, 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, f"the shell block under {heading!r} is missing"
    return match.group(1)


def run_against(script: str, server: ServerProcess) -> str:
    """Run a README script as written, but pointed at this test's server instead of
    `make run`'s port; its standard output."""
    assert "API=http://127.0.0.1:8000\n" in script
    script = script.replace("API=http://127.0.0.1:8000", f"API={server.base_url}", 1)
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_walkthrough_runs_verbatim(live_server: ServerProcess) -> None:
    out = run_against(shell_block("## A walk through the API"), live_server)
    assert '"message":"User account created successfully."' in out
    assert re.search(r"^prompt: prompt[0-9a-z]+$", out, re.M)
    assert '"modelUsed":"Claude"' in out and '"score":7' in out
    assert '"title":"Launch email subject v2"' in out
    assert out.rstrip().endswith("204")


def python_blocks(heading: str) -> list[str]:
    section = README.read_text().split(heading, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, re.S)


def test_sdk_examples_run_as_written(live_server: ServerProcess) -> None:
    blocks = python_blocks("## Python SDK")
    assert len(blocks) >= 2, "the quickstart and async examples are missing"
    env = {**os.environ, "PROMPTCRAFTER_URL": live_server.base_url}
    for block in blocks:
        result = subprocess.run(
            [sys.executable, "-c", block],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            check=False,
        )
        assert result.returncode == 0, f"{block}\n---\n{result.stderr}"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_registry_walkthrough_runs_verbatim(live_server: ServerProcess) -> None:
    out = run_against(shell_block("## Registry: versions, labels, templates"), live_server)
    assert '"version":2' in out and '"commitMessage":"warmer"' in out
    assert '{"name":"prod","version":1,' in out
    assert '"rendered":"Write a tagline for Acme Rockets."' in out
    assert '"promptVersion":1,"label":"prod"' in out
    assert out.rstrip().splitlines()[-1].count('"version":3') == 1
    assert '"error"' not in out


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_api_key_example_runs_after_the_walkthrough(live_server: ServerProcess) -> None:
    script = shell_block("## A walk through the API") + shell_block("## API keys")
    out = run_against(script, live_server)
    assert '"name":"nightly eval","scope":"write"' in out
    assert re.search(r'"prefix":"pc_[0-9a-z]{8}"', out)
    assert out.rstrip().endswith("204")

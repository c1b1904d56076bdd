"""``promptcrafter export`` and ``import``: a library moved between accounts, failures
reported, a progress bar only on a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support.cli import CLI, PASSWORD, make_cli, unique_email

from promptcrafter.client import PromptCrafterClient


def seed_library(client: PromptCrafterClient) -> None:
    a = client.create_prompt(
        "Launch email", "Write a launch email.\n\tBe brief.", "gpt-4o", tags=["marketing", "email"]
    )
    client.create_log(a["_id"], "Ready to upgrade?", "gpt-4o", notes="Engaging.", score=7)
    client.create_log(a["_id"], "Upgrade today!", "claude", score=4.5)
    b = client.create_prompt("Ünïcode “quotes” 🚀", "Line\u2028separator and 100% _literal_", "m")
    client.create_log(b["_id"], "résumé\r\nnaïve", "m", notes="CRLF kept")
    client.create_prompt("No logs here", "Just a prompt.", "llama", tags=["solo"])


def summary(client: PromptCrafterClient) -> list[tuple[Any, ...]]:
    logs = client.get_logs()
    return [
        (
            p["title"],
            p["content"],
            p["model"],
            p["tags"],
            [
                (x["output"], x["modelUsed"], x["notes"], x["score"])
                for x in logs
                if x["promptId"] == p["_id"]
            ],
        )
        for p in client.get_prompts()
    ]


def test_export_then_import_into_another_account(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, source = account
    seed_library(source)
    cli.login(email)

    export_file = tmp_path / "library.jsonl"
    exported = cli.ok("export", str(export_file))
    assert "Exported 3 prompts and 3 logs" in exported.stdout
    assert "\r" not in exported.stderr  # no progress bar when stderr is not a terminal
    assert stat.S_IMODE(export_file.stat().st_mode) == 0o600
    lines = export_file.read_text(encoding="utf-8").split("\n")
    assert lines[-1] == "" and len(lines) == 4
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["prompt"]["title"] for r in records] == [p["title"] for p in source.get_prompts()]
    assert [len(r["logs"]) for r in records] == [2, 1, 0]

    target_email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as target:
        target.signup("Bob", target_email, PASSWORD)
        bob = make_cli(tmp_path, live_server.base_url, "bob")
        bob.login(target_email)
        imported = bob.run("import", str(export_file))
        assert imported.returncode == 0, imported.stderr
        assert "Imported 3 prompts and 3 logs; 0 prompts and 0 logs failed." in imported.stdout

        assert summary(target) == summary(source)
        source_ids = {p["_id"] for p in source.get_prompts()}
        assert source_ids.isdisjoint(p["_id"] for p in target.get_prompts())
        me = target.get_me()
        assert all(p["ownerId"] == me["_id"] for p in target.get_prompts())
    # The source account is unchanged.
    assert len(source.get_prompts()) == 3 and len(source.get_logs()) == 3


def test_export_to_stdout_and_import_from_stdin_json(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient], live_server: Any
) -> None:
    email, source = account
    seed_library(source)
    cli.login(email)
    exported = cli.ok("export", "-", "--json")
    assert json.loads(exported.stderr) == {"prompts": 3, "logs": 3, "file": "-"}

    with PromptCrafterClient(base_url=live_server.base_url) as target:
        target.signup("Dora", unique_email(), PASSWORD)
        report = cli.run(
            "import",
            "-",
            "--json",
            input=exported.stdout,
            env={"PROMPTCRAFTER_TOKEN": str(target.token)},
        )
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout) == {
            "created": {"prompts": 3, "logs": 3},
            "failed": {"prompts": 0, "logs": 0},
            "problems": [],
        }
        assert summary(target) == summary(source)


def test_import_reports_failures(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    good = {
        "prompt": {"title": "Good prompt", "content": "text", "model": "m", "tags": ["ok"]},
        "logs": [
            {"output": "fine", "modelUsed": "m", "notes": None, "score": 5},
            {"output": "bad score", "modelUsed": "m", "notes": None, "score": 11},
        ],
    }
    short_title = {
        "prompt": {"title": "ab", "content": "text", "model": "m"},
        "logs": [{"output": "orphan", "modelUsed": "m"}],
    }
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([json.dumps(good), "{not json", "", json.dumps(short_title)]) + "\n",
        encoding="utf-8",
    )
    result = cli.run("import", str(path), "--json")
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["created"] == {"prompts": 1, "logs": 1}
    assert report["failed"] == {"prompts": 2, "logs": 2}
    # --json carries the sentences standard error gets, in file order.
    assert report["problems"] == result.stderr.splitlines()
    assert len(report["problems"]) == 3
    assert f"{path}:2: not valid JSON" in result.stderr
    assert f"{path}:4: prompt not created: Required fields are missing or invalid." in result.stderr
    assert f"{path}:1: log 2 not created" in result.stderr
    assert summary(client) == [("Good prompt", "text", "m", ["ok"], [("fine", "m", None, 5)])]


def test_progress_bar_only_on_a_terminal(
    cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path
) -> None:
    email, client = account
    seed_library(client)
    cli.login(email)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "promptcrafter", "export", str(tmp_path / "out.jsonl")],
            stdout=subprocess.PIPE,
            stderr=terminal,
            env=cli.env,
        )
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            ready, _, _ = select.select([controller], [], [], 60)
            if not ready:
                break
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=60) == 0
        assert process.stdout is not None
        assert b"Exported 3 prompts" in process.stdout.read()
        process.stdout.close()
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert b"Exporting" in seen and b"3/3" in seen and b"\r" in seen

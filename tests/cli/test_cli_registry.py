"""The registry's commands through the real entry point, and an export → import round trip
that carries the whole history into another account."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.cli import CLI, PASSWORD, make_cli, unique_email

from promptcrafter.client import PromptCrafterClient


def _history_prompt(client: PromptCrafterClient) -> str:
    prompt = client.create_prompt(
        "Release notes", "Summarise {{ changes }}", "gpt-4o", ["docs"], commit_message="start"
    )
    pid = prompt["_id"]
    client.update_prompt(pid, content="Summarise {{ changes }} for {{ audience }}")
    client.update_prompt(
        pid, title="Release notes v3", tags=["docs", "release"], commit_message="t"
    )
    return pid


def test_versions_labels_render_stats_compare_and_diff(
    cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    pid = _history_prompt(client)
    cli.login(email)

    versions = cli.json("prompts", "versions", pid)
    assert [v["version"] for v in versions] == [3, 2, 1]
    table = cli.ok("prompts", "versions", pid).stdout.splitlines()
    assert table[0].split()[:3] == ["VERSION", "TITLE", "MODEL"] and "start" in table[-1]

    assert cli.json("labels", "set", pid, "production", "2")["version"] == 2
    assert "production" in cli.ok("labels", "list", pid).stdout
    shown = cli.json("prompts", "get", pid, "--label", "production")
    assert shown["version"] == 2 and shown["title"] == "Release notes"

    rendered = cli.ok(
        "render",
        pid,
        "--label",
        "production",
        "--var",
        "changes=bug fixes",
        "--var",
        "audience=users",
    )
    assert rendered.stdout == "Summarise bug fixes for users\n"
    missing = cli.run("render", pid, "--var", "changes=x")
    assert missing.returncode == 1
    assert "Missing template variables: audience." in missing.stderr
    lenient = cli.ok("render", pid, "--var", "changes=x", "--lenient")
    assert lenient.stdout == "Summarise x for {{ audience }}\n" and "audience" in lenient.stderr

    for score, version in ((6, "1"), (7, "1"), (9, "2")):
        cli.ok(
            "logs",
            "create",
            "--prompt",
            pid,
            "--output",
            "o",
            "--model",
            "gpt-4o",
            "--score",
            str(score),
            "--version",
            version,
        )
    stats = cli.json("stats", pid, "--by", "version")
    assert [(g["promptVersion"], g["count"]) for g in stats["groups"]] == [(2, 1), (1, 2)]
    assert "MEAN" in cli.ok("stats", pid).stdout
    verdict = cli.ok("compare", pid, "1", "production").stdout
    assert "not enough data" in verdict and "Difference" in verdict

    diff = cli.ok("prompts", "diff", pid, "--from", "1", "--to", "2").stdout
    assert (
        "-Summarise {{ changes }}" in diff and "+Summarise {{ changes }} for {{ audience }}" in diff
    )
    assert cli.json("prompts", "diff", pid)["from"] == 2

    restored = cli.json("prompts", "restore", pid, "1", "--message", "undo")
    assert restored["version"] == 4 and restored["content"] == "Summarise {{ changes }}"
    cli.ok("labels", "delete", pid, "production")
    history = cli.json("labels", "history", pid, "production")
    assert [h["version"] for h in history] == [None, 2]
    refused = cli.run("labels", "set", pid, "latest", "1")
    assert refused.returncode == 1 and 'The label "latest" is reserved.' in refused.stderr


def _picture(client: PromptCrafterClient) -> list[dict[str, Any]]:
    """What must survive an export and import: everything but ids and timestamps."""
    pictures = []
    for prompt in client.get_prompts():
        versions = client.get_versions(prompt["_id"])
        pictures.append(
            {
                "versions": [
                    (
                        v["version"],
                        v["title"],
                        v["content"],
                        v["model"],
                        v["tags"],
                        v["commitMessage"],
                    )
                    for v in reversed(versions)
                ],
                "labels": prompt["labels"],
                "logs": [
                    (log["output"], log["modelUsed"], log["score"], log["promptVersion"])
                    for log in client.get_logs_by_prompt(prompt["_id"])
                ],
            }
        )
    return pictures


def test_export_import_round_trip_keeps_the_history(
    tmp_path: Path, live_server: Any, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    pid = _history_prompt(client)
    client.set_label(pid, "production", 1)
    client.set_label(pid, "staging", 3)
    client.create_log(pid, "first output", "gpt-4o", score=5, prompt_version=1)
    client.create_log(pid, "second output", "claude", notes="n", prompt_version=2)
    late = client.create_prompt("Late history", "Begins at four", "gpt-4o", first_version=4)
    client.update_prompt(late["_id"], content="Then five", commit_message="five")
    client.create_log(late["_id"], "late output", "gpt-4o", score=8)
    before = _picture(client)

    cli.login(email)
    export = tmp_path / "library.jsonl"
    cli.ok("export", str(export))
    first_line = json.loads(export.read_text(encoding="utf-8").splitlines()[0])
    assert [v["version"] for v in first_line["versions"]] == [1, 2, 3]

    other_email = unique_email()
    with PromptCrafterClient(base_url=live_server.base_url) as other:
        other.signup("Other", other_email, PASSWORD)
        other_cli = make_cli(tmp_path, live_server.base_url, "other")
        other_cli.login(other_email)
        report = other_cli.json("import", str(export))
        assert report == {
            "created": {"prompts": 2, "logs": 3},
            "failed": {"prompts": 0, "logs": 0},
            "problems": [],
        }
        after = _picture(other)
        assert after == before
        assert after[1]["versions"][0][0] == 4  # a history that began later keeps its number
        with_ids = other.get_prompts()
        assert {p["_id"] for p in with_ids}.isdisjoint(p["_id"] for p in client.get_prompts())

"""``promptcrafter prompts``, ``search`` and ``logs``: what they send, store and print."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.cli import CLI

from promptcrafter.client import NotFoundError, PromptCrafterClient


def test_prompt_commands(
    cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path
) -> None:
    email, client = account
    cli.login(email)

    made = cli.json(
        "prompts",
        "create",
        "--title",
        "Launch email",
        "--content",
        "Write a launch email.",
        "--model",
        "gpt-4o",
        "--tag",
        "marketing",
        "--tag",
        "email",
    )
    assert made["title"] == "Launch email"
    assert made["tags"] == ["marketing", "email"]
    assert client.get_prompt(made["_id"]) == made

    text_file = tmp_path / "prompt.txt"
    text_file.write_bytes("Line one\r\nLine two — ünïcode\n".encode())
    from_file = cli.json(
        "prompts",
        "create",
        "--title",
        "From a file",
        "--content-file",
        str(text_file),
        "--model",
        "claude",
    )
    assert client.get_prompt(from_file["_id"])["content"] == "Line one\r\nLine two — ünïcode\n"
    assert from_file["tags"] == []

    from_stdin = cli.json(
        "prompts",
        "create",
        "--title",
        "From stdin",
        "--content-file",
        "-",
        "--model",
        "m",
        input="piped text\n",
    )
    assert client.get_prompt(from_stdin["_id"])["content"] == "piped text\n"

    listed = cli.json("prompts", "list")
    assert [p["_id"] for p in listed] == [made["_id"], from_file["_id"], from_stdin["_id"]]
    table = cli.ok("prompts", "list").stdout.splitlines()
    assert table[0].split() == ["ID", "TITLE", "MODEL", "TAGS", "UPDATED"]
    assert made["_id"] in table[1] and "marketing, email" in table[1]

    shown = cli.ok("prompts", "get", made["_id"]).stdout
    assert "Launch email" in shown and "Write a launch email." in shown
    assert cli.json("prompts", "get", made["_id"]) == client.get_prompt(made["_id"])

    changed = cli.json("prompts", "update", made["_id"], "--title", "Launch v2", "--tag", "launch")
    assert changed["title"] == "Launch v2" and changed["tags"] == ["launch"]
    assert changed["content"] == "Write a launch email."
    cleared = cli.json("prompts", "update", made["_id"], "--clear-tags")
    assert cleared["tags"] == []
    stored = client.get_prompt(made["_id"])
    assert (stored["title"], stored["tags"], stored["model"]) == ("Launch v2", [], "gpt-4o")

    nothing = cli.run("prompts", "update", made["_id"])
    assert nothing.returncode == 2
    assert "Nothing to change" in nothing.stderr

    removed = cli.ok("prompts", "delete", from_stdin["_id"])
    assert from_stdin["_id"] in removed.stdout
    with pytest.raises(NotFoundError):
        client.get_prompt(from_stdin["_id"])


def test_search_command(cli: CLI, account: tuple[str, PromptCrafterClient]) -> None:
    email, client = account
    cli.login(email)
    wanted = client.create_prompt("Photosynthesis explainer", "Explain it simply.", "m")
    client.create_prompt("Unrelated", "Something else.", "m", tags=["misc"])
    assert [p["_id"] for p in cli.json("search", "PHOTO", "simply")] == [wanted["_id"]]
    assert cli.json("search", "zzz-no-match") == []
    assert "No matching prompts." in cli.ok("search", "zzz-no-match").stdout


def test_log_commands(cli: CLI, account: tuple[str, PromptCrafterClient], tmp_path: Path) -> None:
    email, client = account
    cli.login(email)
    first = client.create_prompt("First prompt", "text", "gpt-4o")
    second = client.create_prompt("Second prompt", "text", "claude")

    scored = cli.json(
        "logs",
        "create",
        "--prompt",
        first["_id"],
        "--output",
        "Ready to upgrade?",
        "--model",
        "gpt-4o",
        "--notes",
        "Engaging.",
        "--score",
        "7.5",
    )
    assert (scored["output"], scored["modelUsed"]) == ("Ready to upgrade?", "gpt-4o")
    assert (scored["notes"], scored["score"]) == ("Engaging.", 7.5)

    out_file = tmp_path / "output.txt"
    out_file.write_text("A long\nmulti-line output\n", encoding="utf-8")
    bare = cli.json(
        "logs",
        "create",
        "--prompt",
        second["_id"],
        "--output-file",
        str(out_file),
        "--model",
        "claude",
    )
    assert bare["output"] == "A long\nmulti-line output\n"
    assert bare["notes"] is None and bare["score"] is None

    assert [x["_id"] for x in cli.json("logs", "list")] == [scored["_id"], bare["_id"]]
    assert [x["_id"] for x in cli.json("logs", "list", "--prompt", second["_id"])] == [bare["_id"]]
    table = cli.ok("logs", "list").stdout
    assert "SCORE" in table and scored["_id"] in table and "7.5" in table

    bad_score = cli.run(
        "logs",
        "create",
        "--prompt",
        first["_id"],
        "--output",
        "x",
        "--model",
        "m",
        "--score",
        "11",
    )
    assert bad_score.returncode == 1
    assert "Required fields are missing or invalid." in bad_score.stderr

    cli.ok("logs", "delete", scored["_id"])
    assert [x["_id"] for x in client.get_logs()] == [bare["_id"]]

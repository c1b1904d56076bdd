"""What a review of 2026-12-07 found in the CLI: tables that cut ids and dropped columns at
80 columns, tracebacks for empty ids and odd URLs, and imports that lost or bent data (a pipe
read twice, a half-made prompt left by a lost connection, version numbers shifted)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from tests.support.cli import CLI

from promptcrafter.cli import transfer
from promptcrafter.client import PromptCrafterClient, PromptCrafterConnectionError

ELLIPSIS = "…"


def _columns(cli: CLI, width: int, *args: str) -> str:
    result = cli.run(*args, env={"COLUMNS": str(width)})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _library(client: PromptCrafterClient) -> dict[str, Any]:
    prompt = client.create_prompt(
        "A title long enough to be cut short somewhere", "Text {{ who }}", "gpt-4o-mini"
    )
    client.update_prompt(prompt["_id"], content="Text two", commit_message="second try")
    log = client.create_log(prompt["_id"], "An output " * 12, "gpt-4o-mini", score=7.5)
    key = client.create_api_key("deploy bot for the staging cluster", scope="read")
    return {"prompt": prompt, "log": log, "key": key}


@pytest.mark.parametrize("width", [40, 80, 200])
def test_no_id_or_number_is_cut_and_no_column_is_lost(
    cli: CLI, account: tuple[str, PromptCrafterClient], width: int
) -> None:
    email, client = account
    cli.login(email)
    made = _library(client)
    prompt_id, log_id = made["prompt"]["_id"], made["log"]["_id"]

    logs = _columns(cli, width, "logs", "list", "--prompt", prompt_id)
    for whole in (log_id, prompt_id, "7.5", "gpt-4o-mini", "2", "An output"):
        assert whole in logs, (width, whole, logs)
    for header in ("ID", "PROMPT", "VERSION", "MODEL", "SCORE", "OUTPUT", "CREATED"):
        assert re.search(rf"(^|\s){header}(\s|$)", logs), (width, header, logs)

    listed = _columns(cli, width, "prompts", "list")
    assert prompt_id in listed and "gpt-4o-mini" in listed and "TITLE" in listed

    versions = _columns(cli, width, "prompts", "versions", prompt_id)
    assert "second try" in versions and re.search(r"(^|\s)2(\s|$)", versions)

    stats = _columns(cli, width, "stats", prompt_id)
    assert "gpt-4o-mini" in stats and "7.50" in stats

    keys = _columns(cli, width, "keys", "list")
    assert made["key"]["_id"] in keys and re.search(r"(^|\s)read(\s|$)", keys)
    for text in (logs, listed, keys):
        for line in text.splitlines():
            assert len(line.rstrip()) <= width, (width, line)


def test_a_wide_terminal_shows_one_row_per_line(
    cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    made = _library(client)
    logs = _columns(cli, 200, "logs", "list", "--prompt", made["prompt"]["_id"]).splitlines()
    assert logs[0].split()[:3] == ["ID", "PROMPT", "VERSION"]
    assert logs[1].startswith(made["log"]["_id"]) and len(logs) == 2


@pytest.mark.parametrize(
    "args",
    [
        ("prompts", "get", ""),
        ("prompts", "get", "prompt1", "--label", ""),
        ("render", "prompt1", "--label", " "),
        ("stats", ""),
        ("compare", "", "1", "2"),
        ("prompts", "versions", ""),
        ("prompts", "restore", "", "1"),
        ("labels", "set", "prompt1", "", "1"),
        ("labels", "history", "prompt1", ""),
        ("logs", "delete", ""),
        ("logs", "list", "--prompt", ""),
        ("keys", "revoke", ""),
    ],
)
def test_an_empty_id_or_label_is_one_sentence(cli: CLI, args: tuple[str, ...]) -> None:
    result = cli.run(*args, env={"PROMPTCRAFTER_TOKEN": "pc_token"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "cannot be empty" in result.stderr, result.stderr


@pytest.mark.parametrize("url", ["http://[::1", "http://host:port"])
def test_a_url_that_does_not_parse_is_one_sentence(cli: CLI, url: str) -> None:
    result = cli.run("prompts", "list", "--url", url, env={"PROMPTCRAFTER_TOKEN": "pc_token"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "is not a valid URL" in result.stderr
    with pytest.raises(ValueError, match="is not a valid URL"):
        PromptCrafterClient(base_url=url)


def _record(versions: list[tuple[int, str]], **extra: Any) -> str:
    record = {
        "prompt": {"title": "Imported", "content": versions[-1][1], "model": "m"},
        "versions": [
            {"version": n, "title": "Imported", "content": text, "model": "m", "tags": []}
            for n, text in versions
        ],
        "labels": [],
        "logs": [],
        **extra,
    }
    return json.dumps(record)


def test_import_from_a_pipe_reads_it_once(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    fifo = tmp_path / "lines"
    os.mkfifo(fifo)
    line = _record([(1, "A"), (2, "B")])
    # The writer runs while the CLI reads: a FIFO has no second pass.
    writer = os.fork()
    if writer == 0:  # pragma: no cover - the child only writes and leaves
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write(line + "\n")
        os._exit(0)
    result = cli.run("import", str(fifo), "--json")
    os.waitpid(writer, 0)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["created"] == {"prompts": 1, "logs": 0}
    assert [p["content"] for p in client.get_prompts()] == ["B"]


def test_two_identical_versions_in_a_row_are_refused_whole(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    path = tmp_path / "same.jsonl"
    path.write_text(
        _record(
            [(1, "A"), (2, "A"), (3, "B")],
            labels=[{"name": "prod", "version": 2}],
            logs=[{"output": "o", "modelUsed": "m", "promptVersion": 2}],
        )
        + "\n",
        encoding="utf-8",
    )
    result = cli.run("import", str(path))
    assert result.returncode == 1
    assert "version 2 would be version 1 here (it is the same as version 1)" in result.stderr
    assert client.get_prompts() == [] and client.get_logs() == []


def test_a_refused_label_is_named(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    path = tmp_path / "label.jsonl"
    path.write_text(
        _record([(1, "A")], labels=[{"name": "Prod", "version": 1}]) + "\n", encoding="utf-8"
    )
    result = cli.run("import", str(path))
    assert result.returncode == 1
    assert f"{path}:1: prompt not created: label 'Prod': " in result.stderr
    assert client.get_prompts() == []


class _DropsAfterCreate(PromptCrafterClient):
    """A client whose connection is lost after the prompt is made (the server did the first
    change, the answer never came)."""

    def update_prompt(self, prompt_id: str, **fields: Any) -> Any:
        super().update_prompt(prompt_id, **fields)
        raise PromptCrafterConnectionError("The server did not answer in time.")


def test_a_lost_connection_mid_prompt_leaves_nothing(
    account: tuple[str, PromptCrafterClient],
) -> None:
    _, client = account
    dropping = _DropsAfterCreate(base_url=client.base_url, token=client.token)
    report = transfer.ImportReport()
    line = _record([(1, "A"), (2, "B"), (3, "C")])
    with pytest.raises(PromptCrafterConnectionError):
        transfer.import_line(dropping, line, "file:1", report)
    dropping.close()
    assert client.get_prompts() == []

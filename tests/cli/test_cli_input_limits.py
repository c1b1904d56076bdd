"""The CLI reads its input files only as far as a request could carry them.

A review (2026-12-08) ran ``prompts create --content-file /dev/zero``: it grew to 22 GB and
was killed by the kernel; ``import /dev/zero`` likewise, and a 300 MB ``--output-file`` was
read whole only for the server to refuse it with 413. A text sent in one request is now read
to one byte past the server's 1 MiB limit, and an import line to one past 256 MiB.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.cli import CLI

from promptcrafter.client import PromptCrafterClient

MIB = 1024 * 1024
TOO_LARGE = "is larger than 1 MiB, the most the server takes in a request."


def test_a_text_file_past_the_request_limit_is_refused_before_it_is_read(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * (MIB + 1))
    for args in (
        ["prompts", "create", "--title", "Endless", "--content-file", "/dev/zero", "--model", "m"],
        ["prompts", "create", "--title", "Too big", "--content-file", str(big), "--model", "m"],
    ):
        result = cli.run(*args)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert TOO_LARGE in result.stderr, result.stderr
    assert client.get_prompts() == []
    # One byte less is read and sent (the server then judges the content's own length).
    big.write_bytes(b"x" * MIB)
    result = cli.run(
        "prompts", "create", "--title", "Big", "--content-file", str(big), "--model", "m"
    )
    assert TOO_LARGE not in result.stderr and "Traceback" not in result.stderr


def test_an_import_line_past_its_limit_is_refused_and_stdin_is_read_a_line_at_a_time(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    email, client = account
    cli.login(email)
    endless = cli.run("import", "/dev/zero")
    assert endless.returncode == 1, endless.stderr
    assert "Traceback" not in endless.stderr
    assert "/dev/zero:1 is longer than 256 MiB." in endless.stderr
    record = {"prompt": {"title": "Piped prompt", "content": "text", "model": "m"}, "logs": []}
    piped = cli.run("import", "-", "--json", input=json.dumps(record) + "\n\n")
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["created"] == {"prompts": 1, "logs": 0}
    assert [p["title"] for p in client.get_prompts()] == ["Piped prompt"]

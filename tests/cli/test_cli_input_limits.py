"""The CLI reads its input files only as far as a request could carry them.

A review (2026-12-08) ran ``prompts create --content-file /dev/zero``: it grew to 22 GB and
was killed by the kernel; ``import /dev/zero`` likewise, and a 300 MB ``--output-file`` was
read whole only for the server to refuse it with 413. A text sent in one request is now read
to one byte past the server's 1 MiB limit, and an import line to one past 256 MiB.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.support.cli import CLI

from promptcrafter.client import PromptCrafterClient

MIB = 1024 * 1024
TOO_LARGE = "is larger than 1 MiB, more than a request to the server can carry."


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


def test_a_bad_byte_in_an_import_is_reported_on_its_line_after_the_lines_before_it(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    # A text reader decodes ahead a chunk at a time: the error named the chunk's first line,
    # and from a pipe the good lines in that chunk before the bad one were never imported.
    email, client = account
    cli.login(email)

    def record(n: int) -> bytes:
        prompt = {"title": f"Prompt {n:03d}", "content": "text", "model": "m"}
        return json.dumps({"prompt": prompt, "logs": []}).encode() + b"\n"

    data = b"".join(record(n) for n in range(1, 60)) + b'{"prompt": "\xff"}\n' + record(61)
    path = tmp_path / "bad.jsonl"
    path.write_bytes(data)
    from_file = cli.run("import", str(path))
    assert from_file.returncode == 1
    assert f"{path}:60 is not UTF-8 text." in from_file.stderr, from_file.stderr
    assert client.get_prompts() == []  # a file is read through before anything is imported
    piped = subprocess.run(
        [sys.executable, "-m", "promptcrafter", "import", "-"],
        input=data,
        capture_output=True,
        env=cli.env,
        timeout=120,
        check=False,
    )
    assert piped.returncode == 1
    assert "stdin:60 is not UTF-8 text." in piped.stderr.decode(), piped.stderr
    titles = [p["title"] for p in client.get_prompts()]
    assert titles == [f"Prompt {n:03d}" for n in range(1, 60)]


def test_a_vars_file_is_judged_by_the_body_it_makes_not_its_size(
    tmp_path: Path, cli: CLI, account: tuple[str, PromptCrafterClient]
) -> None:
    # json.dump's default escapes every non-ASCII character: six bytes on disk, three in the
    # body. This file is over 1 MiB but makes a body well under it.
    email, client = account
    cli.login(email)
    prompt = client.create_prompt("Wide vars", "Say {{ x }}", "m")
    escaped = tmp_path / "vars.json"
    escaped.write_text(json.dumps({"x": "\u4e2d" * 200_000}), encoding="ascii")
    assert escaped.stat().st_size > MIB
    result = cli.run("render", prompt["_id"], "--vars-file", str(escaped), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["rendered"] == "Say " + "\u4e2d" * 200_000

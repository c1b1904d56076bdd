"""``export`` and ``import``: a library as JSON lines, one prompt with its logs per line.

Each line holds one prompt with its versions, labels and logs (see ``records``). Import
recreates them under the logged-in account (new ids, new timestamps; the same history, label
targets and log versions), in file order, and reports what was created and what failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, TextIO

from promptcrafter.cli import output
from promptcrafter.cli.records import Record, RecordError, build_record, parse_record
from promptcrafter.cli.session import CLIError, session
from promptcrafter.client import (
    AuthenticationError,
    Log,
    Prompt,
    PromptCrafterAPIError,
    PromptCrafterClient,
    PromptCrafterConnectionError,
    PromptCrafterError,
)

EXPORT_HELP = "write all your prompts and their logs to a JSON lines file"
IMPORT_HELP = "recreate prompts and logs from an export file under your account"


# --- export ----------------------------------------------------------------------------------


def export_records(client: PromptCrafterClient) -> list[dict[str, Any]]:
    """One record per prompt, oldest first, each with its history, labels and logs."""
    prompts: list[Prompt] = client.get_prompts()
    logs: list[Log] = client.get_logs()
    by_prompt: dict[str, list[Log]] = {p["_id"]: [] for p in prompts}
    for log in logs:
        bucket = by_prompt.get(log.get("promptId", ""))
        if bucket is not None:
            bucket.append(log)
    return [build_record(client, dict(p), list(by_prompt[p["_id"]])) for p in prompts]


@contextlib.contextmanager
def _open_for_writing(path: str) -> Iterator[TextIO]:
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    # The export holds a private library: new files are readable by their owner only.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
        yield handle


def export_command(args: argparse.Namespace) -> int:
    s = session(args)
    with s.client() as client:
        records = export_records(client)
    log_count = sum(len(r["logs"]) for r in records)
    with (
        _open_for_writing(args.file) as handle,
        output.Progress("Exporting", len(records)) as progress,
    ):
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")
            progress.advance()
    summary = {"prompts": len(records), "logs": log_count, "file": args.file}
    # With `-` the records own stdout, so the summary goes to stderr.
    stream = sys.stderr if args.file == "-" else sys.stdout
    if s.as_json:
        output.write_json(summary, stream)
    else:
        where = "standard output" if args.file == "-" else args.file
        what = f"{output.count(len(records), 'prompt')} and {output.count(log_count, 'log')}"
        stream.write(f"Exported {what} to {where}.\n")
    return 0


# --- import ----------------------------------------------------------------------------------


@dataclass
class ImportReport:
    prompts_created: int = 0
    logs_created: int = 0
    prompts_failed: int = 0
    logs_failed: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.prompts_failed + self.logs_failed

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": {"prompts": self.prompts_created, "logs": self.logs_created},
            "failed": {"prompts": self.prompts_failed, "logs": self.logs_failed},
            # The same sentences as standard error gets, so a script need not parse both.
            "problems": list(self.problems),
        }

    def sentence(self) -> str:
        created = output.count(self.prompts_created, "prompt")
        created_logs = output.count(self.logs_created, "log")
        failed = output.count(self.prompts_failed, "prompt")
        failed_logs = output.count(self.logs_failed, "log")
        return f"Imported {created} and {created_logs}; {failed} and {failed_logs} failed."


class _StepFailed(Exception):
    """A step of recreating a prompt failed; ``sentence`` says which and why."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


def _check_number(made: Prompt, wanted: int, before: int | None) -> None:
    """The server numbered the version it kept as the file does (a server without versions
    says nothing, and is not asked)."""
    if "version" not in made or made["version"] == wanted:
        return
    # The server makes no version for a change that changes nothing; the file's later
    # numbers, labels and logs would then name other texts than they did.
    why = f" (it is the same as version {before})" if before else ""
    raise _StepFailed(f"version {wanted} would be version {made['version']} here{why}")


def _create(client: PromptCrafterClient, record: Record, where: str) -> str:
    """The prompt with its whole history and labels, or nothing: a failure part way (an error
    answer, a lost connection, Ctrl-C) removes what was made, so a prompt is never imported
    half."""
    first = record.versions[0]
    prompt = client.create_prompt(
        first.title,
        first.content,
        first.model,
        first.tags,
        commit_message=first.commit_message,
        first_version=first.number if first.number != 1 else None,
    )
    prompt_id = prompt["_id"]
    step = f"version {first.number}"
    try:
        _check_number(prompt, first.number, None)
        for version in record.versions[1:]:
            step = f"version {version.number}"
            made = client.update_prompt(
                prompt_id,
                title=version.title,
                content=version.content,
                model=version.model,
                tags=version.tags or [],
                commit_message=version.commit_message,
            )
            _check_number(made, version.number, version.number - 1)
        for name, number in record.labels.items():
            step = f"label {name!r}"
            client.set_label(prompt_id, name, number)
    except BaseException as exc:
        _remove(client, prompt_id, where)
        if isinstance(exc, PromptCrafterAPIError) and not isinstance(exc, AuthenticationError):
            raise _StepFailed(f"{step}: {exc.message}") from exc
        raise
    return prompt_id


def _remove(client: PromptCrafterClient, prompt_id: str, where: str) -> None:
    try:
        client.delete_prompt(prompt_id)
    except PromptCrafterError:
        sys.stderr.write(
            f"{where}: prompt {prompt_id} was left part made and could not be removed; "
            f"delete it with `promptcrafter prompts delete {prompt_id}`.\n"
        )


def import_line(client: PromptCrafterClient, line: str, where: str, report: ImportReport) -> None:
    try:
        record = parse_record(line)
    except RecordError as exc:
        report.prompts_failed += 1
        report.problems.append(f"{where}: {exc}")
        return
    try:
        prompt_id = _create(client, record, where)
    except (AuthenticationError, PromptCrafterConnectionError):
        raise
    except (_StepFailed, PromptCrafterAPIError) as exc:
        why = exc.sentence if isinstance(exc, _StepFailed) else exc.message
        report.prompts_failed += 1
        report.logs_failed += len(record.logs)
        report.problems.append(f"{where}: prompt not created: {why}")
        return
    report.prompts_created += 1
    for number, log in enumerate(record.logs, start=1):
        try:
            client.create_log(prompt_id, **log)
        except (AuthenticationError, PromptCrafterConnectionError):
            raise
        except PromptCrafterAPIError as exc:
            report.logs_failed += 1
            report.problems.append(f"{where}: log {number} not created: {exc.message}")
        else:
            report.logs_created += 1


# An export line holds one prompt with all its logs, so it may be far longer than a request;
# a line past this is no export (``import /dev/zero`` would otherwise fill the memory).
MAX_LINE = 256 * 1024 * 1024


def _read_lines(handle: BinaryIO, name: str) -> Iterator[tuple[int, str]]:
    """The non-blank lines with their numbers, one at a time, each at most ``MAX_LINE``
    bytes. Each is decoded on its own, so a bad byte is reported on its own line and every
    line before it has been read whole (a text reader decodes ahead, a chunk at a time)."""
    number = 0
    while True:
        number += 1
        raw = handle.readline(MAX_LINE + 1)
        if not raw:
            return
        if len(raw) > MAX_LINE:
            raise CLIError(f"{name}:{number} is longer than {MAX_LINE // 2**20} MiB.")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CLIError(f"{name}:{number} is not UTF-8 text.") from exc
        if line.strip():
            yield number, line


def _stdin_lines() -> Iterator[tuple[int, str]]:
    return _read_lines(sys.stdin.buffer, "stdin")


def _file_lines(path: str) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as handle:
        yield from _read_lines(handle, path)


def _lines(path: str) -> tuple[int | None, Iterator[tuple[int, str]]]:
    """How many non-blank lines there are (None when the input can be read only once: stdin,
    a pipe or a FIFO), and an iterator over them with their numbers."""
    if path == "-":
        return None, _stdin_lines()
    if os.path.isfile(path):
        return sum(1 for _ in _file_lines(path)), _file_lines(path)
    os.stat(path)  # a missing path fails here, before anything is imported
    return None, _file_lines(path)


def import_command(args: argparse.Namespace) -> int:
    s = session(args)
    total, lines = _lines(args.file)
    report = ImportReport()
    name = "stdin" if args.file == "-" else args.file
    client = s.client()
    try:
        with client, output.Progress("Importing", total) as progress:
            for number, line in lines:
                import_line(client, line, f"{name}:{number}", report)
                progress.advance()
    finally:
        for problem in report.problems:
            sys.stderr.write(f"{problem}\n")
        if s.as_json:
            output.write_json(report.as_dict())
        else:
            print(report.sentence())
    return 1 if report.failed else 0

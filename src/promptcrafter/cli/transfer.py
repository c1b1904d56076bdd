"""``export`` and ``import``: a library as JSON lines, one prompt with its logs per line.

Each line is ``{"prompt": {...}, "logs": [{...}, ...]}`` holding the objects as the server
returned them. Import recreates them under the logged-in account (new ids, new timestamps),
prompts and logs in file order, and reports what was created and what failed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from promptcrafter.cli import output
from promptcrafter.cli.session import CLIError, session
from promptcrafter.client import (
    AuthenticationError,
    Log,
    Prompt,
    PromptCrafterAPIError,
    PromptCrafterClient,
    PromptCrafterConnectionError,
)

EXPORT_HELP = "write all your prompts and their logs to a JSON lines file"
IMPORT_HELP = "recreate prompts and logs from an export file under your account"


# --- export ----------------------------------------------------------------------------------


def export_records(client: PromptCrafterClient) -> list[dict[str, Any]]:
    """One record per prompt, oldest first, each with its logs oldest first."""
    prompts: list[Prompt] = client.get_prompts()
    logs: list[Log] = client.get_logs()
    by_prompt: dict[str, list[Log]] = {p["_id"]: [] for p in prompts}
    for log in logs:
        bucket = by_prompt.get(log.get("promptId", ""))
        if bucket is not None:
            bucket.append(log)
    return [{"prompt": p, "logs": by_prompt[p["_id"]]} for p in prompts]


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


class RecordError(ValueError):
    """A line of the file is not a usable export record."""


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
        }

    def sentence(self) -> str:
        created = output.count(self.prompts_created, "prompt")
        created_logs = output.count(self.logs_created, "log")
        failed = output.count(self.prompts_failed, "prompt")
        failed_logs = output.count(self.logs_failed, "log")
        return f"Imported {created} and {created_logs}; {failed} and {failed_logs} failed."


def _text(obj: dict[str, Any], *names: str) -> str:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str):
            return value
    raise RecordError(f"`{names[0]}` is missing or not a string")


def parse_record(line: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The prompt fields to create and the log fields to create for one line."""
    try:
        record = json.loads(line)
    except ValueError as exc:
        raise RecordError(f"not valid JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("prompt"), dict):
        raise RecordError('not an export record (expected {"prompt": {...}, "logs": [...]})')
    raw_prompt: dict[str, Any] = record["prompt"]
    tags = raw_prompt.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise RecordError("`tags` is not a list of strings")
    prompt = {
        "title": _text(raw_prompt, "title"),
        "content": _text(raw_prompt, "content"),
        "model": _text(raw_prompt, "model"),
        "tags": tags,
    }
    raw_logs = record.get("logs", [])
    if not isinstance(raw_logs, list) or not all(isinstance(log, dict) for log in raw_logs):
        raise RecordError("`logs` is not a list of objects")
    logs = [
        {
            "output": _text(raw, "output"),
            "model_used": _text(raw, "modelUsed", "model"),
            "notes": raw.get("notes"),
            "score": raw.get("score"),
        }
        for raw in raw_logs
    ]
    return prompt, logs


def import_line(client: PromptCrafterClient, line: str, where: str, report: ImportReport) -> None:
    try:
        prompt_fields, logs = parse_record(line)
    except RecordError as exc:
        report.prompts_failed += 1
        report.problems.append(f"{where}: {exc}")
        return
    try:
        prompt = client.create_prompt(**prompt_fields)
    except (AuthenticationError, PromptCrafterConnectionError):
        raise
    except PromptCrafterAPIError as exc:
        report.prompts_failed += 1
        report.logs_failed += len(logs)
        report.problems.append(f"{where}: prompt not created: {exc.message}")
        return
    report.prompts_created += 1
    for number, log in enumerate(logs, start=1):
        try:
            client.create_log(prompt["_id"], **log)
        except (AuthenticationError, PromptCrafterConnectionError):
            raise
        except PromptCrafterAPIError as exc:
            report.logs_failed += 1
            report.problems.append(f"{where}: log {number} not created: {exc.message}")
        else:
            report.logs_created += 1


def _lines(path: str) -> tuple[int, Iterator[tuple[int, str]]]:
    """How many non-blank lines there are, and an iterator over them with their numbers."""
    if path == "-":
        text = sys.stdin.buffer.read().decode("utf-8")
        lines = [(n, line) for n, line in enumerate(text.split("\n"), start=1) if line.strip()]
        return len(lines), iter(lines)
    with open(path, encoding="utf-8", newline="\n") as handle:
        total = sum(1 for line in handle if line.strip())

    def walk() -> Iterator[tuple[int, str]]:
        with open(path, encoding="utf-8", newline="\n") as handle:
            for number, line in enumerate(handle, start=1):
                if line.strip():
                    yield number, line

    return total, walk()


def import_command(args: argparse.Namespace) -> int:
    s = session(args)
    try:
        total, lines = _lines(args.file)
    except UnicodeDecodeError as exc:
        raise CLIError(f"{args.file} is not UTF-8 text.") from exc
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

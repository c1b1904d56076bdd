"""One line of an export file: a prompt with its whole history, its labels and its logs.

``{"prompt": {...}, "versions": [...], "labels": [...], "logs": [...]}`` holds the objects as
the server returned them; versions are oldest first. Files written before the registry
existed have only ``prompt`` and ``logs``, and still import (as a one-version history).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from promptcrafter.client import PromptCrafterClient


class RecordError(ValueError):
    """A line of the file is not a usable export record."""


@dataclass
class VersionFields:
    number: int
    title: str
    content: str
    model: str
    tags: list[str] | None
    commit_message: str | None


@dataclass
class Record:
    versions: list[VersionFields]
    labels: dict[str, int] = field(default_factory=dict)
    logs: list[dict[str, Any]] = field(default_factory=list)


def build_record(
    client: PromptCrafterClient, prompt: dict[str, Any], logs: list[Any]
) -> dict[str, Any]:
    """The export line of one prompt: its history oldest first and where its labels point."""
    record: dict[str, Any] = {"prompt": prompt}
    if "version" in prompt:  # a server with the registry
        record["versions"] = list(reversed(client.get_versions(prompt["_id"])))
        record["labels"] = list(client.get_labels(prompt["_id"]))
    record["logs"] = logs
    return record


def _text(obj: dict[str, Any], *names: str) -> str:
    for name in names:
        value = obj.get(name)
        if isinstance(value, str):
            return value
    raise RecordError(f"`{names[0]}` is missing or not a string")


def _tags(obj: dict[str, Any]) -> list[str] | None:
    tags = obj.get("tags")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise RecordError("`tags` is not a list of strings")
    return tags


def _number(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RecordError(f"{what} is not a version number")
    return value


def _optional_text(obj: dict[str, Any], name: str) -> str | None:
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise RecordError(f"`{name}` is not a string")
    return value


def _version(raw: object, number: int | None = None) -> VersionFields:
    if not isinstance(raw, dict):
        raise RecordError("a version is not an object")
    return VersionFields(
        number=number if number is not None else _number(raw.get("version"), "`version`"),
        title=_text(raw, "title"),
        content=_text(raw, "content"),
        model=_text(raw, "model"),
        tags=_tags(raw),
        commit_message=_optional_text(raw, "commitMessage"),
    )


def _history(record: dict[str, Any]) -> list[VersionFields]:
    raw_versions = record.get("versions")
    if raw_versions is None:  # an export from before versions existed
        return [_version(record["prompt"], number=1)]
    if not isinstance(raw_versions, list) or not raw_versions:
        raise RecordError("`versions` is not a non-empty list")
    versions = sorted((_version(raw) for raw in raw_versions), key=lambda v: v.number)
    numbers = [v.number for v in versions]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        raise RecordError("`versions` are not consecutive")
    return versions


def _labels(record: dict[str, Any], numbers: range) -> dict[str, int]:
    raw_labels = record.get("labels", [])
    if not isinstance(raw_labels, list):
        raise RecordError("`labels` is not a list")
    labels: dict[str, int] = {}
    for raw in raw_labels:
        if not isinstance(raw, dict):
            raise RecordError("a label is not an object")
        version = _number(raw.get("version"), "a label's `version`")
        if version not in numbers:
            raise RecordError(f"label points at version {version}, which is not in `versions`")
        labels[_text(raw, "name")] = version
    return labels


def _log(raw: dict[str, Any]) -> dict[str, Any]:
    version = raw.get("promptVersion")
    return {
        "output": _text(raw, "output"),
        "model_used": _text(raw, "modelUsed", "model"),
        "notes": raw.get("notes"),
        "score": raw.get("score"),
        "prompt_version": None if version is None else _number(version, "`promptVersion`"),
    }


def strict_json(text: str) -> Any:
    """``text`` as JSON the server accepts: Python's reader also takes ``NaN``, ``Infinity``
    and numbers too large for a float (as infinity), which no request can carry, and strings
    with lone surrogates, which no UTF-8 body can. ValueError for those, bad JSON and JSON
    nested deeper than Python's recursion allows."""
    try:
        value = json.loads(text, parse_constant=_no_constant, parse_float=_finite, parse_int=_whole)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise ValueError("nested too deeply") from None
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate") from None
    return value


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a JSON number")


def _whole(text: str) -> int:
    try:
        return int(text)
    except ValueError:  # Python's own limit on digits, with advice meant for programmers
        digits = len(text.lstrip("-"))
        raise ValueError(f"a number of {digits} digits is too long to read") from None


def _finite(text: str) -> float:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        raise ValueError(f"{text} is too large for a number")
    return value


def parse_record(line: str) -> Record:
    try:
        record = strict_json(line)
    except ValueError as exc:
        raise RecordError(f"not valid JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("prompt"), dict):
        raise RecordError('not an export record (expected {"prompt": {...}, "logs": [...]})')
    versions = _history(record)
    numbers = range(versions[0].number, versions[-1].number + 1)
    raw_logs = record.get("logs", [])
    if not isinstance(raw_logs, list) or not all(isinstance(log, dict) for log in raw_logs):
        raise RecordError("`logs` is not a list of objects")
    logs = [_log(raw) for raw in raw_logs]
    for log in logs:
        if log["prompt_version"] is not None and log["prompt_version"] not in numbers:
            raise RecordError(f"a log names version {log['prompt_version']}, not in `versions`")
    return Record(versions=versions, labels=_labels(record, numbers), logs=logs)

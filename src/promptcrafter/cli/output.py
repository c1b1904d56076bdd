"""Human output (tables, detail views, a progress bar) and JSON output, stdlib only."""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TextIO

# Control characters (C0 except tab and newline, DEL, C1) are dropped from what we print, so a
# stored title cannot move the cursor or recolour the terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BLANKS = re.compile(r"\s+")
ELLIPSIS = "…"


def clean(text: str) -> str:
    """Text safe for a terminal; keeps newlines and tabs."""
    return _CONTROL.sub("", text)


def one_line(text: str) -> str:
    return _BLANKS.sub(" ", clean(text)).strip()


def truncate(text: str, width: int) -> str:
    if width <= 0:
        return ""
    if len(text) <= width:
        return text
    return text[: max(0, width - 1)] + ELLIPSIS


def fmt_time(value: object) -> str:
    """``2024-06-20T13:20:12.000Z`` as ``2024-06-20 13:20``."""
    if not isinstance(value, str):
        return "-"
    match = re.match(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})", value)
    return f"{match.group(1)} {match.group(2)}" if match else one_line(value)


def fmt_score(value: object) -> str:
    if value is None or isinstance(value, bool):
        return "-"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fmt_tags(value: object) -> str:
    if not isinstance(value, list) or not value:
        return "-"
    return ", ".join(one_line(str(tag)) for tag in value)


def count(number: int, noun: str) -> str:
    """``1 prompt``, ``2 prompts``."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def write_json(data: object, stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def render_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    flexible: int | None = None,
    width: int | None = None,
) -> str:
    """Columns padded to fit; ``flexible`` names the column that shrinks to fit ``width``."""
    cells = [[one_line(cell) for cell in row] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))
    if width is None:
        width = shutil.get_terminal_size((120, 24)).columns
    if flexible is not None:
        overflow = sum(widths) + 2 * (len(widths) - 1) - width
        if overflow > 0:
            widths[flexible] = max(len(headers[flexible]), 12, widths[flexible] - overflow)
    lines = []
    for row in [list(headers), *cells]:
        padded = [truncate(cell, widths[i]).ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append("  ".join(padded).rstrip())
    return "\n".join(lines)


def prompts_table(prompts: Sequence[Mapping[str, Any]]) -> str:
    if not prompts:
        return "No prompts."
    rows = [
        [
            str(p.get("_id", "")),
            truncate(one_line(str(p.get("title", ""))), 60),
            truncate(one_line(str(p.get("model", ""))), 24),
            truncate(fmt_tags(p.get("tags")), 40),
            fmt_time(p.get("updatedAt")),
        ]
        for p in prompts
    ]
    return render_table(["ID", "TITLE", "MODEL", "TAGS", "UPDATED"], rows, flexible=1)


def logs_table(logs: Sequence[Mapping[str, Any]]) -> str:
    if not logs:
        return "No logs."
    rows = [
        [
            str(log.get("_id", "")),
            str(log.get("promptId", "")),
            truncate(one_line(str(log.get("modelUsed", ""))), 24),
            fmt_score(log.get("score")),
            truncate(one_line(str(log.get("output", ""))), 60),
            fmt_time(log.get("createdAt")),
        ]
        for log in logs
    ]
    headers = ["ID", "PROMPT", "MODEL", "SCORE", "OUTPUT", "CREATED"]
    return render_table(headers, rows, flexible=4)


def _fields(pairs: Sequence[tuple[str, str]]) -> str:
    width = max(len(label) for label, _ in pairs)
    return "\n".join(f"{(label + ':').ljust(width + 1)} {value}" for label, value in pairs)


def prompt_detail(prompt: Mapping[str, Any]) -> str:
    head = _fields(
        [
            ("ID", str(prompt.get("_id", ""))),
            ("Title", one_line(str(prompt.get("title", "")))),
            ("Model", one_line(str(prompt.get("model", "")))),
            ("Tags", fmt_tags(prompt.get("tags"))),
            ("Created", str(prompt.get("createdAt", "-"))),
            ("Updated", str(prompt.get("updatedAt", "-"))),
        ]
    )
    return f"{head}\n\n{clean(str(prompt.get('content', ''))).rstrip()}"


def log_detail(log: Mapping[str, Any]) -> str:
    notes = log.get("notes")
    head = _fields(
        [
            ("ID", str(log.get("_id", ""))),
            ("Prompt", str(log.get("promptId", ""))),
            ("Model", one_line(str(log.get("modelUsed", "")))),
            ("Score", fmt_score(log.get("score"))),
            ("Notes", one_line(notes) if isinstance(notes, str) else "-"),
            ("Created", str(log.get("createdAt", "-"))),
        ]
    )
    return f"{head}\n\n{clean(str(log.get('output', ''))).rstrip()}"


def user_detail(user: Mapping[str, Any]) -> str:
    return _fields(
        [
            ("Name", one_line(str(user.get("name", "")))),
            ("Email", one_line(str(user.get("email", "")))),
            ("ID", str(user.get("_id", ""))),
            ("Created", str(user.get("createdAt", "-"))),
        ]
    )


class Progress:
    """A one-line progress bar on a terminal; silent when the stream is not one."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._label = label
        self._total = total
        self._done = 0
        self._last_draw = 0.0
        isatty = getattr(self._stream, "isatty", None)
        self.enabled = bool(isatty and isatty())

    def __enter__(self) -> Progress:
        self._draw(force=True)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def set_total(self, total: int) -> None:
        self._total = total
        self._draw(force=True)

    def advance(self, step: int = 1) -> None:
        self._done += step
        self._draw(force=self._done == self._total)

    def close(self) -> None:
        if self.enabled:
            self._draw(force=True)
            self._stream.write("\n")
            self._stream.flush()
            self.enabled = False

    def _draw(self, *, force: bool = False) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not force and now - self._last_draw < 0.1:
            return
        self._last_draw = now
        if self._total:
            share = min(1.0, self._done / self._total)
            bar = ("#" * round(share * 30)).ljust(30, "-")
            text = f"{self._label} [{bar}] {self._done}/{self._total}"
        else:
            text = f"{self._label} {self._done}"
        self._stream.write("\r" + text + "\x1b[K")
        self._stream.flush()

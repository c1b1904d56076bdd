"""Human output (tables, detail views, a progress bar) through rich, and JSON output.

Every string that came from the server is wrapped in ``rich.text.Text`` (never parsed as
markup) after control characters are dropped, so a stored title can neither move the cursor
nor restyle the terminal. Tables fit the terminal's width; when the output is not a terminal
they are laid out for ``$COLUMNS`` (else 120) columns and carry no colour.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, TextIO

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
from rich.progress import Progress as RichProgress
from rich.table import Table
from rich.text import Text

# Control characters (C0 except tab and newline, DEL, C1) are dropped from what we print.
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


def fmt_number(value: object, digits: int = 2) -> str:
    """A statistic for people: ``-`` when undefined, else rounded."""
    if value is None or isinstance(value, bool):
        return "-"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return one_line(str(value))


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


def console(stream: TextIO | None = None) -> Console:
    out = stream or sys.stdout
    isatty = getattr(out, "isatty", None)
    terminal = bool(isatty and isatty())
    width = None if terminal else shutil.get_terminal_size((120, 24)).columns
    return Console(
        file=out, width=width, markup=False, emoji=False, highlight=False, soft_wrap=False
    )


def show(renderable: RenderableType, stream: TextIO | None = None) -> None:
    console(stream).print(renderable)


def text(value: object) -> Text:
    """A server value as inert text."""
    return Text(clean(str(value)))


# Between two columns: a cell's one-space padding on each side (the outer edges have none).
_GAP = 2
# The flexible column is never cut below this (or its header, or its longest cell).
_FLEX_MIN = 12


class FittedTable:
    """Rows as a table that fits the width it is drawn at. Only the ``flexible`` column is
    ever cut short (with an ellipsis); when the other columns alone do not fit, each row is
    shown as a block of ``HEADER value`` lines instead (psql's expanded display), so an id or a
    number is never cut and no column disappears."""

    def __init__(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], flexible: int | None
    ) -> None:
        self.headers = list(headers)
        self.rows = [[one_line(cell) for cell in row] for row in rows]
        self.flexible = flexible
        self.widths = [
            max([cell_len(header)] + [cell_len(row[i]) for row in self.rows])
            for i, header in enumerate(self.headers)
        ]

    def narrowest(self) -> int:
        """The width the table needs with its flexible column cut as far as it may be."""
        widths = list(self.widths)
        if self.flexible is not None:
            floor = max(cell_len(self.headers[self.flexible]), _FLEX_MIN)
            widths[self.flexible] = min(widths[self.flexible], floor)
        return sum(widths) + _GAP * (len(widths) - 1)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        if self.narrowest() <= options.max_width:
            yield self._table(options.max_width)
        else:
            yield self._records()

    def _table(self, width: int) -> Table:
        widths = list(self.widths)
        if self.flexible is not None:
            others = sum(widths) - widths[self.flexible] + _GAP * (len(widths) - 1)
            widths[self.flexible] = min(widths[self.flexible], width - others)
        grid = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
        for header, column_width in zip(self.headers, widths, strict=True):
            grid.add_column(header, width=column_width, no_wrap=True, overflow="ellipsis")
        for row in self.rows:
            grid.add_row(*(Text(cell, no_wrap=True, overflow="ellipsis") for cell in row))
        return grid

    def _records(self) -> Group:
        blocks: list[RenderableType] = []
        for row in self.rows:
            if blocks:
                blocks.append(Text(""))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(no_wrap=True, style="bold")
            grid.add_column(overflow="fold")  # a value wider than the screen folds, never cut
            for header, cell in zip(self.headers, row, strict=True):
                grid.add_row(Text(header), Text(cell or "-"))
            blocks.append(grid)
        return Group(*blocks)


def table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], *, flexible: int | None = None
) -> FittedTable:
    """Rows under ``headers``; ``flexible`` names the column cut short to fit the width."""
    return FittedTable(headers, rows, flexible)


def empty(sentence: str) -> Text:
    return Text(sentence)


def prompts_table(prompts: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not prompts:
        return empty("No prompts.")
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
    return table(["ID", "TITLE", "MODEL", "TAGS", "UPDATED"], rows, flexible=1)


def logs_table(logs: Sequence[Mapping[str, Any]]) -> RenderableType:
    if not logs:
        return empty("No logs.")
    rows = [
        [
            str(log.get("_id", "")),
            str(log.get("promptId", "")),
            fmt_score(log.get("promptVersion")),
            truncate(one_line(str(log.get("modelUsed", ""))), 24),
            fmt_score(log.get("score")),
            truncate(one_line(str(log.get("output", ""))), 60),
            fmt_time(log.get("createdAt")),
        ]
        for log in logs
    ]
    headers = ["ID", "PROMPT", "VERSION", "MODEL", "SCORE", "OUTPUT", "CREATED"]
    return table(headers, rows, flexible=5)


def fields(pairs: Sequence[tuple[str, str]]) -> Table:
    """``Label: value`` lines, labels aligned."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(overflow="fold")
    for label, value in pairs:
        grid.add_row(Text(label + ":"), Text(one_line(value)))
    return grid


def with_body(head: RenderableType, body: str) -> RenderableType:
    return Group(head, Text(""), text(body.rstrip()))


def fmt_labels(value: object) -> str:
    if isinstance(value, Mapping) and value:
        return ", ".join(f"{name}→v{version}" for name, version in sorted(value.items()))
    if isinstance(value, list) and value:
        return ", ".join(str(name) for name in value)
    return "-"


def prompt_detail(prompt: Mapping[str, Any]) -> RenderableType:
    pairs = [
        ("ID", str(prompt.get("_id", ""))),
        ("Title", str(prompt.get("title", ""))),
        ("Model", str(prompt.get("model", ""))),
        ("Tags", fmt_tags(prompt.get("tags"))),
    ]
    if "version" in prompt:
        pairs.append(("Version", fmt_score(prompt.get("version"))))
        pairs.append(("Labels", fmt_labels(prompt.get("labels"))))
        pairs.append(("Variables", ", ".join(prompt.get("variables") or []) or "-"))
    if prompt.get("stale"):
        pairs.append(("Stale", "yes (the server could not be reached)"))
    pairs += [
        ("Created", str(prompt.get("createdAt", "-"))),
        ("Updated", str(prompt.get("updatedAt", "-"))),
    ]
    return with_body(fields(pairs), str(prompt.get("content", "")))


def log_detail(log: Mapping[str, Any]) -> RenderableType:
    notes = log.get("notes")
    pairs = [
        ("ID", str(log.get("_id", ""))),
        ("Prompt", str(log.get("promptId", ""))),
    ]
    if "promptVersion" in log:
        pairs.append(("Version", fmt_score(log.get("promptVersion"))))
    pairs += [
        ("Model", str(log.get("modelUsed", ""))),
        ("Score", fmt_score(log.get("score"))),
        ("Notes", notes if isinstance(notes, str) else "-"),
        ("Created", str(log.get("createdAt", "-"))),
    ]
    return with_body(fields(pairs), str(log.get("output", "")))


def user_detail(user: Mapping[str, Any]) -> RenderableType:
    return fields(
        [
            ("Name", str(user.get("name", ""))),
            ("Email", str(user.get("email", ""))),
            ("ID", str(user.get("_id", ""))),
            ("Created", str(user.get("createdAt", "-"))),
        ]
    )


class Progress:
    """A progress bar on a terminal (rich's); silent when the stream is not one."""

    def __init__(self, label: str, total: int | None, stream: TextIO | None = None) -> None:
        out = stream or sys.stderr
        isatty = getattr(out, "isatty", None)
        self.enabled = bool(isatty and isatty())
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(file=out, markup=False, highlight=False),
            disable=not self.enabled,
            transient=False,
        )
        self._task = self._bar.add_task(label, total=total)

    def __enter__(self) -> Progress:
        self._bar.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def set_total(self, total: int) -> None:
        self._bar.update(self._task, total=total)

    def advance(self, step: int = 1) -> None:
        self._bar.advance(self._task, step)

    def close(self) -> None:
        self._bar.stop()

"""What ``bench/RESULTS.md`` keeps of itself when it is written again.

The file is mostly generated from ``bench/out/results.json``, but two parts of it are not:
notes written by hand about the run at its top (between ``NOTES_START`` and ``NOTES_END``),
and the earlier runs after ``EARLIER``, each opened by its ``<!-- run ... -->`` marker.
Rebuilding the same run (``python -m bench report``, or ``profile`` after a run) keeps both
as they are. A new run starts with no notes; the run it replaces, notes included, becomes the
first earlier run. Earlier runs are bounded: the one just replaced, and, when that one was
partial (``--only`` or ``--quick``), the latest whole matrix before it. Older ones stay in
``git log -p bench/RESULTS.md``.

The markers are HTML comments, which Markdown renderers do not show.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

_RUN = re.compile(r"^<!-- run (\S+) (whole|partial) -->\n", re.MULTILINE)
# A file written before the markers existed names its run in the generated first lines.
_RUN_LINE = re.compile(r"^Run on (\S+) \(UTC\) with `([^`]*)`", re.MULTILINE)
NOTES_START = "<!-- notes: written by hand, kept when this run's report is rebuilt -->"
NOTES_END = "<!-- /notes -->"
EARLIER = "<!-- earlier runs -->"
_TITLE = "# PromptCrafter benchmark\n"


@dataclass(frozen=True)
class Run:
    """One run as the file holds it: its start time, whether it ran the whole matrix, and its
    text from its marker on."""

    started: str
    whole: bool
    text: str


@dataclass(frozen=True)
class Kept:
    """What a new report of the run ``started`` takes from the file it replaces."""

    notes: str  # without the markers; "" for none
    earlier: tuple[Run, ...]


def is_whole(argv: list[str]) -> bool:
    """A run of the whole matrix, not a subset or a smoke run."""
    return not any(arg == "--quick" or arg.startswith("--only") for arg in argv)


def run_marker(started: str, whole: bool) -> str:
    return f"<!-- run {started} {'whole' if whole else 'partial'} -->"


def kept_from(path: Path, started: str) -> Kept:
    """The notes and earlier runs to keep when ``path`` is rewritten for the run ``started``."""
    if not path.exists():
        return Kept("", ())
    top, earlier = _split(path.read_text())
    if top is None:
        return Kept("", earlier)
    if top.started == started:
        return Kept(_notes(top.text), earlier)
    return Kept("", _bounded((_demoted(top), *earlier)))


def earlier_section(runs: tuple[Run, ...]) -> list[str]:
    """The file's closing part: the earlier runs, newest first."""
    if not runs:
        return []
    lines = [
        EARLIER,
        "",
        "# Earlier runs",
        "",
        "Kept for comparison; older runs are in `git log -p bench/RESULTS.md`. Their numbers "
        "come from other days, and this machine's speed changes by a third from day to day, "
        "so compare them with the run above only through same-run ratios.",
        "",
    ]
    for run in runs:
        lines += [run.text.rstrip("\n"), ""]
    return lines


def _split(text: str) -> tuple[Run | None, tuple[Run, ...]]:
    head, _, tail = text.partition(EARLIER)
    top = _top_run(head)
    markers = list(_RUN.finditer(tail))
    earlier = []
    for n, found in enumerate(markers):
        end = markers[n + 1].start() if n + 1 < len(markers) else len(tail)
        earlier.append(Run(found[1], found[2] == "whole", tail[found.start() : end]))
    return top, tuple(earlier)


def _top_run(head: str) -> Run | None:
    found = _RUN.match(head)
    if found is not None:
        return Run(found[1], found[2] == "whole", head)
    line = _RUN_LINE.search(head)
    if line is None:
        return None
    argv = line[2].split()[3:]  # after "python -m bench"
    return Run(line[1], is_whole(argv), run_marker(line[1], is_whole(argv)) + "\n" + head)


def _notes(text: str) -> str:
    start = text.find(NOTES_START)
    end = text.find(NOTES_END, start)
    if start < 0 or end < 0:
        return ""
    return text[start + len(NOTES_START) : end].strip("\n")


def _demoted(top: Run) -> Run:
    """The replaced top run as an earlier one: its title names it by its start."""
    kind = "whole matrix" if top.whole else "partial run"
    title = f"# The {kind} of {top.started}\n"
    return Run(top.started, top.whole, top.text.replace(_TITLE, title, 1))


def _bounded(runs: tuple[Run, ...]) -> tuple[Run, ...]:
    if not runs or runs[0].whole:
        return runs[:1]
    whole = next((run for run in runs[1:] if run.whole), None)
    return runs[:1] if whole is None else (runs[0], whole)

"""What changed between two versions of a prompt: the ``diff`` object of SPEC Part 2.

Content is compared line by line, the lines being ``str.splitlines()`` of each text (so
``\\n``, ``\\r\\n``, ``\\r`` and the other Unicode line boundaries all end a line, and a final
line break adds no empty line). ``unified`` and ``lines`` both come from that one split, so
they always agree; ``changed`` compares the texts themselves, so a change of line endings
alone is ``changed`` with no inserted or deleted line.
"""

from __future__ import annotations

import difflib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

EQUAL, INSERT, DELETE = "equal", "insert", "delete"


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The fields of one version that a diff compares."""

    version: int
    title: str
    content: str
    model: str
    tags: Sequence[str]
    variables: Sequence[str]


def _changed(before: str, after: str) -> dict[str, str] | None:
    return None if before == after else {"from": before, "to": after}


def _only_in(names: Sequence[str], other: Sequence[str]) -> list[str]:
    """Names of ``names`` missing from ``other``, once each, in the order they appear."""
    absent = set(other)
    return [name for name in dict.fromkeys(names) if name not in absent]


def _added_removed(before: Sequence[str], after: Sequence[str]) -> dict[str, list[str]]:
    return {"added": _only_in(after, before), "removed": _only_in(before, after)}


# --- matching lines, at a bounded cost ---------------------------------------------------------

Opcode = tuple[str, int, int, int, int]  # (tag, i1, i2, j1, j2), as difflib's opcodes
REPLACE = "replace"
# How much matching one diff may do, in steps of SequenceMatcher's inner loop (each line of one
# side against each place the same line occurs in the other). Prose, code and prompts rarely
# repeat a line often and stay far below it (a 200 kB prompt with edits all over: ~0.1 M); a
# text of a few lines repeated thousands of times in a new order makes matching quadratic
# (50,000 such lines took 25 s). At the budget, about 0.1 s here, such a pair is shown as its
# common first and last lines with everything between replaced: a correct diff, not a
# minimal one.
MATCH_BUDGET = 2_000_000


class _TooCostly(Exception):
    pass


class _BoundedMatcher(difflib.SequenceMatcher):  # type: ignore[type-arg]
    """``SequenceMatcher`` (no junk function, default autojunk) that gives up, raising
    ``_TooCostly``, once its matching would take more than ``budget`` steps."""

    def __init__(self, a: Sequence[str], b: Sequence[str], budget: int) -> None:
        self._budget = budget
        self._old = a
        super().__init__(None, a, b)
        # Where each line of b occurs (popular lines left out by autojunk): difflib's own
        # index, documented in the class's docstring, though typeshed does not declare it.
        self._where: dict[str, list[int]] = vars(self)["b2j"]

    def find_longest_match(
        self, alo: int = 0, ahi: int | None = None, blo: int = 0, bhi: int | None = None
    ) -> Any:
        upper = len(self._old) if ahi is None else ahi
        where = self._where
        # The inner loop visits, for each line of a[alo:ahi], the places it occurs in b.
        steps = upper - alo
        for line in self._old[alo:upper]:
            steps += len(where.get(line, ()))
        self._budget -= steps
        if self._budget < 0:
            raise _TooCostly
        return super().find_longest_match(alo, ahi, blo, bhi)


def _ends_kept(old: Sequence[str], new: Sequence[str]) -> list[Opcode]:
    """The common first lines, the common last lines, and everything between them replaced."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_end, new_end = len(old) - tail, len(new) - tail
    ops: list[Opcode] = []
    if head:
        ops.append((EQUAL, 0, head, 0, head))
    if old_end > head or new_end > head:
        tag = REPLACE if old_end > head and new_end > head else DELETE if old_end > head else INSERT
        ops.append((tag, head, old_end, head, new_end))
    if tail:
        ops.append((EQUAL, old_end, len(old), new_end, len(new)))
    return ops


def line_opcodes(
    old: Sequence[str], new: Sequence[str], budget: int = MATCH_BUDGET
) -> list[Opcode]:
    """How ``old`` becomes ``new``, line by line: difflib's opcodes (what ``unified_diff``
    would match) when matching fits the budget, else ``_ends_kept``."""
    try:
        return [
            (tag, i1, i2, j1, j2)
            for tag, i1, i2, j1, j2 in _BoundedMatcher(old, new, budget).get_opcodes()
        ]
    except _TooCostly:
        return _ends_kept(old, new)


def _hunks(ops: Sequence[Opcode], context: int = 3) -> list[list[Opcode]]:
    """The changes in groups with ``context`` unchanged lines around each, as a unified diff
    shows them: unchanged runs longer than twice the context split two hunks."""
    ops = list(ops) or [(EQUAL, 0, 1, 0, 1)]
    tag, i1, i2, j1, j2 = ops[0]
    if tag == EQUAL:  # only the last lines of a leading unchanged run are context
        ops[0] = (tag, max(i1, i2 - context), i2, max(j1, j2 - context), j2)
    tag, i1, i2, j1, j2 = ops[-1]
    if tag == EQUAL:  # and only the first lines of a trailing one
        ops[-1] = (tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context))
    hunks: list[list[Opcode]] = []
    hunk: list[Opcode] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == EQUAL and i2 - i1 > 2 * context:
            hunk.append((tag, i1, min(i2, i1 + context), j1, min(j2, j1 + context)))
            hunks.append(hunk)
            hunk = []
            i1, j1 = max(i1, i2 - context), max(j1, j2 - context)
        hunk.append((tag, i1, i2, j1, j2))
    if hunk and not (len(hunk) == 1 and hunk[0][0] == EQUAL):
        hunks.append(hunk)
    return [h for h in hunks if any(op[0] != EQUAL for op in h)]


def _span(start: int, stop: int) -> str:
    """A hunk header's range: 1-based first line and count; one line is its number alone, and
    an empty range names the line before it."""
    count = stop - start
    if count == 1:
        return str(start + 1)
    return f"{start if count == 0 else start + 1},{count}"


def unified_text(
    old: Sequence[str], new: Sequence[str], ops: Sequence[Opcode], old_name: str, new_name: str
) -> str:
    """The unified diff (three lines of context, no line terminators) of ``ops``."""
    out: list[str] = []
    for hunk in _hunks(ops):
        if not out:
            out += [f"--- {old_name}", f"+++ {new_name}"]
        first, last = hunk[0], hunk[-1]
        out.append(f"@@ -{_span(first[1], last[2])} +{_span(first[3], last[4])} @@")
        for tag, i1, i2, j1, j2 in hunk:
            if tag == EQUAL:
                out += [" " + line for line in old[i1:i2]]
                continue
            out += ["-" + line for line in old[i1:i2]]
            out += ["+" + line for line in new[j1:j2]]
    return "\n".join(out)


def unified(before: Snapshot, after: Snapshot) -> str:
    old, new = before.content.splitlines(), after.content.splitlines()
    return unified_text(old, new, line_opcodes(old, new), f"v{before.version}", f"v{after.version}")


def _line_ops(
    old: Sequence[str], new: Sequence[str], ops: Sequence[Opcode]
) -> list[dict[str, str]]:
    lines: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == EQUAL:
            lines.extend({"op": EQUAL, "text": line} for line in old[i1:i2])
            continue
        lines.extend({"op": DELETE, "text": line} for line in old[i1:i2])
        lines.extend({"op": INSERT, "text": line} for line in new[j1:j2])
    return lines


def line_ops(before: str, after: str) -> list[dict[str, str]]:
    """Every line of both texts in order, each marked equal, insert or delete; a replaced
    block is its deleted lines, then its inserted ones. Matched as ``unified`` matches, so
    both views show the same change."""
    old, new = before.splitlines(), after.splitlines()
    return _line_ops(old, new, line_opcodes(old, new))


def diff(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """``{from, to, title, model, tags, variables, content}``, ``before`` to ``after``."""
    old, new = before.content.splitlines(), after.content.splitlines()
    ops = line_opcodes(old, new)  # once: ``unified`` and ``lines`` show the same matching
    return {
        "from": before.version,
        "to": after.version,
        "title": _changed(before.title, after.title),
        "model": _changed(before.model, after.model),
        "tags": _added_removed(before.tags, after.tags),
        "variables": _added_removed(before.variables, after.variables),
        "content": {
            "changed": before.content != after.content,
            "unified": unified_text(old, new, ops, f"v{before.version}", f"v{after.version}"),
            "lines": _line_ops(old, new, ops),
        },
    }


# --- word-level rows for the browser's diff view ---------------------------------------------

# A word or another character, with the blanks after it (and the blanks that start a line):
# every character is in exactly one token, so joining a line's tokens gives the line back.
# Blanks ride with the word before them so that, in a long line, the many identical blank
# tokens neither slow the matcher down nor split an unchanged run of words.
_WORD = re.compile(r"\w+\s*|[^\w\s]\s*|\s+")
# SequenceMatcher's default "autojunk" keeps lines of 200 tokens or more fast; below that
# it is exact, and a few pathological lines (one word repeated) can still take a fifth of a
# second each. So a diff spends at most WORD_SECONDS matching words; line pairs after that,
# and any pair over MAX_LINE_PAIRS (old tokens x new tokens), are shown replaced whole.
MAX_LINE_PAIRS = 1_000_000
WORD_SECONDS = 0.25

Token = tuple[str, str]  # (op, text), op one of equal, insert, delete


@dataclass(frozen=True, slots=True)
class WordRow:
    """One row of a side-by-side view. ``op`` is ``equal``, ``replace`` (an old line and the
    new line that took its place), ``delete`` (old side only) or ``insert`` (new side only).
    ``old``/``new`` are the tokens of each side (empty on the absent side), each line with its
    own line ending in its last token; ``old_number``/``new_number`` count lines from 1."""

    op: str
    old: tuple[Token, ...]
    new: tuple[Token, ...]
    old_number: int | None
    new_number: int | None


def _tokens(line: str) -> list[str]:
    return _WORD.findall(line)


def _whole(old_line: str, new_line: str) -> tuple[tuple[Token, ...], tuple[Token, ...]]:
    return ((DELETE, old_line),) if old_line else (), ((INSERT, new_line),) if new_line else ()


def word_ops(
    old_line: str, new_line: str, max_pairs: int = MAX_LINE_PAIRS
) -> tuple[tuple[Token, ...], tuple[Token, ...]]:
    """The tokens of two lines, each marked equal, or delete (old side) / insert (new side);
    the lines whole when matching them would take over ``max_pairs`` steps."""
    old, new = _tokens(old_line), _tokens(new_line)
    if len(old) * len(new) > max_pairs:
        return _whole(old_line, new_line)
    left: list[Token] = []
    right: list[Token] = []
    matcher = difflib.SequenceMatcher(None, old, new)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            text = "".join(old[i1:i2])
            left.append((EQUAL, text))
            right.append((EQUAL, "".join(new[j1:j2])))
            continue
        if i2 > i1:
            left.append((DELETE, "".join(old[i1:i2])))
        if j2 > j1:
            right.append((INSERT, "".join(new[j1:j2])))
    return tuple(left), tuple(right)


def word_rows(before: str, after: str, *, seconds: float = WORD_SECONDS) -> list[WordRow]:
    """Rows for a side-by-side (or inline) view of ``before`` -> ``after``. Lines are matched
    exactly as ``line_ops`` matches them; in a replaced block the i-th old line pairs with the
    i-th new one and the lines left over are deleted or inserted. Joining the ``old`` tokens
    of all rows gives ``before`` back exactly (line endings included), and ``new`` ``after``.
    Words are matched for ``seconds`` at most; later replaced lines are marked whole."""
    old_keys, new_keys = before.splitlines(), after.splitlines()
    # Same lines as the keys, with their endings, so the texts are rebuilt exactly.
    old, new = before.splitlines(keepends=True), after.splitlines(keepends=True)
    rows: list[WordRow] = []
    deadline = time.monotonic() + seconds
    for tag, i1, i2, j1, j2 in line_opcodes(old_keys, new_keys):
        if tag == "equal":
            rows.extend(
                WordRow(EQUAL, ((EQUAL, old[i]),), ((EQUAL, new[j]),), i + 1, j + 1)
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        paired = min(i2 - i1, j2 - j1)
        for k in range(paired):
            if time.monotonic() < deadline:
                left, right = word_ops(old[i1 + k], new[j1 + k])
            else:
                left, right = _whole(old[i1 + k], new[j1 + k])
            rows.append(WordRow(REPLACE, left, right, i1 + k + 1, j1 + k + 1))
        rows.extend(
            WordRow(DELETE, ((DELETE, old[i]),), (), i + 1, None) for i in range(i1 + paired, i2)
        )
        rows.extend(
            WordRow(INSERT, (), ((INSERT, new[j]),), None, j + 1) for j in range(j1 + paired, j2)
        )
    return rows

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


def unified(before: Snapshot, after: Snapshot) -> str:
    return "\n".join(
        difflib.unified_diff(
            before.content.splitlines(),
            after.content.splitlines(),
            fromfile=f"v{before.version}",
            tofile=f"v{after.version}",
            n=3,
            lineterm="",
        )
    )


def line_ops(before: str, after: str) -> list[dict[str, str]]:
    """Every line of both texts in order, each marked equal, insert or delete; a replaced
    block is its deleted lines, then its inserted ones. Matched as ``unified_diff`` matches
    (``SequenceMatcher`` with its defaults), so both views show the same change."""
    old, new = before.splitlines(), after.splitlines()
    ops: list[dict[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            ops.extend({"op": EQUAL, "text": line} for line in old[i1:i2])
            continue
        ops.extend({"op": DELETE, "text": line} for line in old[i1:i2])
        ops.extend({"op": INSERT, "text": line} for line in new[j1:j2])
    return ops


def diff(before: Snapshot, after: Snapshot) -> dict[str, Any]:
    """``{from, to, title, model, tags, variables, content}``, ``before`` to ``after``."""
    return {
        "from": before.version,
        "to": after.version,
        "title": _changed(before.title, after.title),
        "model": _changed(before.model, after.model),
        "tags": _added_removed(before.tags, after.tags),
        "variables": _added_removed(before.variables, after.variables),
        "content": {
            "changed": before.content != after.content,
            "unified": unified(before, after),
            "lines": line_ops(before.content, after.content),
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
REPLACE = "replace"

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
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_keys, new_keys).get_opcodes():
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

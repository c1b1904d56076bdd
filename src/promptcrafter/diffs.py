"""What changed between two versions of a prompt: the ``diff`` object of SPEC Part 2.

Content is compared line by line, the lines being ``str.splitlines()`` of each text (so
``\\n``, ``\\r\\n``, ``\\r`` and the other Unicode line boundaries all end a line, and a final
line break adds no empty line). ``unified`` and ``lines`` both come from that one split, so
they always agree; ``changed`` compares the texts themselves, so a change of line endings
alone is ``changed`` with no inserted or deleted line.
"""

from __future__ import annotations

import difflib
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

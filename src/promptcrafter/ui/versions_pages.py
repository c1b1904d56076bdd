"""Pages reached from the Versions section: one version as it was, the diff of two versions
(line level, with the changed words marked inside changed lines) and restoring a version.
Each calls what the API's routes call: ``store.versions``, ``store.prompts.update`` and
``diffs``."""

from __future__ import annotations

import re
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter import diffs
from promptcrafter.errors import MALFORMED_PARAMS
from promptcrafter.store import prompts, versions
from promptcrafter.store.database import Row
from promptcrafter.templates import segments
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import read_form
from promptcrafter.ui.prompt_refs import (
    number_or_none,
    prompt_id_of,
    ref_or_none,
    stored_version_choices,
    url_of,
    version_of,
)

# The line boundaries of ``str.splitlines`` at the end of a line: the diff rows keep them
# (so they rebuild the texts), the page shows each line as a table row without them.
_LINE_END = re.compile("(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])$")


def _tags(row: Row) -> list[str]:
    tags: list[str] = orjson.loads(row[versions.TAGS])
    return tags


@page()
async def version_page(request: Request, visitor: Visitor) -> Response:
    prompt_id = prompt_id_of(request)
    number = version_of(str(request.path_params["n"]))
    db, owner = visitor.services.db, visitor.user.id
    prompt = await prompts.get(db, owner, prompt_id)
    found = await versions.get_version(db, owner, prompt_id, number)
    row = found.row
    current = prompt[prompts.VERSION]
    return render(
        request,
        visitor,
        "version.html",
        prompt_id=prompt_id,
        prompt_title=prompt[prompts.TITLE],
        current=current,
        number=row[versions.VERSION],
        title=row[versions.TITLE],
        model=row[versions.MODEL],
        tags=_tags(row),
        segments=segments(row[versions.CONTENT]),
        commit_message=row[versions.COMMIT_MESSAGE],
        created=row[versions.CREATED],
        labels=found.labels,
    )


def _snapshot(row: Row) -> diffs.Snapshot:
    return diffs.Snapshot(
        version=row[versions.VERSION],
        title=row[versions.TITLE],
        content=row[versions.CONTENT],
        model=row[versions.MODEL],
        tags=_tags(row),
        variables=orjson.loads(row[versions.VARIABLES]),
    )


def _shown(tokens: tuple[diffs.Token, ...]) -> list[diffs.Token]:
    """A side's tokens without the line's ending, empty tokens left out."""
    if not tokens:
        return []
    *rest, (op, text) = tokens
    last = _LINE_END.sub("", text)
    return [*rest, (op, last)] if last else list(rest)


# Unchanged lines kept around each change; longer unchanged runs fold into one row.
CONTEXT_LINES = 3
# Rows a page shows at most (a 200 kB prompt rewritten whole is 100,000 rows, a 20 MB page);
# the API's diff has every line.
MAX_ROWS = 2_000


def display_lines(before: str, after: str) -> list[dict[str, Any]]:
    """The content diff as the page's rows: an unchanged line once; a changed line as its old
    form (words removed marked) then its new form (words added marked)."""
    lines: list[dict[str, Any]] = []
    for row in diffs.word_rows(before, after):
        if row.op == diffs.EQUAL:
            lines.append(
                {
                    "op": "equal",
                    "old": row.old_number,
                    "new": row.new_number,
                    "tokens": _shown(row.new),
                }
            )
            continue
        if row.old:
            lines.append(
                {"op": "delete", "old": row.old_number, "new": None, "tokens": _shown(row.old)}
            )
        if row.new:
            lines.append(
                {"op": "insert", "old": None, "new": row.new_number, "tokens": _shown(row.new)}
            )
    return lines


def folded(lines: list[dict[str, Any]], context: int = CONTEXT_LINES) -> list[dict[str, Any]]:
    """``lines`` with each unchanged run longer than twice ``context`` (or than ``context`` at
    either end) cut to its ``context`` lines next to a change, the rest one ``skip`` row
    holding how many lines it stands for."""
    out: list[dict[str, Any]] = []
    start = 0
    while start < len(lines):
        if lines[start]["op"] != "equal":
            out.append(lines[start])
            start += 1
            continue
        stop = start
        while stop < len(lines) and lines[stop]["op"] == "equal":
            stop += 1
        keep_head = context if start > 0 else 0  # after a change
        keep_tail = context if stop < len(lines) else 0  # before one
        if stop - start > keep_head + keep_tail + 1:
            out += lines[start : start + keep_head]
            out.append({"op": "skip", "count": stop - start - keep_head - keep_tail})
            out += lines[stop - keep_tail : stop]
        else:
            out += lines[start:stop]
        start = stop
    return out


def _content_rows(before: str, after: str) -> tuple[list[dict[str, Any]], int, bool]:
    """The rows the page shows, how many more there are, and whether any line changed."""
    lines = display_lines(before, after)
    changed = any(line["op"] != "equal" for line in lines)
    rows = folded(lines)
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS), changed


def _compare(before: diffs.Snapshot, after: diffs.Snapshot) -> dict[str, Any]:
    rows, hidden, changed = _content_rows(before.content, after.content)
    return {
        "diff": diffs.diff(before, after),
        "lines": rows,
        "hidden_rows": hidden,
        "lines_changed": changed,
    }


@page()
async def diff_page(request: Request, visitor: Visitor) -> Response:
    """``?a=X&b=Y`` (versions, or labels as the API's diff takes): what changed from a to b."""
    prompt_id = prompt_id_of(request)
    db, owner = visitor.services.db, visitor.user.id
    prompt = await prompts.get(db, owner, prompt_id)
    current = prompt[prompts.VERSION]
    query = request.query_params
    given = {side: query.get(side, "") for side in ("a", "b")}
    refs = {side: ref_or_none(text) for side, text in given.items()}
    errors = {side: MALFORMED_PARAMS for side, ref in refs.items() if ref is None}
    context: dict[str, Any] = {
        "prompt_id": prompt_id,
        "prompt_title": prompt[prompts.TITLE],
        "version_choices": await stored_version_choices(db, owner, prompt_id, current),
        "selected": {side: number_or_none(text) or text for side, text in given.items()},
        "errors": errors,
        "diff": None,
    }
    if errors:
        return render(request, visitor, "diff.html", status=400, **context)
    rows = {}
    for side, ref in refs.items():
        assert ref is not None
        rows[side] = (await versions.get_version(db, owner, prompt_id, ref)).row
    before, after = _snapshot(rows["a"]), _snapshot(rows["b"])
    # Matching is CPU work that grows with the texts (bounded, see diffs.MATCH_BUDGET): off the
    # event loop, so other requests are served meanwhile.
    context.update(await run_in_threadpool(_compare, before, after))
    context["selected"] = {"a": before.version, "b": after.version}
    return render(request, visitor, "diff.html", **context)


@page()
async def restore_submit(request: Request, visitor: Visitor) -> Response:
    """A copy of version n becomes the new current version, as ``POST .../restore`` does;
    the hidden ``version`` plays the part of If-Match."""
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    number = version_of(str(request.path_params["n"]))
    # The version the page showed plays the part of If-Match: a stale page (or a form
    # without it) gets the 412 page rather than a restore over a newer edit unseen.
    expected = number_or_none(form.text("version")) or 0
    row = await versions.restore(
        visitor.services.db,
        visitor.user.id,
        prompt_id,
        number,
        expected,
        commit_message=f"Restored version {number}",
        actor=visitor.user.id,
    )
    made = row[prompts.VERSION] != expected
    return redirect(url_of(prompt_id, f"?notice={'restored' if made else 'unchanged'}#versions"))


ROUTES = [
    Route("/prompts/{id}/versions/{n}", version_page, methods=["GET"]),
    Route("/prompts/{id}/versions/{n}/restore", restore_submit, methods=["POST"]),
    Route("/prompts/{id}/diff", diff_page, methods=["GET"]),
]

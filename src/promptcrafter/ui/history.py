"""The prompt's history on its page: versions (view, compare, restore) and labels (set, move,
delete, history). The edit and delete actions live with the page in ``ui/prompt_page.py``;
the pages reached from these sections in ``ui/versions_pages.py`` and ``ui/labels_pages.py``.

The sections cost two indexed reads: one page of versions (newest first, by the primary key)
and the prompt's labels."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from promptcrafter.store import labels, versions
from promptcrafter.ui import labels_pages, versions_pages
from promptcrafter.ui.core import Visitor
from promptcrafter.ui.prompt_refs import url_of, version_choices, version_of

VERSIONS_PAGE = 20  # rows of the Versions table per page (each read carries its content)
OLDER = "versions_before"  # query parameter: show the versions numbered below this one


async def sections(request: Request, visitor: Visitor, prompt: dict[str, Any]) -> dict[str, Any]:
    """The prompt page's context for prompt/_edit.html, _versions.html and _labels.html."""
    db, owner, prompt_id = visitor.services.db, visitor.user.id, prompt["_id"]
    current: int = prompt["version"]
    given = request.query_params.get(OLDER)
    before = None if given is None else version_of(given)
    page = await versions.list_versions(db, owner, prompt_id, before=before, limit=VERSIONS_PAGE)
    rows = [
        {
            "number": row[versions.VERSION],
            "commit_message": row[versions.COMMIT_MESSAGE],
            "labels": page.labels_of(row),
            "created": row[versions.CREATED],
            "current": row[versions.VERSION] == current,
        }
        for row in page.rows
    ]
    # The oldest version is known once a page comes back short; until then assume 1 (a
    # number below the real start answers "No such version of this prompt.").
    lowest = rows[-1]["number"] if len(rows) < VERSIONS_PAGE and rows else 1
    if before is not None:
        lowest = 1
    older = None
    if len(rows) == VERSIONS_PAGE and rows[-1]["number"] > 1:
        older = url_of(prompt_id, f"?{OLDER}={rows[-1]['number']}#versions")
    label_rows = [
        {"name": row[labels.NAME], "version": row[labels.VERSION], "updated": row[labels.UPDATED]}
        for row in await labels.list_labels(db, owner, prompt_id)
    ]
    return {
        "versions": rows,
        "versions_older": older,
        "versions_newest": url_of(prompt_id, "#versions") if before is not None else None,
        "version_choices": version_choices(current, lowest),
        "label_rows": label_rows,
        "compare_a": current - 1 if current > lowest else current,
        "compare_b": current,
    }


ROUTES: list[Route] = [*versions_pages.ROUTES, *labels_pages.ROUTES]

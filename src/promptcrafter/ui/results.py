"""What a prompt produced, on its page: render, logs, scores and compare, "use this prompt".

``sections`` gives the prompt page the context of its results partials under one key,
``results``, so it can never collide with the history sections' keys. The work is split:
``render_pages`` (render form and snippets), ``logs_pages`` (logs table, add, delete, a log's
page) and ``scores_pages`` (the version x model table, the chart, compare).

A filter, cursor or comparison that cannot be read does not replace the page with an error:
the page is shown with the sentence beside the field, and its status is the 400-class one
the API would answer (``status`` in the context, which ``render`` takes as the status).
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from promptcrafter.store import log_pages
from promptcrafter.ui import logs_pages, render_pages, scores_pages
from promptcrafter.ui.core import Visitor
from promptcrafter.ui.render import static
from promptcrafter.ui.results_base import MAX_VERSIONS_LISTED, Shown


async def sections(request: Request, visitor: Visitor, prompt: dict[str, Any]) -> dict[str, Any]:
    """The prompt page's context for prompt/_render.html, _logs.html, _scores.html and
    _snippets.html."""
    shown = Shown.of(request, prompt)
    db, owner = visitor.services.db, visitor.user.id
    # Three independent reads at once: on PostgreSQL each has a connection of its own, and
    # on SQLite the aggregate runs in the scan pool while the others run on the loop.
    listed, counted, loaded = await asyncio.gather(
        log_pages.version_numbers(db, owner, shown.prompt_id, MAX_VERSIONS_LISTED),
        scores_pages.load(visitor, shown),
        logs_pages.load(request, visitor, shown),
    )
    scores, scores_status, seen_versions, seen_models = await scores_pages.section(
        request, visitor, shown, counted, listed
    )
    logs, logs_status = logs_pages.section(
        request, shown, loaded, listed, seen_versions, seen_models
    )
    context: dict[str, Any] = {
        "results": {
            "shown": shown,
            "render": render_pages.section(shown, listed),
            "logs": logs,
            "scores": scores,
            "snippets": render_pages.snippets_section(visitor, shown),
            "script": static("results.js"),
            "style": static("results.css"),
        }
    }
    status = max(scores_status, logs_status)
    if status != 200:
        context["status"] = status
    return context


ROUTES: list[Route] = [*render_pages.ROUTES, *logs_pages.ROUTES]

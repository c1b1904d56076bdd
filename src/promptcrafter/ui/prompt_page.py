"""The prompt page: one page per prompt, made of sections. The history sections (edit,
versions, labels) come from ``ui/history.py``; the results sections (render, logs, scores,
"use this prompt") from ``ui/results.py``. Each module gives the page its context through one
function, so either can grow without touching the other."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter.api.responses import prompt_body
from promptcrafter.errors import BadRequest
from promptcrafter.ids import PROMPT_ID
from promptcrafter.store import prompts
from promptcrafter.ui import history, results
from promptcrafter.ui.core import Visitor, page, render

ID_INVALID = "The prompt ID format is invalid."


def prompt_id_of(request: Request) -> str:
    prompt_id = str(request.path_params["id"])
    if not PROMPT_ID.fullmatch(prompt_id):
        raise BadRequest(ID_INVALID)
    return prompt_id


@page()
async def prompt_page(request: Request, visitor: Visitor) -> Response:
    prompt_id = prompt_id_of(request)
    prompt = prompt_body(await prompts.get(visitor.services.db, visitor.user.id, prompt_id))
    context: dict[str, Any] = {"prompt": prompt}
    context.update(await history.sections(request, visitor, prompt))
    context.update(await results.sections(request, visitor, prompt))
    return render(request, visitor, "prompt.html", **context)


ROUTES = [Route("/prompts/{id}", prompt_page, methods=["GET"])]

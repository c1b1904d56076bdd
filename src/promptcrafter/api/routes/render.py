"""POST /prompts/{id}/render: fill a version's template variables."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db
from promptcrafter.api.models import RenderIn
from promptcrafter.api.response_models import ErrorOut, RenderOut
from promptcrafter.api.responses import json_response
from promptcrafter.api.routes.prompts import WRITE_ID_INVALID, PromptId
from promptcrafter.api.routing import ExactNumbersRoute, documented_errors, sentences
from promptcrafter.store import versions
from promptcrafter.store.database import Database
from promptcrafter.templates import render

router = APIRouter(prefix="/prompts", tags=["render"], route_class=ExactNumbersRoute)

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **documented_errors(400, 401, 403, 404, 415),
    413: {"model": ErrorOut, "description": "Body over 1 MiB, or rendered text over 2 MiB"},
}


@router.post("/{id}/render", response_model=RenderOut, responses=_RESPONSES)
@sentences(path=WRITE_ID_INVALID)
async def render_prompt(
    prompt_id: PromptId, body: RenderIn, caller: CurrentUser, db: Db
) -> Response:
    """The content of the current version (or of ``version``, or of the one ``label``
    names) with its ``{{ variables }}`` filled in. Strict by default: a missing variable is
    a 400 naming it."""
    return await answer(db, caller.id, prompt_id, body)


async def answer(db: Database, owner: str, prompt_id: str, body: RenderIn) -> Response:
    """The route's work, shared with the fast path (api/fastpath.py)."""
    ref: int | str = body.version or body.label or versions.LATEST
    found = await versions.get_version(db, owner, prompt_id, ref)
    result = render(found.row[versions.CONTENT], body.variables, body.strict)
    return json_response(
        {
            "promptId": prompt_id,
            "version": found.row[versions.VERSION],
            "rendered": result.text,
            "used": result.used,
            "missing": result.missing,
            "unused": result.unused,
        }
    )

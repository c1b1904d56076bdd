"""/logs: outputs tested with a prompt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db
from promptcrafter.api.models import LogIn, LogOut
from promptcrafter.api.responses import array_response, log_body, log_response
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.errors import BadRequest
from promptcrafter.ids import LOG_ID, PROMPT_ID
from promptcrafter.store import logs
from promptcrafter.store.database import Database

router = APIRouter(tags=["logs"], route_class=ContractRoute)

PROMPT_ID_PARAM = "`promptId` missing or malformed"
LogId = Annotated[str, Path(alias="id", pattern=f"^{LOG_ID.pattern}$")]
PromptFilter = Annotated[
    str | None,
    Query(
        alias="promptId", pattern=f"^{PROMPT_ID.pattern}$", description="Only this prompt's logs"
    ),
]


@router.post(
    "/logs",
    status_code=201,
    response_model=LogOut,
    responses=documented_errors(400, 401, 404, 413, 415),
)
async def create_log(body: LogIn, caller: CurrentUser, db: Db) -> Response:
    """Record an output tested with one of the caller's prompts (``model`` = ``modelUsed``),
    tied to a version: ``promptVersion``, the one ``label`` names now, or the current one."""
    return await record(db, caller.id, body)


async def record(db: Database, owner: str, body: LogIn) -> Response:
    """Store a validated log; shared by the route above and the fast path."""
    row = await logs.create(
        db,
        owner,
        body.promptId,
        body.output,
        body.model_used,
        body.notes,
        body.score,
        version=body.promptVersion,
        label=body.label,
    )
    return log_response(row, status=201)


async def _prompt_logs(db: Database, owner: str, prompt_id: str) -> Response:
    await logs.check_prompt_readable(db, owner, prompt_id)
    return await array_response(logs.pages_for_prompt(db, owner, prompt_id), log_body)


@router.get("/logs", response_model=list[LogOut], responses=documented_errors(400, 401, 403, 404))
@sentences(query=PROMPT_ID_PARAM)
async def list_logs(caller: CurrentUser, db: Db, prompt_id: PromptFilter = None) -> Response:
    """The caller's logs, oldest first; with ``promptId``, only that prompt's."""
    if prompt_id is not None:
        return await _prompt_logs(db, caller.id, prompt_id)
    return await array_response(logs.pages_for_owner(db, caller.id), log_body)


@router.get(
    "/logs-by-prompt",
    response_model=list[LogOut],
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(query=PROMPT_ID_PARAM)
async def logs_by_prompt(caller: CurrentUser, db: Db, prompt_id: PromptFilter = None) -> Response:
    """One prompt's logs, oldest first (the path of the public OpenAPI file)."""
    if prompt_id is None:
        raise BadRequest(PROMPT_ID_PARAM)
    return await _prompt_logs(db, caller.id, prompt_id)


@router.delete(
    "/logs/{id}",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(path="The request is malformed or the log ID format is invalid.")
async def delete_log(log_id: LogId, caller: CurrentUser, db: Db) -> Response:
    await logs.delete(db, caller.id, log_id)
    return Response(status_code=204)

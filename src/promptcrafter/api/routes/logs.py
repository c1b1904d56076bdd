"""/logs: outputs tested with a prompt."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db, Svc
from promptcrafter.api.listings import PAGED_HEADERS, LogFilters, Paging, answer, plan_logs
from promptcrafter.api.models import LogIn
from promptcrafter.api.response_models import LogOut
from promptcrafter.api.responses import array_response, log_body, log_response
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.ids import LOG_ID, PROMPT_ID
from promptcrafter.services import Services
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
PromptParam = Annotated[
    str,
    Query(alias="promptId", pattern=f"^{PROMPT_ID.pattern}$", description="The prompt's id"),
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


def _log_filters(
    prompt_version: Annotated[
        str | None, Query(alias="promptVersion", description="With `promptId`: only this version")
    ] = None,
    model: Annotated[str | None, Query(description="Only logs of this model (exact)")] = None,
    min_score: Annotated[
        str | None, Query(alias="minScore", description="Score at least this (0-10)")
    ] = None,
    max_score: Annotated[
        str | None, Query(alias="maxScore", description="Score at most this (0-10)")
    ] = None,
    scored: Annotated[
        str | None, Query(description="`true`: scored logs; `false`: unscored")
    ] = None,
    sort: Annotated[
        str | None, Query(description="createdAt (default), -createdAt, score, -score")
    ] = None,
) -> LogFilters:
    return LogFilters(prompt_version, model, min_score, max_score, scored, sort)


Shape = Annotated[LogFilters, Depends(_log_filters)]
LISTED = {200: {"headers": PAGED_HEADERS}, **documented_errors(400, 401, 403, 404)}


async def _listing(
    services: Services, path: str, owner: str, prompt_id: str | None, paging: Paging, shape: Shape
) -> Response:
    db = services.db
    # Every parameter is read (400) before the prompt is looked at (403, 404).
    plan = plan_logs(services, path, owner, prompt_id, paging, shape)
    if prompt_id is not None:
        await logs.check_prompt_readable(db, owner, prompt_id)
    if plan is not None:
        return await answer(services, plan)
    if prompt_id is not None:
        return await array_response(logs.pages_for_prompt(db, owner, prompt_id), log_body)
    return await array_response(logs.pages_for_owner(db, owner), log_body)


@router.get("/logs", response_model=list[LogOut], responses=LISTED)
@sentences(query=PROMPT_ID_PARAM)
async def list_logs(
    caller: CurrentUser,
    services: Svc,
    paging: Paging,
    shape: Shape,
    prompt_id: PromptFilter = None,
) -> Response:
    """The caller's logs, oldest first; with ``promptId``, only that prompt's; filtered,
    sorted and paged on request."""
    return await _listing(services, "/logs", caller.id, prompt_id, paging, shape)


@router.get("/logs-by-prompt", response_model=list[LogOut], responses=LISTED)
@sentences(query=PROMPT_ID_PARAM)
async def logs_by_prompt(
    caller: CurrentUser,
    services: Svc,
    paging: Paging,
    shape: Shape,
    prompt_id: PromptParam,
) -> Response:
    """One prompt's logs, oldest first (the path of the public OpenAPI file)."""
    return await _listing(services, "/logs-by-prompt", caller.id, prompt_id, paging, shape)


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

"""/prompts/{id}/versions: a prompt's history, one version, and restoring one."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db, Svc
from promptcrafter.api.listings import PAGED_HEADERS, Paging, versions_answer
from promptcrafter.api.models import RestoreIn
from promptcrafter.api.params import REGISTRY_PARAMS, VersionPath, version_number
from promptcrafter.api.response_models import PromptOut, VersionOut
from promptcrafter.api.responses import (
    array_response,
    json_response,
    prompt_response,
    version_body,
)
from promptcrafter.api.routes.prompts import WRITE_ID_INVALID, IfMatch, PromptId, expected_version
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.store import versions
from promptcrafter.store.database import Database, Row

router = APIRouter(prefix="/prompts", tags=["versions"], route_class=ContractRoute)


async def _pages(db: Database, owner: str, prompt_id: str) -> AsyncIterator[list[Row]]:
    """Every version, newest first, a page at a time; each row carries its label names
    last (raises 403/404 before the first page)."""
    page = await versions.list_versions(db, owner, prompt_id)
    while page.rows:
        yield [(*row, page.labels_of(row)) for row in page.rows]
        if len(page.rows) < versions.PAGE:
            return
        before = page.rows[-1][versions.VERSION]
        page = await versions.list_versions(db, owner, prompt_id, before=before)


def _encode(row: Row) -> dict[str, object]:
    return version_body(row[:-1], row[-1])


@router.get(
    "/{id}/versions",
    response_model=list[VersionOut],
    responses={200: {"headers": PAGED_HEADERS}, **documented_errors(400, 401, 403, 404)},
)
@sentences(path=WRITE_ID_INVALID)
async def list_versions(
    prompt_id: PromptId, caller: CurrentUser, services: Svc, paging: Paging
) -> Response:
    """Every version of the prompt, newest first, each with the labels pointing at it;
    paged on request."""
    paged = await versions_answer(services, caller.id, prompt_id, paging)
    if paged is not None:
        return paged
    db = services.db
    # array_response reads the first page (and so any 403/404) before answering.
    return await array_response(_pages(db, caller.id, prompt_id), _encode)


@router.get(
    "/{id}/versions/{n}",
    response_model=VersionOut,
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(path=WRITE_ID_INVALID, named=REGISTRY_PARAMS)
async def get_version(prompt_id: PromptId, n: VersionPath, caller: CurrentUser, db: Db) -> Response:
    found = await versions.get_version(db, caller.id, prompt_id, version_number(n))
    return json_response(version_body(found.row, found.labels))


@router.post(
    "/{id}/versions/{n}/restore",
    response_model=PromptOut,
    responses=documented_errors(400, 401, 403, 404, 412, 413, 415),
)
@sentences(path=WRITE_ID_INVALID, named=REGISTRY_PARAMS)
async def restore_version(
    prompt_id: PromptId,
    n: VersionPath,
    caller: CurrentUser,
    db: Db,
    body: RestoreIn | None = None,
    if_match: IfMatch = None,
) -> Response:
    """Make a copy of version ``n`` the new current version (nothing new when it equals the
    current one). History is never rewritten."""
    row = await versions.restore(
        db,
        caller.id,
        prompt_id,
        version_number(n),
        expected_version(if_match),
        commit_message=None if body is None else body.commitMessage,
        actor=caller.actor_id,
    )
    return prompt_response(row)

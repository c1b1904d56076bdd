"""/prompts: the caller's prompt library."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from starlette.responses import Response

from promptcrafter.api.deps import Caller, CurrentUser, Db, Svc
from promptcrafter.api.listings import PAGED_HEADERS, Paging, answer, plan_prompts
from promptcrafter.api.models import PromptIn, PromptPatch
from promptcrafter.api.params import LabelQuery, VersionQuery, version_or_label
from promptcrafter.api.response_models import PromptOut
from promptcrafter.api.responses import array_response, prompt_body, prompt_response
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.ids import PROMPT_ID
from promptcrafter.numbers import digits_at_most
from promptcrafter.store import prompts, versions
from promptcrafter.store.database import Database
from promptcrafter.store.versions import MAX_VERSION

router = APIRouter(prefix="/prompts", tags=["prompts"], route_class=ContractRoute)

PromptId = Annotated[str, Path(alias="id", pattern=f"^{PROMPT_ID.pattern}$")]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="An ETag from an earlier answer; the change is refused (412) if stale.",
    ),
]
WRITE_ID_INVALID = "The prompt ID format is invalid."


def expected_version(if_match: str | None) -> int | None:
    """The version an If-Match names; 0 (matching nothing) when it names none we issued.

    If-Match compares strongly (RFC 9110), so a weak tag never matches; nor does a number
    beyond any version we can have issued, which is also never handed to the database."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip()
    digits = tag[1:-1]
    if len(tag) >= 3 and tag[0] == tag[-1] == '"':
        return digits_at_most(digits, MAX_VERSION) or 0
    return 0


# The prompt's version, quoted: what If-Match on PATCH and DELETE compares with.
ETAG_HEADERS = {
    "ETag": {
        "description": 'The prompt\'s version as an entity tag (`"3"`), for `If-Match`',
        "schema": {"type": "string"},
    }
}


@router.get(
    "",
    response_model=list[PromptOut],
    responses={200: {"headers": PAGED_HEADERS}, **documented_errors(400, 401)},
)
async def list_prompts(
    caller: CurrentUser,
    services: Svc,
    paging: Paging,
    tag: Annotated[str | None, Query(description="Only prompts with this tag (exact)")] = None,
    model: Annotated[str | None, Query(description="Only prompts for this model (exact)")] = None,
    label: Annotated[str | None, Query(description="Only prompts that have this label")] = None,
    sort: Annotated[
        str | None,
        Query(description="createdAt (default), -createdAt, updatedAt, -updatedAt, title, -title"),
    ] = None,
) -> Response:
    """The caller's prompts, oldest first; filtered, sorted and paged on request."""
    plan = plan_prompts(services, caller.id, paging, tag=tag, model=model, label=label, sort=sort)
    if plan is not None:
        return await answer(services, plan)
    return await array_response(prompts.pages(services.db, caller.id), prompt_body)


@router.post(
    "",
    status_code=201,
    response_model=PromptOut,
    responses={201: {"headers": ETAG_HEADERS}, **documented_errors(400, 401, 413, 415)},
)
async def create_prompt(body: PromptIn, caller: CurrentUser, db: Db) -> Response:
    """Save a prompt as its version 1 (with ``commitMessage``, if given)."""
    row = await prompts.create(
        db,
        caller.id,
        body.title,
        body.content,
        body.model,
        body.tags or [],
        commit_message=body.commitMessage,
        actor=caller.actor_id,
        first_version=body.version or 1,
    )
    return prompt_response(row, status=201)


@router.get(
    "/{id}",
    response_model=PromptOut,
    responses={200: {"headers": ETAG_HEADERS}, **documented_errors(400, 401, 403, 404)},
)
@sentences(path="The request is malformed or the prompt ID format is invalid.")
async def get_prompt(
    prompt_id: PromptId,
    caller: CurrentUser,
    db: Db,
    version: VersionQuery = None,
    label: LabelQuery = None,
) -> Response:
    """The prompt; with ``version`` or ``label``, as it was at that version (its own
    ``_id``, ``ownerId``, ``createdAt`` and ``labels``; ``updatedAt`` = when the version was
    made). Query-less reads are served by the fast path with the same encoder."""
    ref = version_or_label(version, label)
    if ref is None:
        return prompt_response(await prompts.get(db, caller.id, prompt_id))
    row = await versions.prompt_as_of(db, caller.id, prompt_id, ref, forbidden=prompts.CANNOT_READ)
    return prompt_response(row)


@router.patch(
    "/{id}",
    response_model=PromptOut,
    responses={
        200: {"headers": ETAG_HEADERS},
        **documented_errors(400, 401, 403, 404, 412, 413, 415),
    },
)
@sentences(path=WRITE_ID_INVALID, body="Submitted data is invalid.")
async def update_prompt(
    prompt_id: PromptId, body: PromptPatch, caller: CurrentUser, db: Db, if_match: IfMatch = None
) -> Response:
    """Change only the given fields; a real change makes the next version (``updatedAt``
    moves, ``createdAt`` stays). Values equal to the stored ones change nothing."""
    return await apply_patch(db, caller, prompt_id, body, if_match)


async def apply_patch(
    db: Database, caller: Caller, prompt_id: str, body: PromptPatch, if_match: str | None
) -> Response:
    """The whole of a PATCH once its parts are read: the route and the fast path both end
    here, so they cannot drift apart."""
    changes = body.model_dump(exclude_unset=True)
    commit_message = changes.pop("commitMessage", None)
    row = await prompts.update(
        db,
        caller.id,
        prompt_id,
        changes,
        expected_version(if_match),
        commit_message=commit_message,
        actor=caller.actor_id,
    )
    return prompt_response(row)


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 404, 412),
)
@sentences(path=WRITE_ID_INVALID)
async def delete_prompt(
    prompt_id: PromptId, caller: CurrentUser, db: Db, if_match: IfMatch = None
) -> Response:
    """Delete the prompt and, with it, all of its logs."""
    await prompts.delete(db, caller.id, prompt_id, expected_version(if_match))
    return Response(status_code=204)

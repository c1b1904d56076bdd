"""/prompts/{id}/labels: names for versions (``prod``, ``staging``), and their history."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db
from promptcrafter.api.models import LabelIn
from promptcrafter.api.params import REGISTRY_PARAMS, LabelPath
from promptcrafter.api.response_models import LabelChangeOut, LabelOut
from promptcrafter.api.responses import json_response, label_body, label_change_body
from promptcrafter.api.routes.prompts import WRITE_ID_INVALID, PromptId
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.store import labels

router = APIRouter(prefix="/prompts", tags=["labels"], route_class=ContractRoute)


@router.get(
    "/{id}/labels",
    response_model=list[LabelOut],
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(path=WRITE_ID_INVALID)
async def list_labels(prompt_id: PromptId, caller: CurrentUser, db: Db) -> Response:
    """The prompt's labels, sorted by name (``latest`` is implicit and never listed)."""
    rows = await labels.list_labels(db, caller.id, prompt_id)
    return json_response([label_body(row) for row in rows])


@router.put(
    "/{id}/labels/{name}",
    response_model=LabelOut,
    responses=documented_errors(400, 401, 403, 404, 409, 413, 415),
)
@sentences(path=WRITE_ID_INVALID, named=REGISTRY_PARAMS)
async def set_label(
    prompt_id: PromptId, name: LabelPath, body: LabelIn, caller: CurrentUser, db: Db
) -> Response:
    """Create the label or move it to another version. The prompt's ``version`` and
    ``updatedAt`` do not change."""
    row = await labels.set_label(db, caller.id, prompt_id, name, body.version, caller.actor_id)
    return json_response(label_body(row))


@router.delete(
    "/{id}/labels/{name}",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(path=WRITE_ID_INVALID, named=REGISTRY_PARAMS)
async def delete_label(
    prompt_id: PromptId, name: LabelPath, caller: CurrentUser, db: Db
) -> Response:
    """Remove the label; its history stays."""
    await labels.delete_label(db, caller.id, prompt_id, name, caller.actor_id)
    return Response(status_code=204)


@router.get(
    "/{id}/labels/{name}/history",
    response_model=list[LabelChangeOut],
    responses=documented_errors(400, 401, 403, 404),
)
@sentences(path=WRITE_ID_INVALID, named=REGISTRY_PARAMS)
async def label_history(
    prompt_id: PromptId, name: LabelPath, caller: CurrentUser, db: Db
) -> Response:
    """Every change of the label, newest first, also after it was deleted."""
    rows = await labels.history(db, caller.id, prompt_id, name)
    return json_response([label_change_body(row) for row in rows])

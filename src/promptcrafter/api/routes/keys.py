"""/auth/keys: API keys for scripts, CI and services (login tokens only; keys are refused)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from promptcrafter import accounts
from promptcrafter.api.deps import CurrentUser, Db, Svc
from promptcrafter.api.models import ApiKeyIn
from promptcrafter.api.response_models import ApiKeyCreatedOut, ApiKeyOut
from promptcrafter.api.responses import ORJSONResponse, api_key_body
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.errors import KEY_NOT_FOR_ACCOUNT, Forbidden
from promptcrafter.ids import KEY_ID
from promptcrafter.store import apikeys

router = APIRouter(prefix="/auth/keys", tags=["auth"], route_class=ContractRoute)

KEY_ID_INVALID = "The request is malformed or the key ID format is invalid."
KeyId = Annotated[str, Path(alias="id", pattern=f"^{KEY_ID.pattern}$")]


@router.post(
    "",
    status_code=201,
    response_model=ApiKeyCreatedOut,
    responses=documented_errors(400, 401, 403, 413, 415),
    summary="Create an API key (needs a login token issued in the last 10 minutes)",
)
async def create_key(body: ApiKeyIn, caller: CurrentUser, services: Svc) -> Response:
    """The answer is the only place the key itself ever appears; only its hash is stored."""
    if caller.claims is None:  # check_key_rules refuses keys here already
        raise Forbidden(KEY_NOT_FOR_ACCOUNT)
    row, key = await accounts.create_api_key(
        services,
        caller.id,
        caller.claims.issued_at * 1000,
        body.name,
        body.scope,
        body.expiresInDays,
    )
    return ORJSONResponse({**api_key_body(row), "key": key}, status_code=201)


@router.get(
    "",
    response_model=list[ApiKeyOut],
    responses=documented_errors(400, 401, 403),
    summary="The caller's API keys, oldest first (without the keys themselves)",
)
async def list_keys(caller: CurrentUser, db: Db) -> Response:
    return ORJSONResponse([api_key_body(row) for row in await apikeys.listing(db, caller.id)])


@router.delete(
    "/{id}",
    status_code=204,
    response_class=Response,
    responses=documented_errors(400, 401, 403, 404),
    summary="Delete an API key; it stops working at once on every worker and host",
)
@sentences(path=KEY_ID_INVALID)
async def delete_key(key_id: KeyId, caller: CurrentUser, db: Db) -> Response:
    await apikeys.delete(db, caller.id, key_id)
    return Response(status_code=204)

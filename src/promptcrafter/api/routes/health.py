"""/health: is the service able to answer (its database reachable)?"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from promptcrafter.api.deps import Db
from promptcrafter.api.response_models import HealthOut
from promptcrafter.api.responses import ORJSONResponse
from promptcrafter.api.routing import ContractRoute, documented_errors
from promptcrafter.errors import DATABASE_DOWN

router = APIRouter(tags=["operations"], route_class=ContractRoute)


@router.get("/health", response_model=HealthOut, responses=documented_errors(503))
async def health(db: Db) -> Response:
    if await db.ping():
        return ORJSONResponse({"status": "ok"})
    return ORJSONResponse({"status": "unavailable", "error": DATABASE_DOWN}, status_code=503)

"""/search: find prompts by words in their title, tags or content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Db
from promptcrafter.api.models import PromptOut
from promptcrafter.api.responses import json_array, prompt_body
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.errors import BadRequest
from promptcrafter.store import search as prompt_search

router = APIRouter(tags=["search"], route_class=ContractRoute)

BAD_QUERY = "Missing or malformed query string."


@router.get("/search", response_model=list[PromptOut], responses=documented_errors(400, 401))
@sentences(query=BAD_QUERY)
async def search(
    caller: CurrentUser,
    db: Db,
    q: Annotated[
        str | None,
        Query(
            max_length=prompt_search.MAX_QUERY,
            description="Words to find; every one must occur (any case).",
        ),
    ] = None,
) -> Response:
    """The caller's prompts containing every term, title matches first, then tags, then
    content; newest first within each group."""
    if q is None or "\x00" in q:
        raise BadRequest(BAD_QUERY)
    terms = prompt_search.terms_of(q)
    if not terms or len(terms) > prompt_search.MAX_TERMS:
        raise BadRequest(BAD_QUERY)
    return json_array(await prompt_search.search(db, caller.id, terms), prompt_body)

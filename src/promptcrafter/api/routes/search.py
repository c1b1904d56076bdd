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
from promptcrafter.store.database import Database

router = APIRouter(tags=["search"], route_class=ContractRoute)

BAD_QUERY = "Missing or malformed query string."


async def answer(db: Database, owner: str, q: str | None) -> Response:
    """The search itself, shared by the route below and the read fast path."""
    if q is None or len(q) > prompt_search.MAX_QUERY or "\x00" in q:
        raise BadRequest(BAD_QUERY)
    terms = prompt_search.terms_of(q)
    if not terms or len(terms) > prompt_search.MAX_TERMS:
        raise BadRequest(BAD_QUERY)
    return json_array(await prompt_search.search(db, owner, terms), prompt_body)


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
    return await answer(db, caller.id, q)

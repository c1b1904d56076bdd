"""/search: find prompts by words in their title, tags or content."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from promptcrafter.api.deps import CurrentUser, Svc
from promptcrafter.api.listings import PAGED_HEADERS, Paging, paged_response
from promptcrafter.api.response_models import PromptOut
from promptcrafter.api.responses import json_array, prompt_body
from promptcrafter.api.routing import ContractRoute, documented_errors, sentences
from promptcrafter.errors import BadRequest
from promptcrafter.paging import bad, read_page
from promptcrafter.store import search as prompt_search
from promptcrafter.store.database import Database

router = APIRouter(tags=["search"], route_class=ContractRoute)

BAD_QUERY = "Missing or malformed query string."


def _terms(q: str | None) -> list[str]:
    if q is None or len(q) > prompt_search.MAX_QUERY or "\x00" in q:
        raise BadRequest(BAD_QUERY)
    terms = prompt_search.terms_of(q)
    if not terms or len(terms) > prompt_search.MAX_TERMS:
        raise BadRequest(BAD_QUERY)
    return terms


async def answer(db: Database, owner: str, q: str | None) -> Response:
    """The search itself, shared by the route below and the read fast path."""
    return json_array(await prompt_search.search(db, owner, _terms(q)), prompt_body)


@router.get(
    "/search",
    response_model=list[PromptOut],
    responses={200: {"headers": PAGED_HEADERS}, **documented_errors(400, 401)},
)
@sentences(query=BAD_QUERY)
async def search(
    caller: CurrentUser,
    services: Svc,
    paging: Paging,
    q: Annotated[
        str,
        Query(
            max_length=prompt_search.MAX_QUERY,
            description="Words to find; every one must occur (any case).",
        ),
    ],
) -> Response:
    """The caller's prompts containing every term, title matches first, then tags, then
    content; newest first within each group; paged on request."""
    if paging.limit is None and paging.cursor is None:
        return await answer(services.db, caller.id, q)
    terms = _terms(q)
    page = read_page(services.cursors, "/search", caller.id, {"q": q}, paging.limit, paging.cursor)
    assert page is not None
    if not prompt_search.valid_key(page.after):
        raise bad()
    rows, last = await prompt_search.search_page(
        services.db, caller.id, terms, page.after, page.limit
    )
    return paged_response(services, page, rows, last, prompt_body)

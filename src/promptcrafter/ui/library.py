"""The library page: the visitor's prompts."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter.api.responses import prompt_body
from promptcrafter.store import listing
from promptcrafter.ui.core import Visitor, page, render

PAGE_SIZE = 50


@page()
async def library(request: Request, visitor: Visitor) -> Response:
    rows, _ = await listing.page(
        visitor.services.db, listing.PROMPTS, visitor.user.id, "-updatedAt", {}, None, PAGE_SIZE
    )
    return render(request, visitor, "library.html", prompts=[prompt_body(row) for row in rows])


ROUTES = [Route("/", library, methods=["GET"])]

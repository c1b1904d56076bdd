"""The browser UI, served under ``/ui`` by the same server as the API.

Pages are rendered on the server (Jinja2) and work as plain forms; ``static/app.js`` only
enhances them. Handlers call the same domain and store functions as the JSON API. The API never
accepts the UI's session cookie, and the UI never accepts a bearer token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route, Router

from promptcrafter.ui import account, auth, history, library, prompt_page, results
from promptcrafter.ui.core import Visitor, error_page, page
from promptcrafter.ui.headers import UiHeaders
from promptcrafter.ui.render import STATIC
from promptcrafter.ui.static_files import CachedStatic

NOT_FOUND = "No page exists at this address."


@page(login=False)
async def _not_found(request: Request, visitor: Visitor) -> Response:
    return error_page(request, visitor, 404, NOT_FOUND)


def routes() -> list[Route | Mount]:
    """Every UI route; ``app.py`` mounts them at ``/ui``."""
    return [
        Route("/login", auth.login_page, methods=["GET"]),
        Route("/login", auth.login_submit, methods=["POST"]),
        Route("/signup", auth.signup_page, methods=["GET"]),
        Route("/signup", auth.signup_submit, methods=["POST"]),
        Route("/logout", auth.logout, methods=["POST"]),
        # Each page module lists its own routes.
        *library.ROUTES,
        *prompt_page.ROUTES,
        *history.ROUTES,
        *results.ROUTES,
        *account.ROUTES,
        Mount("/static", app=CachedStatic(directory=STATIC), name="static"),
        # Last: any other path under /ui is an HTML 404, not the API's JSON one.
        Route("/{rest:path}", _not_found, methods=["GET", "POST"]),
    ]


def mount() -> Mount:
    return Mount("/ui", app=UiHeaders(Router(routes=routes())))

"""The browser UI, served under ``/ui`` by the same server as the API.

Pages are rendered on the server (Jinja2) and work as plain forms; ``static/app.js`` only
enhances them. Handlers call the same domain and store functions as the JSON API. The API never
accepts the UI's session cookie, and the UI never accepts a bearer token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount, Route, Router
from starlette.types import Scope

from promptcrafter.ui import account, auth, history, library, prompt_page, results
from promptcrafter.ui.core import Visitor, error_page, page
from promptcrafter.ui.headers import UiHeaders
from promptcrafter.ui.render import STATIC
from promptcrafter.ui.static_files import CachedStatic

NOT_FOUND = "No page exists at this address."
NOT_ALLOWED = "This page cannot be sent that way."
# The catch-all route takes every method, so that any request under /ui the pages do not
# serve is answered here as a page (the app's own 405 would be JSON, naming the API's routes).
_EVERY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_PAGES: list[Route | Mount] = []


def _methods_at(scope: Scope) -> set[str]:
    """The methods some page serves at this path (none: no page is here)."""
    methods: set[str] = set()
    for route in _PAGES:
        match, _ = route.matches({**scope, "method": "\x00"})
        if match is Match.PARTIAL:
            methods |= getattr(route, "methods", None) or set()
    return methods


@page(login=False)
async def _not_found(request: Request, visitor: Visitor) -> Response:
    allowed = _methods_at(request.scope)
    if allowed:
        response = error_page(request, visitor, 405, NOT_ALLOWED)
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response
    return error_page(request, visitor, 404, NOT_FOUND)


@page(login=False)
async def _static_refused(request: Request, visitor: Visitor) -> Response:
    """A static file that is not there, or a method other than GET and HEAD on one."""
    if request.method in ("GET", "HEAD"):
        return error_page(request, visitor, 404, NOT_FOUND)
    response = error_page(request, visitor, 405, NOT_ALLOWED)
    response.headers["Allow"] = "GET, HEAD"
    return response


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
        Mount(
            "/static", app=CachedStatic(directory=STATIC, refused=_static_refused), name="static"
        ),
    ]


def mount() -> Mount:
    _PAGES[:] = routes()
    # Last: any other request under /ui is an HTML 404 or 405, not the API's JSON one.
    catch_all = Route("/{rest:path}", _not_found, methods=_EVERY_METHOD)
    return Mount("/ui", app=UiHeaders(Router(routes=[*_PAGES, catch_all])))

"""What every page shares: who is looking (``Visitor``), the ``page`` wrapper that finds the
session and turns domain errors into pages, and the response helpers.

A page handler is ``async def handler(request, visitor) -> Response``. It reads a form with
``read_form`` (which checks the origin and the CSRF token before anything else), calls the
same domain and store functions as the JSON API, and answers with ``render`` or ``redirect``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from promptcrafter.api.deps import CALLER, Caller
from promptcrafter.clock import now_ms
from promptcrafter.errors import DATABASE_DOWN, DomainError
from promptcrafter.security.browser import (
    CSRF_COOKIE,
    SECURE_PREFIX,
    SESSION_COOKIE,
    new_secret,
    origin_of,
)
from promptcrafter.services import Services
from promptcrafter.store import sessions
from promptcrafter.store.database import DatabaseUnavailable, StoreError
from promptcrafter.store.sessions import BrowserSession
from promptcrafter.store.users import User
from promptcrafter.ui.render import render_template

log = logging.getLogger("promptcrafter")

UI = "/ui"
LOGIN = "/ui/login"
# What ``?notice=<key>`` after a redirect says: fixed sentences, so no visitor-supplied text
# is ever reflected into a page.
NOTICES = {
    "welcome": "Welcome to PromptCrafter. Your account is ready.",
    "logged-out": "You are logged out.",
    "saved": "Saved.",
    "created": "Prompt created.",
    "deleted": "Deleted.",
    "restored": "Version restored as a new version.",
    "label-set": "Label set.",
    "label-deleted": "Label deleted.",
    "log-added": "Log added.",
    "log-deleted": "Log deleted.",
    "key-revoked": "API key revoked.",
    "password-changed": "Password changed. Other sessions have been logged out.",
    "unchanged": "Nothing changed.",
    # The account page (ui/account.py).
    "account-deleted": "Your account has been deleted, with its prompts, logs and API keys.",
    "logged-in-again": "Logged in again. You can create API keys for the next 10 minutes.",
}


@dataclass(slots=True)
class Visitor:
    """The person behind a page request: their session (None before log-in) and the CSRF
    token their forms must carry."""

    services: Services
    session: BrowserSession | None
    csrf: str
    secure: bool  # cookies get Secure and the __Host- prefix
    origin: str  # what Origin our own pages send
    # Set when this request made the visitor's pre-login CSRF cookie: the answer carries it.
    new_csrf_cookie: str | None = None
    # Set by log-in and sign-up: the answer sets this session cookie (or clears it: "").
    new_session: str | None = None

    @property
    def user(self) -> User:
        if self.session is None:
            raise LookupError("this page needs a logged-in visitor")
        return self.session.user

    @property
    def logged_in(self) -> bool:
        return self.session is not None


Handler = Callable[[Request, Visitor], Awaitable[Response]]


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


def cookie_name(base: str, secure: bool) -> str:
    return SECURE_PREFIX + base if secure else base


def _origin(request: Request, services: Services) -> str:
    public = services.settings.public_url
    if public is not None:
        return origin_of(public)
    host = request.headers.get("host") or "localhost"
    try:
        return origin_of(f"{request.scope.get('scheme', 'http')}://{host}")
    except ValueError:
        # A Host header that is no host (``a:b``): no form can match it, so every form is
        # refused as cross-site; pages still render.
        return "invalid://host"


async def visit(request: Request, services: Services) -> Visitor:
    origin = _origin(request, services)
    secure = origin.startswith("https://")
    settings = services.settings
    found = None
    session_id = request.cookies.get(cookie_name(SESSION_COOKIE, secure))
    if session_id and len(session_id) <= 128:
        found = await sessions.find(
            services.db,
            session_id,
            now_ms(),
            idle_ms=settings.session_idle_minutes * 60_000,
            max_age_ms=settings.session_max_hours * 3_600_000,
        )
    if found is not None:
        # Where the request log and metrics look for who made a request (api/observe.py).
        request.scope[CALLER] = Caller(user=found.user)
        return Visitor(services, found, found.csrf, secure, origin)
    # A cookie of a session that ended: cleared, so later requests skip the lookup.
    ended = "" if session_id else None
    token = request.cookies.get(cookie_name(CSRF_COOKIE, secure))
    if token and 20 <= len(token) <= 128:
        return Visitor(services, None, token, secure, origin, new_session=ended)
    token = new_secret()
    return Visitor(services, None, token, secure, origin, new_csrf_cookie=token, new_session=ended)


def safe_next(target: str | None) -> str:
    """Where to go after logging in: a path of ours only, never another site."""
    if not target or not target.startswith("/ui/") or target.startswith("//"):
        return UI + "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return UI + "/"
    return target


def _return_to(request: Request) -> str:
    """Where to come back to after logging in: this page; for a form sent after the session
    ended, the page it was sent from is unknown, so the library (a POST path is no page)."""
    if request.method != "GET":
        return UI + "/"
    query = bytes(request.scope.get("query_string", b"")).decode("latin-1")
    path = str(request.scope["path"])
    return path + (f"?{query}" if query else "")


def page(*, login: bool = True) -> Callable[[Handler], Callable[[Request], Awaitable[Response]]]:
    """Wrap a handler: find the visitor, send anonymous visitors of private pages to log in,
    render domain and storage errors as pages, and set the cookies the visit needs."""

    def wrap(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            services = services_of(request)
            try:
                visitor = await visit(request, services)
            except StoreError as exc:
                return _unavailable(request, exc)
            if login and visitor.session is None:
                target = _return_to(request)
                response: Response = redirect(f"{LOGIN}?next={quote(target, safe='')}")
            else:
                try:
                    response = await handler(request, visitor)
                except DomainError as exc:
                    response = error_page(request, visitor, exc.status_code, exc.message)
                    for name, value in (exc.headers or {}).items():
                        if name.lower() == "retry-after":
                            response.headers[name] = value
                except StoreError as exc:
                    return _unavailable(request, exc)
            _set_cookies(response, visitor)
            return response

        endpoint.__name__ = handler.__name__
        endpoint.__doc__ = handler.__doc__
        return endpoint

    return wrap


def _set_cookies(response: Response, visitor: Visitor) -> None:
    if visitor.new_csrf_cookie is not None:
        response.set_cookie(
            cookie_name(CSRF_COOKIE, visitor.secure),
            visitor.new_csrf_cookie,
            path="/",
            httponly=True,
            samesite="lax",
            secure=visitor.secure,
        )
    if visitor.new_session is not None:
        name = cookie_name(SESSION_COOKIE, visitor.secure)
        if visitor.new_session:
            # A session cookie (no Max-Age): the server-side limits decide how long it lives.
            response.set_cookie(
                name,
                visitor.new_session,
                path="/",
                httponly=True,
                samesite="lax",
                secure=visitor.secure,
            )
        else:
            response.delete_cookie(
                name, path="/", httponly=True, samesite="lax", secure=visitor.secure
            )


def render(
    request: Request,
    visitor: Visitor,
    template: str,
    *,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    notice = NOTICES.get(request.query_params.get("notice", ""))
    context.setdefault("notice", notice)
    html = render_template(template, request=request, visitor=visitor, **context)
    return HTMLResponse(html, status_code=status)


def redirect(url: str) -> RedirectResponse:
    """303 See Other: after a form, the browser GETs the result (a reload repeats nothing)."""
    return RedirectResponse(url, status_code=303)


def error_page(request: Request, visitor: Visitor, status: int, message: str) -> HTMLResponse:
    return render(
        request, visitor, "error.html", status=status, status_code=status, message=message
    )


def _unavailable(request: Request, exc: StoreError) -> Response:
    if not isinstance(exc, DatabaseUnavailable):
        log.error("database error: %s", exc)
    html = render_template(
        "error.html",
        request=request,
        visitor=None,
        status_code=503,
        message=DATABASE_DOWN,
        notice=None,
    )
    return HTMLResponse(html, status_code=503, headers={"Retry-After": "1"})

"""Sign up, log in, log out: the same account rules as the JSON API, with a browser session
instead of a token."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from promptcrafter import accounts
from promptcrafter.api.deps import request_ip as visitor_ip
from promptcrafter.api.models import LoginIn, SignupIn
from promptcrafter.clock import now_ms
from promptcrafter.errors import DomainError
from promptcrafter.store import sessions
from promptcrafter.ui.core import UI, Visitor, page, redirect, render, safe_next
from promptcrafter.ui.forms import FormInvalid, read_form, validate

# Which field an account error belongs beside.
_FIELD_OF = {401: "password", 409: "email", 429: "_form"}


async def start_session(visitor: Visitor, user_id: str) -> None:
    """A new session id at every log-in; the one the browser held before (if any) ends."""
    settings = visitor.services.settings
    if visitor.session is not None:
        await sessions.end(visitor.services.db, visitor.session.id_hash)
    new = await sessions.create(
        visitor.services.db, user_id, now_ms(), settings.session_max_hours * 3_600_000
    )
    visitor.new_session = new.session_id


@page(login=False)
async def login_page(request: Request, visitor: Visitor) -> Response:
    if visitor.logged_in:
        return redirect(safe_next(request.query_params.get("next")))
    return render(
        request,
        visitor,
        "login.html",
        errors={},
        values={},
        next=safe_next(request.query_params.get("next")),
    )


@page(login=False)
async def login_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    values = {"email": form.text("email")}
    target = safe_next(form.get("next"))
    try:
        body = validate(LoginIn, {"email": form.text("email"), "password": form.text("password")})
        found = await accounts.check_login(
            visitor.services, body.email, body.password, visitor_ip(request)
        )
    except FormInvalid as exc:
        return render(
            request,
            visitor,
            "login.html",
            status=400,
            errors=exc.errors,
            values=values,
            next=target,
        )
    except DomainError as exc:
        errors = {_FIELD_OF.get(exc.status_code, "_form"): exc.message}
        response = render(
            request,
            visitor,
            "login.html",
            status=exc.status_code,
            errors=errors,
            values=values,
            next=target,
        )
        if exc.headers and "Retry-After" in exc.headers:
            response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    await start_session(visitor, found.user_id)
    return redirect(target)


@page(login=False)
async def signup_page(request: Request, visitor: Visitor) -> Response:
    if visitor.logged_in:
        return redirect(UI + "/")
    return render(request, visitor, "signup.html", errors={}, values={})


@page(login=False)
async def signup_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    values = {"name": form.text("name"), "email": form.text("email")}
    try:
        body = validate(
            SignupIn,
            {
                "name": form.text("name"),
                "email": form.text("email"),
                "password": form.text("password"),
            },
        )
        user, _ = await accounts.signup(
            visitor.services, body.name, body.email, body.password, visitor_ip(request)
        )
    except FormInvalid as exc:
        return render(request, visitor, "signup.html", status=400, errors=exc.errors, values=values)
    except DomainError as exc:
        errors = {_FIELD_OF.get(exc.status_code, "_form"): exc.message}
        response = render(
            request, visitor, "signup.html", status=exc.status_code, errors=errors, values=values
        )
        if exc.headers and "Retry-After" in exc.headers:
            response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    await start_session(visitor, user.id)
    return redirect(UI + "/?notice=welcome")


@page(login=False)
async def logout(request: Request, visitor: Visitor) -> Response:
    # Already logged out (in another tab, or the session ended): there is nothing to end, so
    # the form's token, which was the ended session's, is not asked for either.
    if visitor.session is not None:
        await read_form(request, visitor)
        await sessions.end(visitor.services.db, visitor.session.id_hash)
    visitor.new_session = ""
    return redirect("/ui/login?notice=logged-out")

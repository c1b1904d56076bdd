"""The account page: API keys, password change, account deletion.

The same account rules as the JSON API (``promptcrafter.accounts``), with the browser session
in place of a token: a key may be made only within ten minutes of logging in (the session's
start plays the token's issue time), a password change ends every other session, and deleting
the account ends this one.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter import accounts
from promptcrafter.api.deps import request_ip as visitor_ip
from promptcrafter.api.models import AccountDeleteIn, ApiKeyIn, LoginIn, PasswordChangeIn
from promptcrafter.clock import now_ms
from promptcrafter.errors import (
    LOGIN_AGAIN,
    BadRequest,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
)
from promptcrafter.ids import KEY_ID
from promptcrafter.numbers import digits_at_most
from promptcrafter.security.apikeys import PREFIX
from promptcrafter.store import apikeys
from promptcrafter.store.apikeys import NOT_FOUND as KEY_NOT_FOUND
from promptcrafter.store.database import Row
from promptcrafter.ui.auth import start_session
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import Form, FormInvalid, read_form, validate

ACCOUNT = "/ui/account"
KEY_ID_INVALID = "The request is malformed or the key ID format is invalid."
SCOPES = [("write", "Write (read and write)"), ("read", "Read only")]
# Model field -> the form field its error is shown beside.
_KEY_FIELDS = {"name": "name", "scope": "scope", "expiresInDays": "expires"}
_PASSWORD_FIELDS = {"currentPassword": "current", "newPassword": "new"}


def _is_fresh(visitor: Visitor) -> bool:
    """Whether this session began recently enough to make an API key (the API's rule)."""
    assert visitor.session is not None
    return visitor.session.created_at >= now_ms() - accounts.FRESH_LOGIN_SECONDS * 1000


def _key_row(row: Row, now: int) -> dict[str, Any]:
    expires = row[apikeys.EXPIRES]
    return {
        "id": row[apikeys.ID],
        "name": row[apikeys.NAME],
        "scope": row[apikeys.SCOPE],
        "prefix": PREFIX + row[apikeys.LOOKUP],
        "created": row[apikeys.CREATED],
        "last_used": row[apikeys.LAST_USED],
        "expires": expires,
        "expired": expires is not None and expires <= now,
    }


async def _account(
    request: Request, visitor: Visitor, *, status: int = 200, **forms: Any
) -> Response:
    """The account page, with any refused form's values and errors."""
    now = now_ms()
    rows = await apikeys.listing(visitor.services.db, visitor.user.id)
    context: dict[str, Any] = {
        "keys": [_key_row(row, now) for row in rows],
        "fresh": _is_fresh(visitor),
        "scopes": SCOPES,
        "key_values": {},
        "key_errors": {},
        "password_errors": {},
    }
    context.update(forms)
    return render(request, visitor, "account.html", status=status, **context)


def _with_retry_after(response: Response, exc: DomainError) -> Response:
    """A form refused for too many wrong passwords says when to try again, as the API does."""
    if isinstance(exc, TooManyRequests):
        response.headers["Retry-After"] = str(max(1, exc.retry_after))
    return response


def _errors(exc: FormInvalid, fields: dict[str, str]) -> dict[str, str]:
    return {fields.get(name, "_form"): sentence for name, sentence in exc.errors.items()}


@page()
async def account_page(request: Request, visitor: Visitor) -> Response:
    return await _account(request, visitor)


def _key_input(form: Form) -> dict[str, Any]:
    """The form as ``ApiKeyIn`` reads it: the model is strict, so the number is converted
    here, an empty one is left out (never expires), and anything else stays a string that
    the model refuses."""
    data: dict[str, Any] = {"name": form.text("name"), "scope": form.text("scope") or "write"}
    days = form.text("expires").strip()
    if days:
        # Too many digits for any valid value stay text, which the model refuses (400).
        number = digits_at_most(days, 1_000_000)
        data["expiresInDays"] = days if number is None else number
    return data


@page()
async def create_key(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    values = {
        "name": form.text("name"),
        "scope": form.text("scope"),
        "expires": form.text("expires"),
    }
    try:
        body = validate(ApiKeyIn, _key_input(form))
        row, key = await accounts.create_api_key(
            visitor.services,
            visitor.user.id,
            visitor.session.created_at if visitor.session else 0,
            body.name,
            body.scope,
            body.expiresInDays,
        )
    except FormInvalid as exc:
        errors = _errors(exc, _KEY_FIELDS)
        return await _account(request, visitor, status=400, key_values=values, key_errors=errors)
    except Forbidden as exc:  # the session is too old: Log in again to create an API key.
        return await _account(
            request,
            visitor,
            status=exc.status_code,
            key_values=values,
            key_errors={"_form": exc.message},
        )
    # The only answer that ever holds the key: rendered here, never put in a URL; /ui answers
    # carry Cache-Control: no-store, so it is not kept either.
    return render(request, visitor, "key_created.html", key=key, made=_key_row(row, now_ms()))


def _key_id(request: Request) -> str:
    key_id = str(request.path_params["key_id"])
    if not KEY_ID.fullmatch(key_id):
        raise BadRequest(KEY_ID_INVALID)
    return key_id


@page()
async def revoke_key(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    key_id = _key_id(request)
    db = visitor.services.db
    if form.text("confirmed") != "yes":
        # Without JavaScript nothing asked yet: ask on a page of its own.
        rows = await apikeys.listing(db, visitor.user.id)
        found = next((row for row in rows if row[apikeys.ID] == key_id), None)
        if found is None:
            raise NotFound(KEY_NOT_FOUND)
        return render(request, visitor, "confirm_key_revoke.html", key=_key_row(found, now_ms()))
    await apikeys.delete(db, visitor.user.id, key_id)
    return redirect(f"{ACCOUNT}?notice=key-revoked")


@page()
async def change_password(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    try:
        body = validate(
            PasswordChangeIn,
            {"currentPassword": form.text("current"), "newPassword": form.text("new")},
        )
        await accounts.change_password(
            visitor.services, visitor.user, body.currentPassword, body.newPassword
        )
    except FormInvalid as exc:
        errors = _errors(exc, _PASSWORD_FIELDS)
        return await _account(request, visitor, status=400, password_errors=errors)
    except (Forbidden, TooManyRequests) as exc:  # wrong, or too many wrong ones already
        refused = await _account(
            request, visitor, status=exc.status_code, password_errors={"current": exc.message}
        )
        return _with_retry_after(refused, exc)
    # The change ended every session and token of the account, this browser's too: it stays
    # logged in with a new session, made at the new password generation.
    await start_session(visitor, visitor.user.id)
    return redirect(f"{ACCOUNT}?notice=password-changed")


@page()
async def delete_page(request: Request, visitor: Visitor) -> Response:
    return render(request, visitor, "confirm_account_delete.html", errors={})


@page()
async def delete_account(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    try:
        body = validate(AccountDeleteIn, {"password": form.text("password")})
        await accounts.delete_account(visitor.services, visitor.user, body.password)
    except FormInvalid as exc:
        errors = _errors(exc, {"password": "password"})
        return render(request, visitor, "confirm_account_delete.html", status=400, errors=errors)
    except (Forbidden, TooManyRequests) as exc:
        errors = {"password": exc.message}
        refused = render(
            request, visitor, "confirm_account_delete.html", status=exc.status_code, errors=errors
        )
        return _with_retry_after(refused, exc)
    # The session row went with the user (ON DELETE CASCADE); the cookie goes too.
    visitor.new_session = ""
    return redirect("/ui/signup?notice=account-deleted")


@page()
async def login_again_page(request: Request, visitor: Visitor) -> Response:
    return render(request, visitor, "login_again.html", errors={})


@page()
async def login_again(request: Request, visitor: Visitor) -> Response:
    """A new session after the password is checked again, under the log-in limits: the
    ordinary log-in page sends a logged-in visitor straight on."""
    form = await read_form(request, visitor)
    email = visitor.user.email
    try:
        body = validate(LoginIn, {"email": email, "password": form.text("password")})
        found = await accounts.check_login(
            visitor.services, body.email, body.password, visitor_ip(request)
        )
    except FormInvalid as exc:
        errors = _errors(exc, {"password": "password"})
        return render(request, visitor, "login_again.html", status=400, errors=errors)
    except DomainError as exc:
        field = "password" if exc.status_code == 401 else "_form"
        response = render(
            request,
            visitor,
            "login_again.html",
            status=exc.status_code,
            errors={field: exc.message},
        )
        if exc.headers and "Retry-After" in exc.headers:
            response.headers["Retry-After"] = exc.headers["Retry-After"]
        return response
    if found.user_id != visitor.user.id:  # the email moved to another account meanwhile
        raise Forbidden(LOGIN_AGAIN)
    await start_session(visitor, found.user_id)
    return redirect(f"{ACCOUNT}?notice=logged-in-again")


ROUTES: list[Route] = [
    Route("/account", account_page, methods=["GET"]),
    Route("/account/keys", create_key, methods=["POST"]),
    Route("/account/keys/{key_id}/revoke", revoke_key, methods=["POST"]),
    Route("/account/password", change_password, methods=["POST"]),
    Route("/account/delete", delete_page, methods=["GET"]),
    Route("/account/delete", delete_account, methods=["POST"]),
    Route("/account/login", login_again_page, methods=["GET"]),
    Route("/account/login", login_again, methods=["POST"]),
]

"""Injected things, one alias each: ``Svc``, ``Db``, ``ClientIP``, ``CurrentUser``."""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from promptcrafter.errors import TOKEN_INVALID, TOKEN_MISSING, Unauthorized
from promptcrafter.security.clientip import client_ip
from promptcrafter.security.tokens import Claims, TokenError
from promptcrafter.services import Services
from promptcrafter.store import users
from promptcrafter.store.database import Database
from promptcrafter.store.users import User

# Where the authenticated caller of a request is kept in its ASGI scope (for request logs).
CALLER = "promptcrafter.caller"


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    claims: Claims

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def actor_id(self) -> str:
        """Who a change is recorded as made by (versions, label history). The one place a
        credential other than the user's own token would name itself."""
        return self.user.id


async def authenticate(services: Services, authorization: str | None) -> Caller:
    """The user behind an ``Authorization: Bearer <token>`` header, or 401.

    The scheme word is case-insensitive. A genuine, unexpired token must also still be alive
    in the database (user exists, not logged out, no password change since).
    """
    if not authorization:
        raise Unauthorized(TOKEN_MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        raise Unauthorized(TOKEN_INVALID)
    if not token:
        raise Unauthorized(TOKEN_MISSING)
    try:
        claims = services.tokens.verify(token)
    except TokenError:
        raise Unauthorized(TOKEN_INVALID) from None
    user = await users.token_owner(services.db, claims)
    if user is None:
        raise Unauthorized(TOKEN_INVALID)
    return Caller(user, claims)


async def authenticate_request(
    services: Services, scope: MutableMapping[str, Any], authorization: str | None
) -> Caller:
    """``authenticate``, remembering the caller in the request's scope for its log line."""
    caller = await authenticate(services, authorization)
    scope[CALLER] = caller
    return caller


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _services(request: Request) -> Services:
    return services_of(request)


async def _db(request: Request) -> Database:
    return services_of(request).db


async def _client_ip(request: Request) -> str:
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return client_ip(peer, forwarded, services_of(request).trusted_proxies)


async def _caller(request: Request) -> Caller:
    # Bearer auth is declared in the OpenAPI document by the app (see app._openapi), which
    # keeps this to one dependency with no sub-dependencies on every authenticated request.
    return await authenticate_request(
        services_of(request), request.scope, request.headers.get("authorization")
    )


Svc = Annotated[Services, Depends(_services)]
Db = Annotated[Database, Depends(_db)]
ClientIP = Annotated[str, Depends(_client_ip)]
CurrentUser = Annotated[Caller, Depends(_caller)]

"""Injected things, one alias each: ``Svc``, ``Db``, ``ClientIP``, ``CurrentUser``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase

from promptcrafter.errors import TOKEN_INVALID, TOKEN_MISSING, Unauthorized
from promptcrafter.security.clientip import client_ip
from promptcrafter.security.tokens import Claims, TokenError
from promptcrafter.services import Services
from promptcrafter.store import users
from promptcrafter.store.database import Database
from promptcrafter.store.users import User


class _BearerHeader(SecurityBase):
    """Declares bearer auth in the OpenAPI file; hands over the raw header to check ourselves."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(bearerFormat="JWT")
        self.scheme_name = "bearerAuth"

    async def __call__(self, request: Request) -> str | None:
        return request.headers.get("authorization")


_bearer = _BearerHeader()


async def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _db(request: Request) -> Database:
    db: Database = request.app.state.services.db
    return db


async def _client_ip(request: Request) -> str:
    services: Services = request.app.state.services
    peer = request.client.host if request.client else None
    return client_ip(peer, request.headers.get("x-forwarded-for"), services.trusted_proxies)


Svc = Annotated[Services, Depends(_services)]
ClientIP = Annotated[str, Depends(_client_ip)]
Db = Annotated[Database, Depends(_db)]


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    claims: Claims

    @property
    def id(self) -> str:
        return self.user.id


async def _caller(
    request: Request, authorization: Annotated[str | None, Depends(_bearer)]
) -> Caller:
    if not authorization:
        raise Unauthorized(TOKEN_MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        raise Unauthorized(TOKEN_INVALID)
    if not token:
        raise Unauthorized(TOKEN_MISSING)
    services: Services = request.app.state.services
    try:
        claims = services.tokens.verify(token)
    except TokenError:
        raise Unauthorized(TOKEN_INVALID) from None
    user = await users.token_owner(services.db, claims)
    if user is None:
        raise Unauthorized(TOKEN_INVALID)
    return Caller(user, claims)


CurrentUser = Annotated[Caller, Depends(_caller)]

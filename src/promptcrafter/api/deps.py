"""Injected things, one alias each: ``Svc``, ``Db``, ``ClientIP``, ``CurrentUser``.

``authenticate`` is the one judge of credentials and of what an API key may do: the FastAPI
dependency, the contract route and the fast path all call it with the request's method and
path, so no way of serving a route can skip a rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from promptcrafter.clock import now_ms
from promptcrafter.errors import (
    KEY_NOT_FOR_ACCOUNT,
    KEY_READ_ONLY,
    TOKEN_INVALID,
    TOKEN_MISSING,
    Forbidden,
    Unauthorized,
)
from promptcrafter.security import apikeys as keyformat
from promptcrafter.security.clientip import client_ip
from promptcrafter.security.tokens import Claims, TokenError
from promptcrafter.services import Services
from promptcrafter.store import apikeys, users
from promptcrafter.store.database import Database
from promptcrafter.store.users import User

# Writes a read key may still make: rendering a template changes nothing.
_READ_WRITES = re.compile(r"/prompts/[^/]+/render")
_READ_METHODS = frozenset({"GET", "HEAD"})
# Routes that manage the account itself; only a login token may call them.
_ACCOUNT_ROUTES = frozenset({("POST", "/auth/password"), ("POST", "/auth/logout")})
_ACCOUNT_ROUTES |= {("DELETE", "/auth/me")}
# Where the authenticated caller of a request is kept in its ASGI scope: for its log line, and
# so a request is authenticated once however many routes' checks ask.
CALLER = "promptcrafter.caller"


@dataclass(frozen=True, slots=True)
class Caller:
    user: User
    claims: Claims | None = None  # a login token's
    key_id: str | None = None  # an API key's
    scope: str | None = None  # "read" or "write" for a key

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def is_key(self) -> bool:
        return self.key_id is not None

    @property
    def actor_id(self) -> str:
        """Who a change is recorded as made by (versions, label history): the API key's id
        when a key made it, else the user's."""
        return self.key_id if self.key_id is not None else self.user.id


def check_key_rules(caller: Caller, method: str, path: str) -> None:
    """403 for what an API key may not do on ``method path``; nothing for a login token."""
    if caller.scope is None:
        return
    refusal = key_refusal(caller.scope, method, path)
    if refusal is not None:
        raise Forbidden(refusal)


def key_refusal(scope: str, method: str, path: str) -> str | None:
    """Why a key of ``scope`` may not call ``method path`` (a path or its route's template),
    or None when it may: the rule itself, and what the OpenAPI document lists."""
    if path == "/auth/keys" or path.startswith("/auth/keys/") or (method, path) in _ACCOUNT_ROUTES:
        return KEY_NOT_FOR_ACCOUNT
    if scope == "read" and method not in _READ_METHODS and not _READ_WRITES.fullmatch(path):
        return KEY_READ_ONLY
    return None


async def authenticate(
    services: Services,
    authorization: str | None,
    method: str,
    path: str,
    ip: Callable[[], str],
) -> Caller:
    """The caller behind an ``Authorization: Bearer <token or key>`` header, or 401/403.

    The scheme word is case-insensitive. A genuine, unexpired token must also still be alive
    in the database (user exists, not logged out, no password change since); a key must be
    stored, unexpired, and allowed ``method path``. ``ip`` is asked only when a key fails.
    """
    if not authorization:
        raise Unauthorized(TOKEN_MISSING)
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer":
        raise Unauthorized(TOKEN_INVALID)
    if not token:
        raise Unauthorized(TOKEN_MISSING)
    if keyformat.looks_like_key(token):
        caller = await _key_caller(services, token, ip)
        check_key_rules(caller, method, path)
        return caller
    try:
        claims = services.tokens.verify(token)
    except TokenError:
        raise Unauthorized(TOKEN_INVALID) from None
    user = await users.token_owner(services.db, claims)
    if user is None:
        raise Unauthorized(TOKEN_INVALID)
    return Caller(user, claims)


async def _key_caller(services: Services, key: str, ip: Callable[[], str]) -> Caller:
    lookup_id = keyformat.lookup_id(key)
    if lookup_id is None:  # mistyped or cut short: no lookup, and not counted as a guess
        raise Unauthorized(TOKEN_INVALID)
    stored = await apikeys.find(services.db, lookup_id)
    now = now_ms()
    if stored is None or not keyformat.matches(key, stored.secret_hash):
        if services.limiter is not None:
            await services.limiter.unknown_api_key(ip())
        raise Unauthorized(TOKEN_INVALID)
    if stored.expires_at is not None and stored.expires_at <= now:
        raise Unauthorized(TOKEN_INVALID)
    if apikeys.is_stale(stored, now):
        await apikeys.touch(services.db, stored.id, now)
    return Caller(stored.owner, key_id=stored.id, scope=stored.scope)


async def authenticate_request(
    services: Services,
    scope: MutableMapping[str, Any],
    authorization: str | None,
    ip: Callable[[], str],
) -> Caller:
    """``authenticate`` for the request of ``scope``, once: the caller is kept in the scope for
    its log line and for any later check of the same request. The fast path and the FastAPI
    dependency both come here."""
    found = scope.get(CALLER)
    if isinstance(found, Caller):
        return found
    caller = await authenticate(services, authorization, scope["method"], scope["path"], ip)
    scope[CALLER] = caller
    return caller


def services_of(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


async def _services(request: Request) -> Services:
    return services_of(request)


async def _db(request: Request) -> Database:
    return services_of(request).db


def request_ip(request: Request) -> str:
    peer = request.client.host if request.client else None
    forwarded = request.headers.get("x-forwarded-for")
    return client_ip(peer, forwarded, services_of(request).trusted_proxies)


async def _client_ip(request: Request) -> str:
    return request_ip(request)


async def request_caller(request: Request) -> Caller:
    """Authenticate once per request; ContractRoute calls this before reading parameters, so
    401 and the key rules' 403 come before any 400."""
    return await authenticate_request(
        services_of(request),
        request.scope,
        request.headers.get("authorization"),
        lambda: request_ip(request),
    )


async def _caller(request: Request) -> Caller:
    # Bearer auth is declared in the OpenAPI document by the app (see app._openapi), which
    # keeps this to one dependency with no sub-dependencies on every authenticated request.
    return await request_caller(request)


Svc = Annotated[Services, Depends(_services)]
Db = Annotated[Database, Depends(_db)]
ClientIP = Annotated[str, Depends(_client_ip)]
CurrentUser = Annotated[Caller, Depends(_caller)]

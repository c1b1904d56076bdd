"""HS256 access tokens (PyJWT) with the algorithm pinned and every lifecycle claim required.

A token names its user (``sub``), its own id (``jti``, for logout) and the user's token
generation (``gen``, bumped by a password change so older tokens die). Whether a token is still
alive is the database's call; this module only proves the token is genuine and unexpired.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import jwt

from promptcrafter.ids import new_token_id

ALGORITHM = "HS256"
_USER_ID = re.compile(r"user[0-9a-z]{1,64}")
_TOKEN_ID = re.compile(r"[0-9a-z]{1,64}")
_REQUIRED = ["sub", "exp", "iat", "jti", "gen"]
_CACHE_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class Claims:
    user_id: str
    token_id: str
    generation: int
    expires_at: int  # seconds since the epoch
    issued_at: int = 0  # seconds since the epoch


@dataclass(frozen=True, slots=True)
class IssuedToken:
    token: str
    expires_at: int


class TokenError(Exception):
    """The token is not one this server issued, or it has expired."""


class Tokens:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self._ttl = ttl_seconds
        # Signature checks cost more than the rest of a cached read; a token is immutable, so
        # remembering which strings verified is safe. Expiry is re-checked on every use.
        self._verified: dict[str, Claims] = {}

    def issue(self, user_id: str, generation: int) -> IssuedToken:
        now = int(time.time())
        expires = now + self._ttl
        payload = {
            "sub": user_id,
            "iat": now,
            "exp": expires,
            "jti": new_token_id(),
            "gen": generation,
        }
        return IssuedToken(jwt.encode(payload, self._secret, algorithm=ALGORITHM), expires)

    def verify(self, token: str) -> Claims:
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token)
            if len(self._verified) >= _CACHE_LIMIT:
                self._verified.clear()
            self._verified[token] = claims
        if claims.expires_at <= time.time():
            self._verified.pop(token, None)
            raise TokenError("expired")
        return claims

    def _decode(self, token: str) -> Claims:
        try:
            payload = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                options={"require": _REQUIRED},
            )
        except jwt.PyJWTError as exc:
            raise TokenError(str(exc)) from exc
        sub, jti, gen, exp = payload["sub"], payload["jti"], payload["gen"], payload["exp"]
        iat = payload["iat"]
        # Only shapes this server issues get anywhere near a query, even if correctly signed.
        if not (
            isinstance(sub, str)
            and _USER_ID.fullmatch(sub)
            and isinstance(jti, str)
            and _TOKEN_ID.fullmatch(jti)
            and type(gen) is int
            and 0 <= gen < 2**31
            and type(exp) is int
            and type(iat) is int
        ):
            raise TokenError("malformed claims")
        return Claims(user_id=sub, token_id=jti, generation=gen, expires_at=exp, issued_at=iat)

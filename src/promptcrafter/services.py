"""The long-lived parts a request needs, built once per worker."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from promptcrafter.config import Settings
from promptcrafter.paging import Cursors
from promptcrafter.security.clientip import Network, parse_networks
from promptcrafter.security.passwords import Passwords
from promptcrafter.security.ratelimit import RateLimiter, build_limiter
from promptcrafter.security.tokens import Tokens
from promptcrafter.store.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    tokens: Tokens
    passwords: Passwords
    limiter: RateLimiter | None
    trusted_proxies: tuple[Network, ...]
    cursors: Cursors
    redis: Any = None

    @classmethod
    def build(cls, settings: Settings, db: Database) -> Services:
        limiter, redis = build_limiter(settings, db)
        secret = settings.resolved_secret_key()
        return cls(
            settings=settings,
            db=db,
            tokens=Tokens(secret, settings.token_ttl_seconds),
            passwords=Passwords(
                settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
            ),
            limiter=limiter,
            trusted_proxies=parse_networks(settings.trusted_proxies),
            redis=redis,
            cursors=Cursors(secret),
        )

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.aclose()
        await self.db.close()

"""The long-lived parts a request needs, built once per worker."""

from __future__ import annotations

from dataclasses import dataclass

from promptcrafter.config import Settings
from promptcrafter.security.passwords import Passwords
from promptcrafter.security.tokens import Tokens
from promptcrafter.store.database import Database


@dataclass(frozen=True)
class Services:
    settings: Settings
    db: Database
    tokens: Tokens
    passwords: Passwords

    @classmethod
    def build(cls, settings: Settings, db: Database) -> Services:
        return cls(
            settings=settings,
            db=db,
            tokens=Tokens(settings.resolved_secret_key(), settings.token_ttl_seconds),
            passwords=Passwords(
                settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
            ),
        )

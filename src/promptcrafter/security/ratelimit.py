"""Brute-force protection: shared counters, in the database or in Redis.

Four limits guard the credentials: failed logins per account (each password check counted
before its hash is computed, so a locked account costs the server nothing), login attempts per
client IP, signups per client IP, and well-formed API keys matching no live key per client IP.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from redis.exceptions import RedisError

from promptcrafter.clock import now_ms
from promptcrafter.config import Settings
from promptcrafter.errors import TooManyRequests
from promptcrafter.store import ratelimits
from promptcrafter.store.database import Database, DatabaseUnavailable

TOO_MANY_LOGINS = "Too many failed login attempts for this account. Try again later."
TOO_MANY_ATTEMPTS = "Too many attempts from this address. Try again later."


class Counters(Protocol):
    async def hit(self, bucket: str, window_ms: int) -> tuple[int, int]: ...

    async def peek(self, bucket: str) -> tuple[int, int]: ...

    async def reset(self, bucket: str) -> None: ...


class DatabaseCounters:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def hit(self, bucket: str, window_ms: int) -> tuple[int, int]:
        return await ratelimits.hit(self._db, bucket, window_ms, now_ms())

    async def peek(self, bucket: str) -> tuple[int, int]:
        return await ratelimits.peek(self._db, bucket, now_ms())

    async def reset(self, bucket: str) -> None:
        await ratelimits.reset(self._db, bucket)


class RedisCounters:
    """INCR plus an expiry set only by the first hit of a window (PEXPIRE ... NX).

    Redis out of reach is the counters' database out of reach: the 503 with Retry-After that
    a request gets when the database is down (limits are not skipped), not a 500."""

    def __init__(self, client: Any, prefix: str = "promptcrafter:rl:") -> None:
        self._redis = client
        self._prefix = prefix

    async def hit(self, bucket: str, window_ms: int) -> tuple[int, int]:
        key = self._prefix + bucket
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.pexpire(key, window_ms, nx=True)
                pipe.pttl(key)
                hits, _, ttl = await pipe.execute()
        except RedisError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        return int(hits), now_ms() + max(int(ttl), 0)

    async def peek(self, bucket: str) -> tuple[int, int]:
        key = self._prefix + bucket
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.get(key)
                pipe.pttl(key)
                hits, ttl = await pipe.execute()
        except RedisError as exc:
            raise DatabaseUnavailable(str(exc)) from exc
        return (int(hits or 0), now_ms() + max(int(ttl), 0))

    async def reset(self, bucket: str) -> None:
        try:
            await self._redis.delete(self._prefix + bucket)
        except RedisError as exc:
            raise DatabaseUnavailable(str(exc)) from exc

    async def close(self) -> None:
        await self._redis.aclose()


def _retry_after(closes_at_ms: int) -> int:
    return max(1, -(-(closes_at_ms - now_ms()) // 1000))  # whole seconds, rounded up


def _account_bucket(email_key: str) -> str:
    # Hashed so the counter store never holds email addresses in clear.
    return "login-fail:" + hashlib.sha256(email_key.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Limits:
    account_failures: int
    account_window_ms: int
    logins_per_ip: int
    signups_per_ip: int
    key_failures_per_ip: int

    @classmethod
    def from_settings(cls, settings: Settings) -> Limits:
        return cls(
            account_failures=settings.login_failures_per_account,
            account_window_ms=settings.login_failure_window_seconds * 1000,
            logins_per_ip=settings.login_attempts_per_ip_per_minute,
            signups_per_ip=settings.signups_per_ip_per_hour,
            key_failures_per_ip=settings.api_key_failures_per_ip_per_minute,
        )


class RateLimiter:
    def __init__(self, counters: Counters, limits: Limits) -> None:
        self.counters = counters
        self.limits = limits

    async def _count(self, bucket: str, limit: int, window_ms: int, message: str) -> None:
        hits, closes = await self.counters.hit(bucket, window_ms)
        if hits > limit:
            raise TooManyRequests(message, _retry_after(closes))

    async def login_attempt(self, client_ip: str) -> None:
        await self._count(
            f"login-ip:{client_ip}", self.limits.logins_per_ip, 60_000, TOO_MANY_ATTEMPTS
        )

    async def signup_attempt(self, client_ip: str) -> None:
        await self._count(
            f"signup-ip:{client_ip}", self.limits.signups_per_ip, 3_600_000, TOO_MANY_ATTEMPTS
        )

    async def unknown_api_key(self, client_ip: str) -> None:
        """Count a well-formed key that matches no live key; 429 once an address guesses."""
        await self._count(
            f"key-fail-ip:{client_ip}", self.limits.key_failures_per_ip, 60_000, TOO_MANY_ATTEMPTS
        )

    async def account_attempt(self, email_key: str) -> None:
        """Count a password check against the account before its hash is computed; 429 once
        the account's window holds its limit. The attempt is counted first, in one atomic
        hit, and stands as a failure unless ``successful_login`` clears it: counting after
        the hash let simultaneous guesses all read the count from before any of them failed
        (30 at once got 30 hashes against a limit of 10). A locked account is refused by the
        read alone, so refusals add nothing to its count."""
        bucket = _account_bucket(email_key)
        failures, closes = await self.counters.peek(bucket)
        if failures < self.limits.account_failures:
            failures, closes = await self.counters.hit(bucket, self.limits.account_window_ms)
            if failures <= self.limits.account_failures:
                return
        raise TooManyRequests(TOO_MANY_LOGINS, _retry_after(closes))

    async def successful_login(self, email_key: str) -> None:
        await self.counters.reset(_account_bucket(email_key))


def build_limiter(settings: Settings, db: Database) -> tuple[RateLimiter | None, Any]:
    """The configured limiter (None when disabled) and a Redis client to close, if any."""
    if not settings.rate_limit_enabled:
        return None, None
    limits = Limits.from_settings(settings)
    if settings.redis_url:
        import redis.asyncio as redis

        client = redis.from_url(settings.redis_url)
        return RateLimiter(RedisCounters(client), limits), client
    return RateLimiter(DatabaseCounters(db), limits), None

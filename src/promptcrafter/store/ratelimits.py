"""Rate-limit counters kept in the database, shared by every worker and host using it.

Each bucket is a window that opens at its first hit and lasts ``window_ms``; a hit after it
closed opens a new one. One upsert counts a hit and reports the count, atomically.
"""

from __future__ import annotations

import random

from promptcrafter.store.database import Database, sql

_HIT = sql(
    "INSERT INTO rate_limits (bucket, window_start, hits, expires_at) "
    "VALUES (:bucket, :now, 1, :expires) "
    "ON CONFLICT (bucket) DO UPDATE SET "
    "hits = CASE WHEN rate_limits.expires_at <= :now THEN 1 ELSE rate_limits.hits + 1 END, "
    "window_start = CASE WHEN rate_limits.expires_at <= :now "
    "THEN :now ELSE rate_limits.window_start END, "
    "expires_at = CASE WHEN rate_limits.expires_at <= :now "
    "THEN :expires ELSE rate_limits.expires_at END "
    "RETURNING hits, expires_at"
)
_PEEK = sql("SELECT hits, expires_at FROM rate_limits WHERE bucket = :bucket AND expires_at > :now")
_RESET = sql("DELETE FROM rate_limits WHERE bucket = :bucket")
_PURGE = sql("DELETE FROM rate_limits WHERE expires_at <= :now")

_PURGE_ONE_IN = 200  # sweep closed windows now and then, inside an ordinary hit


async def hit(db: Database, bucket: str, window_ms: int, now_ms: int) -> tuple[int, int]:
    """Count one hit; return (hits in the current window, when the window closes)."""
    statements = [(_HIT, {"bucket": bucket, "now": now_ms, "expires": now_ms + window_ms})]
    if random.randrange(_PURGE_ONE_IN) == 0:
        statements.append((_PURGE, {"now": now_ms}))
    results = await db.write(statements)
    hits, expires = results[0][0]
    return int(hits), int(expires)


async def peek(db: Database, bucket: str, now_ms: int) -> tuple[int, int]:
    row = await db.fetch_one(_PEEK, {"bucket": bucket, "now": now_ms})
    return (0, now_ms) if row is None else (int(row[0]), int(row[1]))


async def reset(db: Database, bucket: str) -> None:
    await db.write([(_RESET, {"bucket": bucket})])

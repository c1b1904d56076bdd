"""Time as integer milliseconds since the epoch, and its one wire format."""

from __future__ import annotations

import time
from functools import lru_cache


def now_ms() -> int:
    return time.time_ns() // 1_000_000


@lru_cache(maxsize=8192)
def _second(seconds: int) -> str:
    # strftime is the slow part of formatting; listings repeat the same seconds a lot.
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def iso_ms(ms: int) -> str:
    """``2024-06-20T13:20:12.000Z``: UTC, millisecond precision, as the contract requires."""
    seconds, millis = divmod(ms, 1000)
    return f"{_second(seconds)}.{millis:03d}Z"

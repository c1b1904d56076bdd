"""Public identifiers: a type prefix and a lowercase, time-ordered, unguessable ULID.

48 bits of milliseconds then 80 random bits, in Crockford's base32 (lowercase). Within one
process, ids minted in the same millisecond keep increasing, so sorting by id is sorting by
creation order there.
"""

from __future__ import annotations

import os
import re
import threading
import time

_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_RANDOM_BITS = 80
_lock = threading.Lock()
_last_ms = 0
_last_random = 0

PROMPT_ID = re.compile(r"prompt[0-9a-z]{1,64}")
LOG_ID = re.compile(r"log[0-9a-z]{1,64}")
KEY_ID = re.compile(r"key[0-9a-z]{1,64}")


# Two digits (10 bits) per lookup: 13 lookups for the 26 digits of a 128-bit value (its top
# digit pair holds 2 leading zero bits). Several times faster than a digit-by-digit loop, which
# was a noticeable share of a POST /logs.
_PAIRS = [high + low for high in _ALPHABET for low in _ALPHABET]


def _encode(value: int) -> str:
    p = _PAIRS
    return "".join(
        (
            p[value >> 120],
            p[(value >> 110) & 1023],
            p[(value >> 100) & 1023],
            p[(value >> 90) & 1023],
            p[(value >> 80) & 1023],
            p[(value >> 70) & 1023],
            p[(value >> 60) & 1023],
            p[(value >> 50) & 1023],
            p[(value >> 40) & 1023],
            p[(value >> 30) & 1023],
            p[(value >> 20) & 1023],
            p[(value >> 10) & 1023],
            p[value & 1023],
        )
    )


def _ulid() -> str:
    global _last_ms, _last_random
    with _lock:
        now = time.time_ns() // 1_000_000
        if now <= _last_ms and _last_random + 1 < (1 << _RANDOM_BITS):
            now, rand = _last_ms, _last_random + 1
        else:
            rand = int.from_bytes(os.urandom(10), "big")
        _last_ms, _last_random = now, rand
    return _encode((now << _RANDOM_BITS) | rand)


def new_prompt_id() -> str:
    return "prompt" + _ulid()


def new_log_id() -> str:
    return "log" + _ulid()


def new_user_id() -> str:
    return "user" + _ulid()


def new_key_id() -> str:
    return "key" + _ulid()


def new_token_id() -> str:
    return _ulid()


def is_prompt_id(value: str) -> bool:
    return PROMPT_ID.fullmatch(value) is not None


def is_log_id(value: str) -> bool:
    return LOG_ID.fullmatch(value) is not None

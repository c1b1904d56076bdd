"""The shape of an API key, its checksum and its stored hash. No I/O here.

A key is ``pc_`` + an 8-character lookup id + 40 random characters + a 7-character checksum,
all in lowercase Crockford base32 (58 characters). The lookup id finds the stored row through
a unique index; the 40 random characters (200 bits) are the secret.

Only SHA-256 of the whole key is stored. The secret is 200 bits from ``secrets``, so a
fast unsalted hash is enough (nobody can guess or precompute such an input) and, unlike a
password hash, costs microseconds per request. No server key is mixed in (HMAC) on purpose:
keys then survive a rotation of ``PROMPTCRAFTER_SECRET_KEY``, and a stolen table still gives
nothing that can be presented.

The checksum is CRC32 of everything before it: a mistyped or truncated key is refused before
any database lookup, and is not counted as a guess by the abuse limit.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import zlib
from dataclasses import dataclass

PREFIX = "pc_"
ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
LOOKUP_LENGTH = 8
SECRET_LENGTH = 40
CHECKSUM_LENGTH = 7  # 35 bits hold a CRC32
KEY_LENGTH = len(PREFIX) + LOOKUP_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH
SHOWN_PREFIX = len(PREFIX) + LOOKUP_LENGTH  # "pc_" and the lookup id: 11 characters
_CHARS = frozenset(ALPHABET)


@dataclass(frozen=True, slots=True)
class NewKey:
    key: str
    lookup_id: str
    secret_hash: str

    @property
    def prefix(self) -> str:
        return self.key[:SHOWN_PREFIX]


def _random(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def _checksum(body: str) -> str:
    value = zlib.crc32(body.encode("ascii"))
    chars = []
    for _ in range(CHECKSUM_LENGTH):
        chars.append(ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def secret_hash(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def generate() -> NewKey:
    body = PREFIX + _random(LOOKUP_LENGTH) + _random(SECRET_LENGTH)
    key = body + _checksum(body)
    return NewKey(key=key, lookup_id=key[len(PREFIX) : SHOWN_PREFIX], secret_hash=secret_hash(key))


def looks_like_key(token: str) -> bool:
    """Whether a bearer credential is meant as an API key (JWTs never start with ``pc_``)."""
    return token.startswith(PREFIX)


@functools.lru_cache(maxsize=1024)
def _checked(key: str) -> tuple[str, str] | None:
    """(lookup id, SHA-256) of a well-formed key whose checksum holds, else None.

    A script sends the same key on every request: remembering the last thousand keys' checks
    (pure functions of the key) saves the checksum and hash each time, a quarter of a keyed
    read's Python work. The database is still asked on every request, so a revoked or
    expired key stops at once. The cache holds keys this process was just sent anyway,
    like the token verifier's."""
    if len(key) != KEY_LENGTH or not key.startswith(PREFIX) or not _CHARS.issuperset(key[3:]):
        return None
    body, check = key[:-CHECKSUM_LENGTH], key[-CHECKSUM_LENGTH:]
    if not hmac.compare_digest(_checksum(body), check):
        return None
    return key[len(PREFIX) : SHOWN_PREFIX], secret_hash(key)


def lookup_id(key: str) -> str | None:
    """The lookup id of a well-formed key whose checksum holds, else None."""
    checked = _checked(key)
    return None if checked is None else checked[0]


def matches(key: str, stored_hash: str) -> bool:
    checked = _checked(key)
    digest = secret_hash(key) if checked is None else checked[1]
    return hmac.compare_digest(digest, stored_hash)

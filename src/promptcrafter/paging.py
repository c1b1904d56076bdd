"""Opt-in paging of listings: the cursor codec, the parameter readers and the ``Link`` header.

A cursor names the last row of a page by its whole sort key, so the next page starts strictly
after it (keyset paging): rows written or deleted meanwhile never shift a walk. The key holds
the internal ``seq`` tiebreak, which must not be readable, so a cursor is sealed:

    base64url( nonce(12) | key XOR SHAKE-256(enc_key | nonce) | HMAC-SHA256(mac_key, ...)[:16] )

The keystream is SHAKE-256 keyed with a secret (a keyed sponge is a PRF, so this is a stream
cipher under a fresh random nonce); the tag is encrypt-then-MAC over what the cursor is bound
to (path, user id, the listing's normalised filters and sort), the nonce and the ciphertext.
Both keys are derived from the server's secret key, so every worker and host that shares the
secret reads every cursor, and a cursor from another user, another filter or another listing
fails the tag check like a forged or altered one: all of them are a 400.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson

from promptcrafter.errors import MALFORMED_PARAMS, BadRequest
from promptcrafter.numbers import decimal_or_none

MAX_LIMIT = 500
DEFAULT_LIMIT = 100  # a cursor sent without a limit (a Link always carries one)
_NONCE = 12
_TAG = 16
_MAX_CURSOR = 2048  # far above any key a listing seals (a title is at most 100 characters)


def bad() -> BadRequest:
    return BadRequest(MALFORMED_PARAMS)


class Cursors:
    """Seals and opens cursors with keys derived from the server's secret."""

    def __init__(self, secret: str) -> None:
        root = secret.encode()
        self._enc = hmac.new(root, b"promptcrafter cursor encryption", hashlib.sha256).digest()
        self._mac = hmac.new(root, b"promptcrafter cursor integrity", hashlib.sha256).digest()

    def _keystream(self, nonce: bytes, length: int) -> bytes:
        return hashlib.shake_256(self._enc + nonce).digest(length)

    def _tag(self, binding: bytes, nonce: bytes, sealed: bytes) -> bytes:
        message = len(binding).to_bytes(4, "big") + binding + nonce + sealed
        return hmac.new(self._mac, message, hashlib.sha256).digest()[:_TAG]

    def seal(self, binding: bytes, key: Sequence[Any]) -> str:
        plain = orjson.dumps(list(key))
        nonce = os.urandom(_NONCE)
        sealed = bytes(
            a ^ b for a, b in zip(plain, self._keystream(nonce, len(plain)), strict=True)
        )
        raw = nonce + sealed + self._tag(binding, nonce, sealed)
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    def open(self, binding: bytes, cursor: str) -> list[Any]:
        """The key sealed in ``cursor`` for ``binding``; 400 for anything else."""
        if len(cursor) > _MAX_CURSOR or not cursor.isascii():
            raise bad()
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        except (binascii.Error, ValueError):
            raise bad() from None
        if len(raw) <= _NONCE + _TAG:
            raise bad()
        nonce, sealed, tag = raw[:_NONCE], raw[_NONCE:-_TAG], raw[-_TAG:]
        if not hmac.compare_digest(tag, self._tag(binding, nonce, sealed)):
            raise bad()
        plain = bytes(
            a ^ b for a, b in zip(sealed, self._keystream(nonce, len(sealed)), strict=True)
        )
        key = orjson.loads(plain)
        if not isinstance(key, list):
            raise bad()
        return key


@dataclass(frozen=True)
class Page:
    """What a paged request asked for; ``after`` is the opened cursor's key (None: first page)."""

    limit: int
    after: list[Any] | None
    path: str
    binding: bytes
    params: dict[str, str]  # the listing's own parameters, as the Link repeats them


def binding_of(path: str, user_id: str, params: Mapping[str, str]) -> bytes:
    """What a cursor is bound to: the listing, the user, and every filter and sort value."""
    return orjson.dumps([path, user_id, sorted(params.items())])


def read_page(
    cursors: Cursors,
    path: str,
    user_id: str,
    params: Mapping[str, str | None],
    limit: str | None,
    cursor: str | None,
) -> Page | None:
    """The paging a request asks for, or None when it sends neither ``limit`` nor ``cursor``
    (the listing then answers whole, as in Part 1). ``params`` are the listing's other query
    parameters as sent (None: absent)."""
    if limit is None and cursor is None:
        return None
    size = DEFAULT_LIMIT if limit is None else read_int(limit, 1, MAX_LIMIT)
    given = {name: value for name, value in params.items() if value is not None}
    binding = binding_of(path, user_id, given)
    after = None if cursor is None else cursors.open(binding, cursor)
    return Page(limit=size, after=after, path=path, binding=binding, params=given)


def next_link(cursors: Cursors, page: Page, last_key: Sequence[Any]) -> str:
    """The ``Link`` header value for the page after the one ending at ``last_key``."""
    query = {
        **page.params,
        "limit": str(page.limit),
        "cursor": cursors.seal(page.binding, last_key),
    }
    return f'<{page.path}?{urlencode(query)}>; rel="next"'


# Readers of single values: anything they do not accept is the contract's 400.


def read_int(value: str, low: int, high: int) -> int:
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise bad()
    number = int(value)
    if not low <= number <= high:
        raise bad()
    return number


def read_float(value: str, low: float, high: float) -> float:
    number = decimal_or_none(value)
    if number is None or not low <= number <= high:
        raise bad()
    return number


def read_bool(value: str) -> bool:
    if value not in ("true", "false"):
        raise bad()
    return value == "true"


def read_text(value: str, max_length: int) -> str:
    if not value.strip() or len(value) > max_length or "\x00" in value:
        raise bad()
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise bad() from None
    return value


def read_choice(value: str | None, choices: Sequence[str]) -> str:
    """A ``sort`` value; absent means the first choice."""
    if value is None:
        return choices[0]
    if value not in choices:
        raise bad()
    return value

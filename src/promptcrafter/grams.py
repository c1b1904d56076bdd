"""Search grams: the short pieces of every word of a text, each as one 32-bit integer.

PostgreSQL's search index (migration 0011) holds, for each prompt, the one-, two- and
three-character pieces of every word of its folded title, tags and content; a search asks
it for some pieces of each term and ``LIKE`` then decides (store/search.py). A term never
contains white space, so it lies inside one word, and every piece of the term is a piece of
that word: the index cannot miss a match.

Why numbers computed here, not text pieces computed by an SQL function in the index
expression (migration 0005): PostgreSQL ran that function for every row written (0.3-0.9 ms
for a prompt of 280 characters), and a GIN index compares text keys more slowly than
integers. The numbers of the words a process has seen recently are cached (12 us for the
260-character text of the benchmark's ``PATCH``, 2-4 us per new word).

The encoding: each character is its code point plus one, in 10 bits when that fits
(U+0000-U+03FE: Latin, Greek, most of the letters users type), packed first character
highest, so a piece of up to three such characters is its own number below 2**30. A piece
holding any other character is hashed into [2**30, 2**31). Two pieces can share a hashed
number; that only widens the rows ``LIKE`` checks, never loses one.

Left out: single letters and digits (store/gram_stats.py never asks for them: they are in
most prompts of any real library), so each prompt's entry is about a tenth smaller.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from operator import or_

_BITS = 10
_LIMIT = 1 << _BITS  # character codes (code point + 1) below this are packed exactly
_HASHED = 1 << 30
_PRIME = 1_073_741_789  # the largest prime below 2**30
_CACHED_WORD = 32  # longer words are rare and would crowd the cache; they are not kept


def code(piece: str) -> int:
    """The number of one piece (one to three characters)."""
    codes = [ord(char) + 1 for char in piece]
    if max(codes) < _LIMIT:
        value = 0
        for char_code in codes:
            value = (value << _BITS) | char_code
        return value << (_BITS * (3 - len(codes)))
    return _hashed(piece)


def _hashed(piece: str) -> int:
    value = 0
    for char in piece:
        value = value * 0x110000 + ord(char)
    return _HASHED + (value * (len(piece) + 1)) % _PRIME


def _pieces(word: str) -> frozenset[int]:
    codes = [ord(char) + 1 for char in word]
    if max(codes) >= _LIMIT:
        return frozenset(
            code(word[i : i + n])
            for n in (1, 2, 3)
            for i in range(len(word) - n + 1)
            if n > 1 or not word[i].isalnum()
        )
    # Pairs, then triples, built from shifted copies with C-level maps (this runs for every
    # new word a write brings).
    pairs = list(map(or_, [c << 20 for c in codes], [c << 10 for c in codes[1:]]))
    pieces = set(pairs)
    pieces.update(map(or_, pairs, codes[2:]))
    if not word.isalnum():
        pieces.update([c << 20 for c, char in zip(codes, word, strict=True) if not char.isalnum()])
    return frozenset(pieces)


_cached_pieces = lru_cache(maxsize=8192)(_pieces)


def of_text(text: str) -> set[int]:
    """The numbers of every piece of every word of ``text`` (white space splits words)."""
    found: set[int] = set()
    for word in text.split():
        found |= _cached_pieces(word) if len(word) <= _CACHED_WORD else _pieces(word)
    return found


def entry(text: str) -> list[int]:
    """What the index holds for ``text``."""
    return list(of_text(text))


def codes(pieces: Iterable[str]) -> list[int]:
    return [code(piece) for piece in pieces]

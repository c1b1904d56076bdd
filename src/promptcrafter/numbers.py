"""Numbers written in digits by a client (headers, form fields, command-line arguments).

``int()`` refuses texts of more than 4,300 digits (CPython's guard against quadratic
conversion) with a ValueError, and ``str.isdigit`` is true for digits that ``int()`` does not
read (``'²'``). Leading zeros are dropped before the length is judged, so ``000...0002`` is
still 2, as HTTP reads a Content-Length.
"""

from __future__ import annotations

import math
import re

# Every bound callers pass is below 10**18, so 18 significant digits always suffice.
_DIGITS = 18


def digits_at_most(text: str | bytes, high: int) -> int | None:
    """The number that the ASCII digits ``text`` write, when it is at most ``high`` (below
    10**18); None when ``text`` is anything else: empty, not ASCII digits, or larger."""
    if not (text.isascii() and text.isdigit()):
        return None
    if len(text) > _DIGITS:  # the common short case goes straight to int()
        text = text.lstrip(b"0") if isinstance(text, bytes) else text.lstrip("0")
        if len(text) > _DIGITS:
            return None
    value = int(text or "0")
    return value if value <= high else None


# A decimal as people and JSON write it: digits, an optional point and fraction, an optional
# exponent. float() reads more (``1_0``, `` 5 ``, ``infinity``, ``nan``), none of it a score.
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


def decimal_or_none(text: str) -> float | None:
    """The finite number ``text`` writes in decimal, else None."""
    if not _DECIMAL.fullmatch(text) or len(text) > 64:
        return None
    number = float(text)
    return number if math.isfinite(number) else None

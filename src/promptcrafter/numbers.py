"""Numbers written in digits by a client (headers, form fields, command-line arguments).

``int()`` refuses texts of more than 4,300 digits (CPython's guard against quadratic
conversion) with a ValueError, and ``str.isdigit`` is true for digits that ``int()`` does not
read (``'²'``). Leading zeros are dropped before the length is judged, so
``000...0002`` is still 2, as HTTP reads a Content-Length.
"""

from __future__ import annotations


def digits_at_most(text: str | bytes, high: int) -> int | None:
    """The number that the ASCII digits ``text`` write, when it is at most ``high``; None
    when ``text`` is anything else: empty, not ASCII digits, or a larger number."""
    if isinstance(text, bytes):
        if not (text.isascii() and text.isdigit()):
            return None
        text = text.decode("ascii")
    elif not (text.isascii() and text.isdigit()):
        return None
    significant = text.lstrip("0") or "0"
    if len(significant) > len(str(high)):
        return None
    value = int(significant)
    return value if value <= high else None

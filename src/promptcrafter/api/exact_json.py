"""Request bodies whose numbers must come back as they were written: render's variables.

orjson reads an integer beyond 64 bits as a float, so ``12345678901234567890123`` would be
rendered as ``1.2345678901234568e+22``, a silent change SPEC rules out. Python's reader keeps
every integer exact. It is slower, so it reads a body again only when orjson's answer holds a
float (the one way such an integer shows), which a render's variables rarely do.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def loads(body: bytes) -> Any:
    """The JSON value of ``body``; ``orjson.JSONDecodeError`` for what orjson refuses."""
    value = orjson.loads(body)
    if not _has_float(value):
        return value
    try:
        # orjson has read it as UTF-8 JSON without constants or infinities: Python reads the
        # same value, integers exact, unless it is nested deeper than its recursion allows.
        return json.loads(body.decode("utf-8"))
    except RecursionError:
        raise orjson.JSONDecodeError("nested too deeply", "", 0) from None


def _has_float(value: Any) -> bool:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float):
            return True
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False

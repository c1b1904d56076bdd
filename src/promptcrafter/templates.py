"""Prompt templates: ``{{ name }}`` placeholders, found by one left-to-right scan.

The rules (SPEC Part 2, "Templates and render"): ``\\{{`` is a literal ``{{`` and the only
escape; a placeholder is a ``{{`` followed by a name (``[A-Za-z_][A-Za-z0-9_]*``) with optional
spaces or tabs around it and then ``}}``. Anything else is literal text. Both readings are one
regular expression tried at each position from the left, so ``{{{a}}}`` is ``{`` + a + ``}``:
the scan fails at the first brace and finds the placeholder one character later.

The scan is linear in the text: a failed attempt at a ``{{`` reads at most the run of name
characters and blanks after it, and no such run contains a brace, so runs never overlap.
Rendering joins a list of pieces once, after checking the size they add up to.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import orjson

from promptcrafter.errors import BadRequest, PayloadTooLarge

# Group 1 is the name of a placeholder; a match without it is the escape.
_TOKEN = re.compile(r"\\\{\{|\{\{[ \t]*([A-Za-z_][A-Za-z0-9_]*)[ \t]*\}\}")

MAX_RENDERED_BYTES = 2 * 1024 * 1024
TOO_LARGE = "The rendered text would be larger than 2 MiB."


@dataclass(frozen=True, slots=True)
class Template:
    """``literals[i]`` comes before placeholder ``i``; there is one more literal than names.
    ``raw[i]`` is placeholder ``i`` as written, for leaving a missing one in place."""

    literals: tuple[str, ...]
    names: tuple[str, ...]
    raw: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    used: list[str]
    missing: list[str]
    unused: list[str]


class MissingVariables(BadRequest):
    def __init__(self, names: list[str]) -> None:
        super().__init__(f"Missing template variables: {', '.join(names)}.", details=names)


def parse(text: str) -> Template:
    if "{{" not in text:  # the common case: no placeholder and no escape is possible
        return Template((text,), (), ())
    literals: list[str] = []
    names: list[str] = []
    raw: list[str] = []
    pending: list[str] = []  # literal pieces since the last placeholder
    start = 0
    for match in _TOKEN.finditer(text):
        pending.append(text[start : match.start()])
        start = match.end()
        name = match.group(1)
        if name is None:
            pending.append("{{")
            continue
        literals.append("".join(pending))
        pending = []
        names.append(name)
        raw.append(match.group(0))
    pending.append(text[start:])
    literals.append("".join(pending))
    return Template(tuple(literals), tuple(names), tuple(raw))


def variables(text: str) -> list[str]:
    """The placeholder names, each once, in order of first appearance."""
    return list(dict.fromkeys(parse(text).names))


def format_value(value: Any) -> str:
    """Strings verbatim; ``null`` as nothing; anything else as compact JSON, keys in the given
    order and non-ASCII kept (orjson writes exactly that, and ``7``/``2.5``/``true``)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return orjson.dumps(value).decode()
    except TypeError:  # an integer beyond 64 bits (api/exact_json.py keeps them exact)
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# Render serves the same few templates over and over (a label that production code asks for
# on every call): parsing 20 kB with 180 placeholders is two thirds of a render's 0.4 ms,
# while looking the text up here costs hashing it (tens of microseconds). Parsed templates
# are immutable, so sharing them is safe; 32 entries of at most 200,000 characters bound the
# memory to about 13 MB per worker in the worst case.
_parsed = lru_cache(maxsize=32)(parse)


def render(text: str, values: Mapping[str, Any], strict: bool = True) -> Rendered:
    template = _parsed(text)
    order = list(dict.fromkeys(template.names))
    used = [name for name in order if name in values]
    missing = [name for name in order if name not in values]
    present = set(order)
    unused = sorted(key for key in values if key not in present)
    if strict and missing:
        raise MissingVariables(missing)
    if not template.names:  # only literal text (escapes already turned into braces)
        return Rendered(template.literals[0], used, missing, unused)
    formatted = {name: format_value(values[name]) for name in used}
    sizes = {name: len(value.encode()) for name, value in formatted.items()}
    total = sum(len(literal.encode()) for literal in template.literals)
    for name, raw in zip(template.names, template.raw, strict=True):
        total += sizes[name] if name in sizes else len(raw.encode())
    if total > MAX_RENDERED_BYTES:
        raise PayloadTooLarge(TOO_LARGE)
    pieces = [template.literals[0]]
    for index, name in enumerate(template.names):
        pieces.append(formatted.get(name, template.raw[index]))
        pieces.append(template.literals[index + 1])
    return Rendered("".join(pieces), used, missing, unused)


@dataclass(frozen=True, slots=True)
class Segment:
    """A piece of a template as written: ``kind`` is ``"text"`` or ``"variable"``; for a
    variable, ``text`` is the placeholder exactly as written and ``name`` its name."""

    kind: str
    text: str
    name: str | None = None


def segments(text: str) -> list[Segment]:
    """The content cut into text and placeholder pieces for highlighting, by the same scan as
    ``parse``: an escaped ``\\{{`` stays in a text piece (as written, backslash included), so
    joining the pieces' texts gives back ``text`` exactly. No two text pieces are adjacent."""
    pieces: list[Segment] = []
    start = 0  # where the pending text piece begins
    for match in _TOKEN.finditer(text):
        name = match.group(1)
        if name is None:  # an escape is literal text: keep it in the pending piece
            continue
        if match.start() > start:
            pieces.append(Segment("text", text[start : match.start()]))
        pieces.append(Segment("variable", match.group(0), name))
        start = match.end()
    if start < len(text):
        pieces.append(Segment("text", text[start:]))
    return pieces

"""The Jinja2 environment of the UI: templates from the package, autoescaping always on, and
``static()`` URLs that carry a hash of the file so browsers may cache them for long."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from promptcrafter import __version__
from promptcrafter.api.models import MAX_PASSWORD, MIN_PASSWORD
from promptcrafter.clock import iso_ms

HERE = Path(__file__).parent
STATIC = HERE / "static"
STATIC_URL = "/ui/static/"


@cache
def fingerprint(name: str) -> str:
    path = (STATIC / name).resolve()
    if not path.is_relative_to(STATIC.resolve()) or not path.is_file():
        raise LookupError(f"no static file {name!r}")
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def static(name: str) -> str:
    return f"{STATIC_URL}{name}?v={fingerprint(name)}"


def when(ms: int | None) -> str:
    """A timestamp as the API writes it, for ``<time datetime>``; empty for none."""
    return "" if ms is None else iso_ms(ms)


def short_when(ms: int | None) -> str:
    """A timestamp for people: ``2026-12-02 13:20`` (UTC)."""
    return "" if ms is None else iso_ms(ms)[:16].replace("T", " ")


ENV = Environment(
    loader=FileSystemLoader(HERE / "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    auto_reload=False,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENV.globals.update(
    static=static,
    version=__version__,
    password_rule=f"{MIN_PASSWORD} to {MAX_PASSWORD} characters.",
)
ENV.filters.update(when=when, short_when=short_when)


def render_template(name: str, **context: Any) -> str:
    return ENV.get_template(name).render(**context)

"""The prompt's history on its page: edit (making a version), delete, versions, diff, restore
and labels."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from promptcrafter.ui.core import Visitor


async def sections(request: Request, visitor: Visitor, prompt: dict[str, Any]) -> dict[str, Any]:
    """The prompt page's context for prompt/_edit.html, _versions.html and _labels.html."""
    return {}


ROUTES: list[Route] = []

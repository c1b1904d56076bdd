"""What a prompt produced, on its page: render, logs, scores and compare, "use this prompt"."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import Route

from promptcrafter.ui.core import Visitor


async def sections(request: Request, visitor: Visitor, prompt: dict[str, Any]) -> dict[str, Any]:
    """The prompt page's context for prompt/_render.html, _logs.html, _scores.html and
    _snippets.html."""
    return {}


ROUTES: list[Route] = []

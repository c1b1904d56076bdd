"""The account page: API keys, password change, account deletion."""

from __future__ import annotations

from starlette.routing import Route

ROUTES: list[Route] = []

"""The UI's own CSS and JavaScript. Pages link them as ``name?v=<hash of the file>``, so a
changed file has a new URL and browsers may keep each one for a year."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import parse_qs

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from promptcrafter.ui.render import STATIC, fingerprint


class CachedStatic(StaticFiles):
    """Starlette's static files, cached by fingerprint. A file that is not there, or a method
    other than GET and HEAD, is answered by ``refused`` (the UI's page), not the API's JSON."""

    def __init__(
        self, *, directory: Path, refused: Callable[[Request], Awaitable[Response]]
    ) -> None:
        super().__init__(directory=directory)
        self._refused = refused

    async def get_response(self, path: str, scope: Scope) -> Response:
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code not in (404, 405):
                raise
            return await self._refused(Request(scope))

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        # Kept for a year only under the URL of this very content: an old or made-up ?v=
        # must not pin whatever the file holds now.
        asked = parse_qs(bytes(scope.get("query_string", b"")).decode("latin-1")).get("v")
        name = Path(full_path).resolve().relative_to(STATIC.resolve()).as_posix()
        if asked == [fingerprint(name)]:
            response.headers["cache-control"] = "public, max-age=31536000, immutable"
        else:
            response.headers["cache-control"] = "no-cache"
        return response

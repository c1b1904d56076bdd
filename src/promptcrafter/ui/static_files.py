"""The UI's own CSS and JavaScript. Pages link them as ``name?v=<hash of the file>``, so a
changed file has a new URL and browsers may keep each one for a year."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from promptcrafter.ui.render import STATIC, fingerprint


class CachedStatic(StaticFiles):
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

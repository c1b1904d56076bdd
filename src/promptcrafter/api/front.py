"""What uvicorn calls: the FastAPI application with the hot requests answered at its door.

FastAPI's own ``__call__`` (its telemetry check reads the environment on every request), then
Starlette's, the server-error layer, the security headers and the body limit each cost a call
and most a wrapped ``send`` per request: together more than a point lookup in SQLite. The hot
requests (api/fastpath.py) are answered before all of that, by ``HotPaths`` in its front-door
mode, which does those layers' part for its own answers. Everything else, and every request
it is unsure about, takes the ordinary way through the stack.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from promptcrafter.api.fastpath import DECLINED, HotPaths
from promptcrafter.api.observe import Observer


class PromptCrafterAPI(FastAPI):
    def __init__(self, *, cors: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # With CORS configured, a request carrying an Origin goes through the CORS layer,
        # which answers preflights and adds its headers; the inner fast path answers it there.
        self._cors = cors
        self._hot: HotPaths | None = None

    def serve_hot_paths(self, observer: Observer | None) -> None:
        self._hot = HotPaths(observer, front=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Before the fast path too: it reads the path, and /prompts%2F<id> is no route.
            # Decoding shortens every %XX, so only a path shorter than its raw bytes can have
            # held one. (Two lengths cost 40 ns; ``b"%2" in raw`` cost 180, 0.3% of a read.)
            raw = scope.get("raw_path")
            if raw is not None and len(raw) != len(scope["path"]):
                _keep_encoded_slashes(scope)
            hot = self._hot
            if hot is not None and not (self._cors and _has_origin(scope)):
                scope["app"] = self
                taken = await hot.take(scope, receive, send)
                if taken is None:
                    return
                receive = taken
                scope.setdefault(DECLINED, True)
        await super().__call__(scope, receive, send)


def _keep_encoded_slashes(scope: Scope) -> None:
    """``/prompts/prompt3%2Fx`` names the id ``prompt3/x``, a malformed one (400, in the
    route's words). ASGI decodes the path, so the router would see two segments and answer
    404; the path is decoded again here with ``%2F`` left as written, which no id matches."""
    raw: bytes = scope["raw_path"]
    if b"%2f" not in raw.lower():
        return
    path = raw.split(b"?", 1)[0].decode("latin-1")
    scope["path"] = unquote(re.sub("%2[fF]", "%252F", path))


def _has_origin(scope: Scope) -> bool:
    return any(key == b"origin" for key, _ in scope["headers"])

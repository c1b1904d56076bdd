"""GET /docs: Swagger UI from files that the build installs, never from a CDN.

``make run`` installs swagger-ui-dist from the npm lockfile (frontend/) and copies the two
files the page needs into ``docs_static/vendor/`` (gitignored, shipped in the wheel). The
page's own start-up script is ``docs_static/docs.js``, so its Content-Security-Policy can
forbid inline script and allow nothing from another origin.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse, Response

from promptcrafter.api.responses import error_response

STATIC_DIR = Path(__file__).with_name("docs_static")
VENDOR_DIR = STATIC_DIR / "vendor" / "swagger-ui-dist"
PAGE_PATH = "/docs"
ASSET_PREFIX = "/docs/static/"
NO_SUCH_PATH = "No resource exists at this path."

# Swagger UI builds its DOM with React: style properties set from script are not inline
# style attributes as far as CSP is concerned, so 'self' is enough (the browser tests check
# that no violation is reported). Its icons are data: URLs in its stylesheet.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; form-action 'self'; "
    "base-uri 'none'; object-src 'none'"
)

JS = "text/javascript; charset=utf-8"
CSS = "text/css; charset=utf-8"
# name served under /docs/static/ -> (file, content type); nothing else is served there.
SOURCES = {
    "swagger-ui-bundle.js": (VENDOR_DIR / "swagger-ui-bundle.js", JS),
    "swagger-ui.css": (VENDOR_DIR / "swagger-ui.css", CSS),
    "docs.js": (STATIC_DIR / "docs.js", JS),
}
# A URL carrying the current ?v= never changes content, so browsers may keep it for a year.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>API documentation not built</title></head>
<body>
<main>
<h1>API documentation not built</h1>
<p>The Swagger UI files for this page are installed by the build and are missing here.
Run <code>make run</code> in the project's directory (it installs them from the npm
lockfile in <code>frontend/</code>), then reload this page.</p>
<p>The OpenAPI document itself is at <a href="{openapi}">{openapi}</a>.</p>
</main>
</body>
</html>
"""


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    media_type: str
    version: str

    def etag(self, gzipped: bool) -> str:
        # Each encoding is its own representation, so each has its own tag.
        return f'"{self.version}-gz"' if gzipped else f'"{self.version}"'


router = APIRouter(include_in_schema=False)
_loaded: dict[str, Asset] | None = None


def _read_all() -> dict[str, Asset] | None:
    assets: dict[str, Asset] = {}
    for name, (path, media_type) in SOURCES.items():
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            return None
        version = hashlib.sha256(body).hexdigest()[:16]
        # Compressed once here: the bundle is about 1.5 MB and 0.4 MB gzipped.
        assets[name] = Asset(body, gzip.compress(body, 9, mtime=0), media_type, version)
    return assets


async def load_assets() -> dict[str, Asset] | None:
    """Every asset, read and compressed on first use; None while any file is missing (the
    next request looks again, so building them needs no restart)."""
    global _loaded
    if _loaded is None:
        _loaded = await asyncio.to_thread(_read_all)
    return _loaded


def _accepts_gzip(request: Request) -> bool:
    """Whether Accept-Encoding lists gzip with a non-zero weight (every browser does)."""
    for part in request.headers.get("accept-encoding", "").split(","):
        coding, *params = (piece.strip() for piece in part.split(";"))
        if coding.lower() != "gzip":
            continue
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    return float(value) > 0
                except ValueError:
                    return False
        return True
    return False


def _page(title: str, openapi_url: str, assets: dict[str, Asset]) -> str:
    def src(name: str) -> str:
        return escape(f"{ASSET_PREFIX}{name}?v={assets[name].version}")

    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="{src("swagger-ui.css")}">
</head>
<body>
<noscript><p>This page needs JavaScript. The OpenAPI document is at
<a href="{escape(openapi_url)}">{escape(openapi_url)}</a>.</p></noscript>
<div id="swagger-ui" data-openapi-url="{escape(openapi_url)}"></div>
<script src="{src("swagger-ui-bundle.js")}"></script>
<script src="{src("docs.js")}"></script>
</body>
</html>
"""


@router.api_route(PAGE_PATH, methods=["GET", "HEAD"])
async def docs_page(request: Request) -> Response:
    openapi_url = request.app.openapi_url or "/openapi.json"
    headers = {"Content-Security-Policy": CSP, "Cache-Control": REVALIDATE}
    assets = await load_assets()
    if assets is None:
        # Not a 5xx: the server is fine, the build step was skipped. Say which one.
        body = NOT_BUILT.format(openapi=escape(openapi_url))
        return HTMLResponse(body, status_code=404, headers=headers)
    return HTMLResponse(_page(request.app.title, openapi_url, assets), headers=headers)


@router.api_route(ASSET_PREFIX + "{name}", methods=["GET", "HEAD"])
async def docs_asset(name: str, request: Request) -> Response:
    assets = await load_assets()
    asset = assets.get(name) if assets else None
    if asset is None:
        return error_response(404, NO_SUCH_PATH)
    gzipped = _accepts_gzip(request)
    current = request.query_params.get("v") == asset.version
    headers = {
        "ETag": asset.etag(gzipped),
        "Cache-Control": IMMUTABLE if current else REVALIDATE,
        "Vary": "Accept-Encoding",
    }
    seen = {tag.strip() for tag in request.headers.get("if-none-match", "").split(",")}
    if headers["ETag"] in seen:
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)

"""/docs over HTTP: self-hosted Swagger UI, its CSP, its assets, and the switch that hides it.

The browser half (it renders, offline, without a CSP complaint) is tests/ui/browser/test_docs.py.
"""

from __future__ import annotations

import asyncio
import gzip
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request
from tests.support.databases import fresh_database, in_ci
from tests.support.server import ServerProcess

from promptcrafter.api import docs

NO_SUCH_PATH = {"error": "No resource exists at this path."}
CSP_PARTS = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "frame-ancestors 'none'",
    "form-action 'self'",
    "base-uri 'none'",
    "object-src 'none'",
}
# What /docs may cost a first visit, JavaScript and CSS uncompressed and as sent (gzip);
# Swagger UI 5.x is about 1.9 MB and 0.49 MB. A new Swagger UI over these is a choice to make.
BUDGET_RAW = 2_200_000
BUDGET_SENT = 600_000


def _assets_built() -> None:
    if not all(path.is_file() for path, _ in docs.SOURCES.values()):
        message = "Swagger UI is not built (make run copies it from frontend/node_modules)"
        if in_ci():
            pytest.fail(f"CI=true and {message}", pytrace=False)
        pytest.skip(message)


def _asset_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="(/docs/static/[^"]+)"', html)


def test_page_loads_only_our_files_under_a_strict_csp(client: httpx.Client) -> None:
    _assets_built()
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    csp = {part.strip() for part in page.headers["content-security-policy"].split(";")}
    assert csp >= CSP_PARTS, csp
    assert "unsafe" not in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["cache-control"] == "no-cache"

    html = page.text
    assert "<title>PromptCrafter API</title>" in html
    assert 'data-openapi-url="/openapi.json"' in html
    # No inline script or style, nothing from another origin.
    assert re.findall(r"<script\b[^>]*>", html) == [
        tag for tag in re.findall(r"<script\b[^>]*>", html) if " src=" in tag
    ]
    assert "<style" not in html and "style=" not in html and " on" not in html.lower()
    for url in re.findall(r'(?:src|href)="([^"]*)"', html):
        assert url == "data:," or (url.startswith("/") and not url.startswith("//")), url
    names = {url.split("?")[0].rsplit("/", 1)[1] for url in _asset_urls(html)}
    assert names == {"swagger-ui.css", "swagger-ui-bundle.js", "docs.js"}


def test_assets_have_their_types_and_are_cached_by_version(client: httpx.Client) -> None:
    _assets_built()
    types = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8"}
    raw = sent = 0
    for url in _asset_urls(client.get("/docs").text):
        path = url.split("?")[0]
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert plain.status_code == 200, url
        assert plain.headers["content-type"] == types[Path(path).suffix]
        assert "content-encoding" not in plain.headers
        assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert plain.headers["x-content-type-options"] == "nosniff"
        assert plain.headers["vary"] == "Accept-Encoding"

        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert packed.headers["content-encoding"] == "gzip"
        assert packed.content == plain.content  # httpx decoded it
        assert packed.headers["etag"] != plain.headers["etag"]
        raw += len(plain.content)
        sent += int(packed.headers["content-length"])

        again = client.get(url, headers={"If-None-Match": plain.headers["etag"], **_identity()})
        assert again.status_code == 304 and again.content == b""
        # Without the current version in the URL the browser must ask again each time.
        unversioned = client.get(path, headers=_identity())
        assert unversioned.headers["cache-control"] == "no-cache"
        assert unversioned.content == plain.content
    assert raw <= BUDGET_RAW, f"/docs loads {raw} bytes of JS and CSS"
    assert sent <= BUDGET_SENT, f"/docs sends {sent} bytes of JS and CSS (gzip)"


def _identity() -> dict[str, str]:
    return {"Accept-Encoding": "identity"}


@pytest.mark.parametrize(
    "path",
    [
        "/docs/static/index.html",
        "/docs/static/swagger-ui-bundle.js.map",
        "/docs/static/LICENSE",
        "/docs/static/..%2Fdocs.py",
        "/docs/static/vendor/swagger-ui-dist/swagger-ui.css",
        "/docs/",
    ],
)
def test_nothing_else_is_served_there(client: httpx.Client, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json() == NO_SUCH_PATH


@pytest.fixture(scope="module")
def docs_off(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    directory = tmp_path_factory.mktemp("docs-off")
    env = {"PROMPTCRAFTER_DOCS_ENABLED": "false"}
    with (
        fresh_database("sqlite", directory) as url,
        ServerProcess(url, directory, env=env) as server,
    ):
        yield server


def test_switched_off_docs_answer_404_in_the_error_format(docs_off: ServerProcess) -> None:
    with httpx.Client(base_url=docs_off.base_url, timeout=30) as client:
        for path in ("/docs", "/docs/static/docs.js", "/docs/static/swagger-ui-bundle.js"):
            response = client.get(path)
            assert response.status_code == 404, path
            assert response.json() == NO_SUCH_PATH
            assert "content-security-policy" not in response.headers


def test_unbuilt_assets_give_a_page_that_says_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = {name: (tmp_path / name, kind) for name, (_, kind) in docs.SOURCES.items()}
    monkeypatch.setattr(docs, "SOURCES", missing)
    monkeypatch.setattr(docs, "_loaded", None)
    app = FastAPI(title="PromptCrafter API", docs_url=None)
    app.router.routes.extend(docs.router.routes)

    async def visit() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://docs.test") as client:
            page = await client.get("/docs")
            assert page.status_code == 404
            assert page.headers["content-type"] == "text/html; charset=utf-8"
            assert "make run" in page.text and 'href="/openapi.json"' in page.text
            assert "script-src 'self'" in page.headers["content-security-policy"]
            assert (await client.get("/docs/static/docs.js")).json() == NO_SUCH_PATH

            # Built while the server runs: the next request finds them, no restart needed.
            for path, _ in missing.values():
                path.write_bytes(b"/* built */")
            assert (await client.get("/docs")).status_code == 200
            asset = await client.get("/docs/static/docs.js", headers=_identity())
            assert asset.content == b"/* built */"

    # In-process, on an app with only these routes: no database, no build step.
    asyncio.run(visit())


def test_compressed_copies_decompress_to_the_files() -> None:
    _assets_built()
    assets = docs._read_all()
    assert assets is not None
    for name, (path, _) in docs.SOURCES.items():
        assert gzip.decompress(assets[name].gzipped) == path.read_bytes(), name


@pytest.mark.parametrize(
    ("header", "gzipped"),
    [
        ("gzip, deflate, br, zstd", True),
        ("br;q=1.0, GZIP;q=0.5", True),
        ("gzip;q=0", False),
        ("gzip; q=0.000", False),
        ("identity", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_gzip_only_when_the_client_takes_it(header: str, gzipped: bool) -> None:
    scope = {"type": "http", "headers": [(b"accept-encoding", header.encode())]}
    assert docs._accepts_gzip(Request(scope)) is gzipped

"""/docs in a real browser: Swagger UI drawn from our own files, offline, under its CSP."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import ConsoleMessage, Page, Request, expect

from tests.support.server import ServerProcess
from tests.ui.browser.axe import axe_violations
from tests.ui.browser.support import shot


def _same_origin(url: str, base: str) -> bool:
    # data: URLs (Swagger UI's icons, our empty favicon) never leave the page.
    if url.startswith("data:"):
        return True
    target, origin = urlsplit(url), urlsplit(base)
    return (target.scheme, target.netloc) == (origin.scheme, origin.netloc)


def test_swagger_ui_renders_from_our_assets_only(page: Page, ui_server: ServerProcess) -> None:
    requests: list[Request] = []
    problems: list[str] = []
    page.on("request", lambda r: requests.append(r))
    page.on("console", lambda m: _note_console(m, problems))
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))

    page.goto("/docs", wait_until="networkidle")

    expect(page.get_by_role("heading", name="PromptCrafter API")).to_be_visible()
    expect(page.get_by_role("link", name="/openapi.json")).to_be_visible()
    # Each operation has a toggle named by its method and path (lower case).
    prompts = page.get_by_role("button", name="get /prompts", exact=True)
    expect(prompts).to_be_visible()
    # Opening an operation draws its parameters (the lazily built part of the UI).
    prompts.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    prompts.click()

    # "Try it out" on /health: the request goes to this origin, which connect-src allows.
    page.get_by_role("button", name="get /health", exact=True).click()
    page.get_by_role("button", name="Try it out").click()
    page.get_by_role("button", name="Execute").click()
    answer = page.get_by_role("code").filter(has_text='"status": "ok"')
    expect(answer.first).to_be_visible()
    shot(page, "api-docs")

    urls = [r.url for r in requests]
    assert any("/docs/static/swagger-ui-bundle.js" in u for u in urls), urls
    assert any(u.endswith("/openapi.json") for u in urls), urls
    foreign = [u for u in urls if not _same_origin(u, ui_server.base_url)]
    assert not foreign, f"/docs reached another origin: {foreign}"
    assert not problems, "\n".join(problems)


def _note_console(message: ConsoleMessage, problems: list[str]) -> None:
    # Any console error counts: a CSP refusal, a failed load, an exception.
    if message.type == "error":
        problems.append(f"console error: {message.text}")


def test_axe_runs_under_the_pages_csp(page: Page) -> None:
    # The harness's own check: axe must load where inline script is refused. /docs is
    # third-party markup, so its findings are not asserted here, only that there are some
    # answers of the expected shape and that loading axe broke no rule of the CSP.
    problems: list[str] = []
    page.on("console", lambda m: _note_console(m, problems))
    page.goto("/docs")
    expect(page.get_by_role("heading", name="PromptCrafter API")).to_be_visible()
    violations = axe_violations(page, include="#swagger-ui")
    assert isinstance(violations, list)
    assert all({"id", "impact", "help", "nodes"} <= set(v) for v in violations)
    assert page.evaluate("() => typeof window.axe.run") == "function"
    assert not problems, "\n".join(problems)


def test_without_javascript_docs_point_to_the_openapi_document(js_disabled_page: Page) -> None:
    js_disabled_page.goto("/docs")
    link = js_disabled_page.get_by_role("link", name="/openapi.json")
    expect(link).to_be_visible()
    link.click()
    expect(js_disabled_page).to_have_url(re.compile(r"/openapi\.json$"))

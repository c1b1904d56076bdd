"""Accessibility scans with axe-core, from frontend/node_modules (installed by `make test`).

The script is handed to the page through Playwright's evaluate, which the DevTools protocol
runs outside the page's Content-Security-Policy: a <script> tag with it inline would be
refused by our CSP, as it should be.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from playwright.sync_api import Page

from tests.ui.browser.support import AXE_JS, missing

# The WCAG 2.1 A and AA rules, plus axe's best practices (landmarks, one main heading...).
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = frozenset({"serious", "critical"})

_RUN = """async ({ include, tags }) => {
  const result = await window.axe.run(include ? { include: [include] } : document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 200) })),
  }));
}"""


@cache
def _axe_source() -> str:
    if not AXE_JS.is_file():
        missing(f"axe-core is not installed ({AXE_JS} is missing)")
    return AXE_JS.read_text()


def axe_violations(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """axe's violations on the page as it is now (optionally only inside the CSS selector
    ``include``), every impact."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(_axe_source())
    violations: list[dict[str, Any]] = page.evaluate(_RUN, {"include": include, "tags": TAGS})
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        lines.extend(f"    {node['target']}: {node['html']}" for node in v["nodes"][:5])
    return "\n".join(lines)


def assert_accessible(page: Page, include: str | None = None) -> list[dict[str, Any]]:
    """Fail on any serious or critical violation; return the milder ones (for a report)."""
    violations = axe_violations(page, include)
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    assert not failing, f"axe found serious or critical problems on {page.url}:\n" + describe(
        failing
    )
    return [v for v in violations if v["impact"] not in FAILING_IMPACTS]

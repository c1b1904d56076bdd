"""The diff page folds long unchanged runs and shows at most MAX_ROWS rows, and a pair of
texts that would make matching quadratic is answered (review of 2026-12-07: such a pair took
40 s and a 20 MB page, and every other request waited), through the real server; the API's
diff of the same pair is whole."""

from __future__ import annotations

import random

import pytest

from promptcrafter.ui.versions_pages import MAX_ROWS
from tests.support.browser import UiClient
from tests.ui.prompt_support import Owner, assert_html, owner_of, page_url


@pytest.fixture
def owner(ui_browser: UiClient) -> Owner:
    return owner_of(ui_browser)


def test_unchanged_runs_fold_around_a_change(owner: Owner) -> None:
    lines = [f"Line number {n}" for n in range(1, 41)]
    prompt = owner.create(content="\n".join(lines))
    lines[19] = "Line twenty, rewritten"
    owner.patch(prompt["_id"], content="\n".join(lines))
    page = assert_html(owner.ui.get(page_url(prompt["_id"], "/diff?a=1&b=2")), 200)
    assert "⋯ 16 unchanged lines" in page  # lines 1-16, before the three kept as context
    assert "⋯ 17 unchanged lines" in page  # lines 24-40, after the three kept
    for kept in ("Line number 17", "Line number 19", "Line number 21", "Line number 23"):
        assert kept in page
    for folded in ("Line number 16<", "Line number 24<", "Line number 40<"):
        assert folded not in page
    assert "rewritten" in page and "more follow" not in page
    assert "\n Line number 1\n" not in page  # the unified text has its own 3 lines of context


def _values(seed: int) -> str:
    rng = random.Random(seed)
    return "\n".join(f"{rng.randint(0, 100):03d}" for _ in range(49_999))


def test_a_text_rewritten_whole_is_answered_in_bounded_rows(owner: Owner) -> None:
    before, after = _values(1), _values(2)
    prompt = owner.create(content=before)
    owner.patch(prompt["_id"], content=after)
    answer = owner.ui.get(page_url(prompt["_id"], "/diff?a=1&b=2"))
    page = assert_html(answer, 200)
    assert page.count('<tr class="line-') <= MAX_ROWS + 1
    assert f"The first {MAX_ROWS:,} rows are shown;" in page
    assert len(answer.content) < 3_000_000  # 20 MB before
    api = owner.api(f"/prompts/{prompt['_id']}/diff?from=1&to=2")
    assert api.status_code == 200
    lines = api.json()["content"]["lines"]
    assert [x["text"] for x in lines if x["op"] != "insert"] == before.splitlines()
    assert [x["text"] for x in lines if x["op"] != "delete"] == after.splitlines()

"""The prompt page's history: the Versions table, one version, the diff, restore, and labels
(set, move, delete, history), through the real server on both engines; each change is read
back through the JSON API."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from tests.support.browser import UiClient
from tests.ui.prompt_support import Owner, assert_html, owner_of, page_url, text_of

MALFORMED = "The request is malformed or contains invalid parameters."
NO_VERSION = "No such version of this prompt."
NO_LABEL = "No such label on this prompt."
RESERVED = 'The label "latest" is reserved.'
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def owner(ui_browser: UiClient) -> Owner:
    return owner_of(ui_browser)


def _with_versions(owner: Owner) -> str:
    prompt = owner.create(title="Summariser", content="Summarise {{ text }} briefly.\nThanks.")
    owner.patch(
        prompt["_id"],
        title="Summariser v2",
        content="Summarise {{ text }} in three bullets.\nThanks.\nBe kind.",
        tags=["short"],
        commitMessage="Bullets",
    )
    return str(prompt["_id"])


def _rows(page: str) -> list[str]:
    versions = page.split('id="versions-heading"')[1].split("</tbody>")[0]
    return [text_of(row) for row in versions.split("<tr>")[2:]]


def test_the_versions_table_lists_every_version_newest_first(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    owner.http.put(f"/prompts/{prompt_id}/labels/prod", json={"version": 1}, headers=owner.headers)
    page = assert_html(owner.ui.get(page_url(prompt_id)), 200)
    rows = _rows(page)
    assert len(rows) == 2
    assert rows[0].startswith("2 (current) Bullets")
    assert rows[1].startswith("1 none prod")
    # Restore is offered for the older version only; its form carries the page's version.
    assert page.count(">Restore</button>") == 1
    assert f'action="/ui/prompts/{prompt_id}/versions/1/restore"' in page
    assert 'aria-labelledby="compare-versions-heading"' in page
    assert '<label for="compare-a">Version A</label>' in page
    assert '<option value="1" selected>1</option>' in page
    assert '<option value="2" selected>2 (current)</option>' in page


def test_a_long_history_is_paged(owner: Owner) -> None:
    prompt = owner.create(content="v1")
    for number in range(2, 26):
        owner.patch(prompt["_id"], content=f"v{number}")
    page = assert_html(owner.ui.get(page_url(prompt["_id"])), 200)
    assert [row.split()[0] for row in _rows(page)] == [str(n) for n in range(25, 5, -1)]
    older = re.search(r'href="([^"]*versions_before=6[^"]*)"', page)
    assert older is not None
    rest = assert_html(owner.ui.get(older.group(1).replace("&amp;", "&")), 200)
    assert [row.split()[0] for row in _rows(rest)] == ["5", "4", "3", "2", "1"]
    assert "Newest versions" in rest
    bad = owner.ui.get(page_url(prompt["_id"], "?versions_before=x"))
    assert MALFORMED in assert_html(bad, 400)


def test_a_version_page_shows_that_version(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    page = assert_html(owner.ui.get(page_url(prompt_id, "/versions/1")), 200)
    text = text_of(page)
    assert "Summariser · version 1" in text and "Summarise {{ text }} briefly." in text
    assert '<span class="var">{{ text }}</span>' in page
    assert ">Restore</button>" in page
    current = assert_html(owner.ui.get(page_url(prompt_id, "/versions/2")), 200)
    assert "This is the current version." in current and "Bullets" in current
    assert NO_VERSION in assert_html(owner.ui.get(page_url(prompt_id, "/versions/99")), 404)
    for bad in ("0", "x", "-1", "1.5", "99999999999999999999"):
        answer = owner.ui.get(page_url(prompt_id, f"/versions/{bad}"))
        assert answer.status_code in (400, 404), bad
        assert (MALFORMED if bad != "99999999999999999999" else NO_VERSION) in answer.text


def test_compare_shows_line_and_word_changes(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    page = assert_html(owner.ui.get(page_url(prompt_id, "/diff?a=1&b=2")), 200)
    assert "<h1>Version 1 → version 2</h1>" in page
    assert "<del>Summariser</del> → <ins>Summariser v2</ins>" in page
    assert '<ins class="tag">+ short</ins>' in page
    # The changed line: its old form with the removed word marked, then its new form.
    assert "<del>briefly</del>" in page
    assert "<ins>in three bullets</ins>" in page
    assert re.search(r'<tr class="line-insert">.*?<td class="text"><ins>Be kind.</ins>', page, re.S)
    assert "--- v1\n+++ v2" in page  # the unified text too
    same = assert_html(owner.ui.get(page_url(prompt_id, "/diff?a=2&b=latest")), 200)
    assert "The content is the same in both versions." in same


def test_compare_refuses_bad_versions_beside_the_field(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    bad = assert_html(owner.ui.get(page_url(prompt_id, "/diff?a=X&b=2")), 400)
    assert f'<p class="error" id="compare-a-error">{MALFORMED}</p>' in bad
    assert "compare-b-error" not in bad
    missing = owner.ui.get(page_url(prompt_id, "/diff?b=2"))
    assert "compare-a-error" in assert_html(missing, 400)
    assert NO_VERSION in assert_html(owner.ui.get(page_url(prompt_id, "/diff?a=1&b=9")), 404)
    assert NO_LABEL in assert_html(owner.ui.get(page_url(prompt_id, "/diff?a=prod&b=1")), 404)


def test_restore_makes_a_new_version_from_an_old_one(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    page = page_url(prompt_id)
    answer = owner.post(page_url(prompt_id, "/versions/1/restore"), {"version": "2"}, page)
    assert answer.status_code == 303
    assert answer.headers["location"] == page_url(prompt_id, "?notice=restored#versions")
    stored = owner.prompt(prompt_id)
    first = owner.api(f"/prompts/{prompt_id}/versions/1").json()
    assert stored["version"] == 3
    assert (stored["title"], stored["content"], stored["tags"]) == (
        first["title"],
        first["content"],
        first["tags"],
    )
    newest = owner.api(f"/prompts/{prompt_id}/versions/3").json()
    assert newest["commitMessage"] == "Restored version 1"
    shown = assert_html(owner.ui.get(answer.headers["location"]), 200)
    assert "Version restored as a new version." in shown and _rows(shown)[0].startswith("3")
    # A restore sent from a page older than the prompt is refused; nothing changes.
    stale = owner.post(page_url(prompt_id, "/versions/2/restore"), {"version": "2"}, page)
    assert "If-Match" in assert_html(stale, 412)
    # So is one that does not say which version its page showed.
    blind = owner.post(page_url(prompt_id, "/versions/1/restore"), {}, page)
    assert_html(blind, 412)
    assert owner.prompt(prompt_id)["version"] == 3
    # Restoring what is already current makes no version.
    same = owner.post(page_url(prompt_id, "/versions/3/restore"), {"version": "3"}, page)
    assert same.headers["location"].endswith("?notice=unchanged#versions")
    assert owner.prompt(prompt_id)["version"] == 3
    missing = owner.post(page_url(prompt_id, "/versions/7/restore"), {"version": "3"}, page)
    assert NO_VERSION in assert_html(missing, 404)
    assert owner.post(page_url(prompt_id, "/versions/x/restore"), {}, page).status_code == 400


def test_restore_needs_the_csrf_token(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    answer = owner.http.post(
        page_url(prompt_id, "/versions/1/restore"),
        data={"version": "2"},
        headers={"Origin": owner.ui.origin},
    )
    assert answer.status_code == 403
    assert owner.prompt(prompt_id)["version"] == 2


def test_set_move_and_delete_a_label_with_its_history(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    page = page_url(prompt_id)
    shown = assert_html(owner.ui.get(page), 200)
    assert 'aria-labelledby="set-label-heading"' in shown and ">Set label</button>" in shown
    assert '<label for="label-name">Label</label>' in shown
    assert '<label for="label-version">Version</label>' in shown
    made = owner.post(page_url(prompt_id, "/labels"), {"label": "prod", "version": "1"}, page)
    assert made.status_code == 303
    assert made.headers["location"] == page_url(prompt_id, "?notice=label-set#labels")
    assert owner.prompt(prompt_id)["labels"] == {"prod": 1}
    owner.post(page_url(prompt_id, "/labels"), {"label": "prod", "version": "2"}, page)
    assert owner.prompt(prompt_id)["labels"] == {"prod": 2}
    listed = assert_html(owner.ui.get(page), 200)
    assert "Label set." not in listed and "prod → 2" in text_of(listed)
    assert f'href="/ui/prompts/{prompt_id}/labels/prod/history"' in listed
    # Delete: without the dialog's script, a confirmation page first.
    path = page_url(prompt_id, "/labels/prod/delete")
    asked = owner.post(path, {"confirmed": ""}, page)
    assert asked.status_code == 303 and asked.headers["location"] == path
    confirm = assert_html(owner.ui.get(path), 200)
    assert "Delete the label prod from Summariser v2?" in text_of(confirm)
    done = owner.post(path, {"confirmed": "yes"}, page)
    assert done.headers["location"] == page_url(prompt_id, "?notice=label-deleted#labels")
    assert owner.prompt(prompt_id)["labels"] == {}
    history = assert_html(owner.ui.get(page_url(prompt_id, "/labels/prod/history")), 200)
    body = history.split("<tbody>")[1].split("</tbody>")[0]
    rows = [text_of(row) for row in body.split("<tr>")[1:]]
    assert [row.split()[2:] for row in rows] == [
        ["2", "(deleted)", "you"],
        ["1", "2", "you"],
        ["(created)", "1", "you"],
    ]
    assert "It is deleted now" in history
    again = owner.post(path, {"confirmed": "yes"}, page)
    assert NO_LABEL in assert_html(again, 404)
    assert NO_LABEL in assert_html(owner.ui.get(path), 404)


def test_bad_labels_are_refused_beside_the_field(owner: Owner) -> None:
    prompt_id = _with_versions(owner)
    page, path = page_url(prompt_id), page_url(prompt_id, "/labels")
    for name, sentence in (("Prod", MALFORMED), ("", MALFORMED), ("latest", RESERVED)):
        answer = owner.post(path, {"label": name, "version": "1"}, page)
        body = assert_html(answer, 400)
        assert f'<p class="error" id="label-name-error">{escape(sentence)}</p>' in body, name
    bad_version = owner.post(path, {"label": "prod", "version": "one"}, page)
    assert 'id="label-version-error"' in assert_html(bad_version, 400)
    missing = owner.post(path, {"label": "prod", "version": "9"}, page)
    assert f'id="label-version-error">{NO_VERSION}' in assert_html(missing, 404)
    assert owner.prompt(prompt_id)["labels"] == {}
    for rest, status, sentence in (
        ("/labels/latest/history", 400, RESERVED),
        ("/labels/Nope/history", 400, MALFORMED),
        ("/labels/never/history", 404, NO_LABEL),
        ("/labels/latest/delete", 400, RESERVED),
    ):
        shown = assert_html(owner.ui.get(page_url(prompt_id, rest)), status)
        assert sentence in text_of(shown), rest
    unsafe = owner.http.post(
        path, data={"label": "prod", "version": "1"}, headers={"Origin": owner.ui.origin}
    )
    assert unsafe.status_code == 403


def test_user_text_in_the_history_is_escaped(owner: Owner) -> None:
    prompt = owner.create(title=SCRIPT, content=f"{SCRIPT}\nend", commitMessage=SCRIPT)
    owner.patch(prompt["_id"], content=f"{SCRIPT} {SCRIPT}\nend", commitMessage=SCRIPT)
    owner.http.put(f"/prompts/{prompt['_id']}/labels/a", json={"version": 1}, headers=owner.headers)
    for rest in ("", "/versions/1", "/diff?a=1&b=2", "/labels/a/history", "/labels/a/delete"):
        body = assert_html(owner.ui.get(page_url(prompt["_id"], rest)), 200)
        assert SCRIPT not in body and "&lt;script&gt;" in body, rest

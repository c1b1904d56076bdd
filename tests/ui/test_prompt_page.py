"""The prompt page, its edit form and deleting a prompt, through the real server on both
engines; what each change stored is read back through the JSON API."""

from __future__ import annotations

import pytest

from tests.support.browser import UiClient, ui_client
from tests.support.server import ServerProcess
from tests.ui.prompt_support import Owner, assert_html, owner_of, page_url, text_of

SCRIPT = "<script>alert(1)</script>"
STALE = "The prompt was changed since you read it (If-Match does not match its ETag)."


@pytest.fixture
def owner(ui_browser: UiClient) -> Owner:
    return owner_of(ui_browser)


def test_the_page_shows_the_prompt_with_its_variables_highlighted(owner: Owner) -> None:
    prompt = owner.create(
        title="Greeting", content="Hi {{ name }}, see \\{{ x }} and {{name}}", tags=["a", "b"]
    )
    owner.http.put(
        f"/prompts/{prompt['_id']}/labels/prod", json={"version": 1}, headers=owner.headers
    )
    page = assert_html(owner.ui.get(page_url(prompt["_id"])), 200)
    assert "<h1>Greeting</h1>" in page
    assert '<span class="var">{{ name }}</span>' in page
    assert '<span class="var">{{name}}</span>' in page
    assert "\\{{ x }}" in page  # an escaped placeholder is plain text
    text = text_of(page)
    for shown in ("Model gpt-4", "Version 1", "prod → 1", "Versions", "Labels"):
        assert shown in text
    assert '<span class="tag">a</span><span class="tag">b</span>' in page


def test_a_script_in_title_and_content_is_shown_as_text(owner: Owner) -> None:
    prompt = owner.create(title=SCRIPT, content=SCRIPT, tags=[SCRIPT], commitMessage=SCRIPT)
    for rest in ("", "/edit", "/delete", "/versions/1", "/diff?a=1&b=1"):
        page = assert_html(owner.ui.get(page_url(prompt["_id"], rest)), 200)
        assert SCRIPT not in page, rest
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, rest


def test_someone_elses_unknown_and_malformed_prompts(
    owner: Owner, live_server: ServerProcess
) -> None:
    stranger = ui_client(live_server.base_url)
    with stranger.client:
        other = owner_of(stranger.sign_up("Eve"))
        theirs = other.create()["_id"]
        for rest in ("", "/edit", "/delete", "/versions/1", "/diff?a=1&b=1"):
            mine = owner.ui.get(page_url(theirs, rest))
            assert "You do not have permission to access this resource." in assert_html(mine, 403)
            missing = owner.ui.get(page_url("prompt3", rest))
            assert "No prompt found with the specified ID." in assert_html(missing, 404)
            bad = owner.ui.get(page_url("not-a-prompt", rest))
            assert "The prompt ID format is invalid." in assert_html(bad, 400)
        # Writes too, and nothing changes.
        answer = owner.post(page_url(theirs, "/edit"), _form(other.prompt(theirs)), "/ui/")
        assert answer.status_code == 403
        answer = owner.post(page_url(theirs, "/delete"), {"confirmed": "yes"}, "/ui/")
        assert answer.status_code == 403
        assert other.prompt(theirs)["version"] == 1


def _form(prompt: dict[str, object], **changes: str) -> dict[str, object]:
    tags = prompt["tags"]
    assert isinstance(tags, list)
    form: dict[str, object] = {
        "title": prompt["title"],
        "content": prompt["content"],
        "model": prompt["model"],
        "tags": ", ".join(tags),
        "commitMessage": "",
        "version": prompt["version"],
    }
    form.update(changes)
    return form


def test_edit_page_shows_the_form_filled_in(owner: Owner) -> None:
    prompt = owner.create(content="\nstarts with a line break", tags=["x", "y"])
    page = assert_html(owner.ui.get(page_url(prompt["_id"], "/edit")), 200)
    assert 'aria-labelledby="edit-heading"' in page and ">Edit prompt</h2>" in page
    assert 'value="x, y"' in page and 'name="version" value="1"' in page
    # The parser eats one newline after <textarea>: the page gives it one to eat.
    assert ">\n\nstarts with a line break</textarea>" in page
    for label in ("Title", "Content", "Model", "Tags", "Commit message"):
        assert f">{label}</label>" in page
    assert ">Save</button>" in page


def test_saving_changed_fields_makes_a_version(owner: Owner) -> None:
    prompt = owner.create(tags=["a"])
    page = page_url(prompt["_id"], "/edit")
    form = _form(prompt, title="A new title", tags="b, a, ,c", commitMessage="Sharper")
    answer = owner.post(page, form, page)
    assert answer.status_code == 303
    assert answer.headers["location"] == page_url(prompt["_id"], "?notice=saved")
    stored = owner.prompt(prompt["_id"])
    assert stored["version"] == 2 and stored["title"] == "A new title"
    assert stored["tags"] == ["b", "a", "c"] and stored["content"] == prompt["content"]
    [newest, _] = owner.api(f"/prompts/{prompt['_id']}/versions").json()
    assert newest["commitMessage"] == "Sharper"
    shown = owner.ui.get(answer.headers["location"])
    assert "Saved." in assert_html(shown, 200)


def test_saving_the_same_values_changes_nothing(owner: Owner) -> None:
    prompt = owner.create(content="line one\nline two")
    page = page_url(prompt["_id"], "/edit")
    # Browsers send a textarea's line breaks as CRLF.
    form = _form(prompt, content="line one\r\nline two", commitMessage="no-op")
    answer = owner.post(page, form, page)
    assert answer.headers["location"] == page_url(prompt["_id"], "?notice=unchanged")
    assert owner.prompt(prompt["_id"])["version"] == 1
    # Line breaks and tags written through the API survive an edit of another field.
    odd = owner.create(content="a\r\nb\rc", tags=["x,y", " z"])
    edit = page_url(odd["_id"], "/edit")
    owner.post(edit, _form(odd, content="a\r\nb\r\nc", title="Only the title"), edit)
    stored = owner.prompt(odd["_id"])
    assert (stored["version"], stored["content"], stored["tags"]) == (
        2,
        odd["content"],
        odd["tags"],
    )
    # A real change of content is stored with LF line breaks.
    owner.post(page, _form(prompt, content="line one\r\nline 2"), page)
    assert owner.prompt(prompt["_id"])["content"] == "line one\nline 2"


def test_a_stale_edit_shows_the_412_sentence_and_keeps_the_text(owner: Owner) -> None:
    prompt = owner.create()
    owner.patch(prompt["_id"], title="Changed elsewhere")
    page = page_url(prompt["_id"], "/edit")
    answer = owner.post(page, _form(prompt, content="My careful rewrite"), page)
    body = assert_html(answer, 412)
    assert STALE in body and "My careful rewrite" in body
    assert 'name="version" value="2"' in body  # a second Save is made knowingly
    stored = owner.prompt(prompt["_id"])
    assert stored["version"] == 2 and stored["content"] == prompt["content"]
    # Also when nothing would change, as If-Match is.
    assert owner.post(page, _form(prompt), page).status_code == 412
    assert owner.post(page, _form(prompt, version="x"), page).status_code == 412


def test_invalid_fields_are_named_beside_the_field(owner: Owner) -> None:
    prompt = owner.create()
    page = page_url(prompt["_id"], "/edit")
    answer = owner.post(page, _form(prompt, title="ab", model=" "), page)
    body = assert_html(answer, 400)
    assert '<p class="error" id="edit-title-error">Submitted data is invalid.</p>' in body
    assert 'id="edit-model-error"' in body and 'value="ab"' in body
    too_long = owner.post(page, _form(prompt, content="x", commitMessage="m" * 501), page)
    assert 'id="edit-commit-error"' in assert_html(too_long, 400)
    assert owner.prompt(prompt["_id"])["version"] == 1


def test_edits_need_the_csrf_token_and_our_origin(owner: Owner) -> None:
    prompt = owner.create()
    path = page_url(prompt["_id"], "/edit")
    form = {key: str(value) for key, value in _form(prompt, title="Forged title").items()}
    no_token = owner.http.post(path, data=form, headers={"Origin": owner.ui.origin})
    assert no_token.status_code == 403
    token = owner.ui.get(path).text.split('name="csrf" value="')[1].split('"')[0]
    elsewhere = owner.http.post(
        path, data={**form, "csrf": token}, headers={"Origin": "https://evil.example"}
    )
    assert elsewhere.status_code == 403
    deleted = owner.http.post(
        page_url(prompt["_id"], "/delete"),
        data={"confirmed": "yes"},
        headers={"Origin": owner.ui.origin},
    )
    assert deleted.status_code == 403
    assert owner.prompt(prompt["_id"])["title"] == prompt["title"]


def test_delete_asks_first_then_deletes_the_prompt(owner: Owner) -> None:
    prompt = owner.create(title="Doomed prompt")
    page = page_url(prompt["_id"])
    shown = assert_html(owner.ui.get(page), 200)
    assert 'data-confirm="Delete this prompt' in shown and 'aria-label="Delete prompt"' in shown
    # Without the dialog's script, the button leads to a confirmation page.
    unconfirmed = owner.post(page_url(prompt["_id"], "/delete"), {"confirmed": ""}, page)
    assert unconfirmed.status_code == 303
    assert unconfirmed.headers["location"] == page_url(prompt["_id"], "/delete")
    assert owner.prompt(prompt["_id"])["title"] == "Doomed prompt"
    confirm = assert_html(owner.ui.get(page_url(prompt["_id"], "/delete")), 200)
    assert "Delete the prompt Doomed prompt?" in confirm and ">Delete</button>" in confirm
    done = owner.post(page_url(prompt["_id"], "/delete"), {"confirmed": "yes"}, page)
    assert done.status_code == 303 and done.headers["location"] == "/ui/?notice=deleted"
    assert owner.api(f"/prompts/{prompt['_id']}").status_code == 404
    gone = owner.ui.get(page)
    assert "No prompt found with the specified ID." in assert_html(gone, 404)

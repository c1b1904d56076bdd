"""What a review of the UI found on 2026-12-07, through the real server on both engines:
one-line fields rewritten by an edit of another field, large non-ASCII prompts refused as JSON,
multi-line render values, leading line breaks dropped, JSON errors for odd methods under /ui,
and a second tab's logout refused."""

from __future__ import annotations

import html as html_lib

import httpx

from tests.support.browser import FORM, ui_client
from tests.support.server import ServerProcess
from tests.ui import results_support
from tests.ui.results_support import Setup, section

setup = results_support.setup


def _edit_form(prompt: dict[str, object], **changes: str) -> dict[str, object]:
    """The edit form as a browser sends it: one-line fields lose their CR and LF."""
    tags = prompt["tags"]
    assert isinstance(tags, list)

    def one_line(text: object) -> str:
        return str(text).replace("\r", "").replace("\n", "")

    form: dict[str, object] = {
        "title": one_line(prompt["title"]),
        "content": prompt["content"],
        "model": one_line(prompt["model"]),
        "tags": one_line(", ".join(tags)),
        "commitMessage": "",
        "version": prompt["version"],
    }
    return form | changes


def test_an_edit_keeps_line_breaks_in_fields_it_did_not_change(setup: Setup) -> None:
    prompt = setup.prompt(title="Line one\nline two", model="gpt\r4", tags=["a\nb"])
    page = f"/ui/prompts/{prompt['_id']}/edit"
    answer = setup.post(page, _edit_form(prompt, content="New content"))
    assert answer.status_code == 303, answer.text
    stored = setup.api.get(f"/prompts/{prompt['_id']}", headers=setup.headers).json()
    assert stored["content"] == "New content" and stored["version"] == 2
    assert (stored["title"], stored["model"], stored["tags"]) == (
        "Line one\nline two",
        "gpt\r4",
        ["a\nb"],
    )
    # A field the user did change is saved as typed.
    again = setup.post(page, _edit_form(stored, title="A plain title"))
    assert again.status_code == 303
    changed = setup.api.get(f"/prompts/{prompt['_id']}", headers=setup.headers).json()
    assert changed["title"] == "A plain title" and changed["model"] == "gpt\r4"


def test_a_large_cjk_prompt_can_be_edited_in_the_browser(setup: Setup) -> None:
    content = "漢字" * 60_000  # 120,000 characters: 1,080,000 bytes as a form
    prompt = setup.prompt(content=content)
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/edit", _edit_form(prompt, title="Retitled in the UI")
    )
    assert answer.status_code == 303, answer.text[:200]
    stored = setup.api.get(f"/prompts/{prompt['_id']}", headers=setup.headers).json()
    assert stored["title"] == "Retitled in the UI" and stored["content"] == content


def test_a_form_over_its_limit_is_a_page(live_server: ServerProcess) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        answer = client.post(
            "/ui/login", content=b"x=" + b"a" * (8 * 1024 * 1024), headers={"Content-Type": FORM}
        )
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "The form is larger than 8 MiB." in answer.text


def test_render_values_may_span_lines(setup: Setup) -> None:
    prompt = setup.prompt(content="Summarise:\n{{ document }}")
    page = setup.page(prompt["_id"]).text
    render = section(page, "render")
    assert '<textarea id="render-var-document" name="var.document"' in render
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/render",
        {"ref": "1", "var.document": "Paragraph one.\r\n\r\nParagraph two."},
    )
    assert answer.status_code == 200, answer.text
    # The parser drops the line break written after <pre>; the value's own are all kept.
    assert '<pre id="rendered-text" class="rendered">\nSummarise:\nParagraph one.\n\n' in (
        answer.text
    )


def test_a_leading_line_break_survives_pre_and_a_form_shown_again(setup: Setup) -> None:
    prompt = setup.prompt()
    log = setup.log(prompt["_id"], output="\n\nindented answer")
    shown = setup.browser.get(f"/ui/logs/{log['_id']}").text
    assert 'aria-labelledby="log-output-heading">\n\n\nindented answer</pre>' in shown
    refused = setup.post(
        f"/ui/prompts/{prompt['_id']}/logs",
        {"output": "\nfirst line after a blank line", "score": "11", "model": "m", "notes": ""},
    )
    assert refused.status_code == 400
    escaped = html_lib.escape("\nfirst line after a blank line", quote=False)
    assert f">\n{escaped}</textarea>" in refused.text


def test_other_methods_and_missing_files_under_ui_are_pages(live_server: ServerProcess) -> None:
    with httpx.Client(base_url=live_server.base_url, timeout=30) as client:
        for method, path, allow in (
            ("DELETE", "/ui/login", "GET, HEAD, POST"),
            ("PUT", "/ui/login", "GET, HEAD, POST"),
            ("OPTIONS", "/ui/signup", "GET, HEAD, POST"),
            ("PATCH", "/ui/", "GET, HEAD"),
            ("DELETE", "/ui/prompts/prompt1", "GET, HEAD"),
            ("PUT", "/ui/static/app.css", "GET, HEAD"),
        ):
            answer = client.request(method, path)
            assert answer.status_code == 405, (method, path)
            assert answer.headers["content-type"].startswith("text/html"), (method, path)
            assert answer.headers["allow"] == allow, (method, path)
            assert "This page cannot be sent that way." in answer.text
        for path in ("/ui/static/missing.css", "/ui/static/", "/ui/static/%00"):
            answer = client.get(path)
            assert answer.status_code in (400, 404), path
            assert answer.headers["content-type"].startswith("text/html"), path
        # The API keeps its JSON answers.
        api = client.put("/prompts/prompt1")
        assert api.status_code == 405 and api.headers["content-type"] == "application/json"


def test_logging_out_in_a_second_tab_lands_on_the_login_page(
    live_server: ServerProcess,
) -> None:
    browser = ui_client(live_server.base_url).sign_up()
    try:
        page = browser.client.get("/ui/").text  # both tabs show this page and its form
        token = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        first = browser.form_post("/ui/logout", {})
        assert first.status_code == 303
        second = browser.client.post(
            "/ui/logout",
            content=f"csrf={token}",
            headers={"Origin": browser.origin, "Content-Type": FORM},
        )
        assert second.status_code == 303
        assert second.headers["location"] == "/ui/login?notice=logged-out"
        assert browser.client.get("/ui/").status_code == 303  # still logged out
    finally:
        browser.client.close()

"""The prompt page's results sections through the real server on both engines: render, logs
(add, filter, page, delete, a log's page), scores and compare, snippets. Every change made
through a form is checked through the JSON API."""

from __future__ import annotations

import html as html_lib
import re
from urllib.parse import parse_qs, urlsplit

from tests.support.browser import FORM
from tests.support.server import ServerProcess
from tests.ui import results_support
from tests.ui.results_support import Setup, log_ids, next_url, section

XSS = "<script>alert(1)</script>"


setup = results_support.setup
stranger = results_support.stranger


def test_prompt_page_has_every_results_section(setup: Setup) -> None:
    prompt = setup.prompt()
    answer = setup.page(prompt["_id"])
    assert answer.status_code == 200, answer.text
    page = answer.text
    for heading in ("Render", "Logs", "Scores", "Use this prompt"):
        assert f">{heading}</h2>" in page
    render = section(page, "render")
    # One field per variable, labelled exactly with its name.
    assert '<label for="render-var-name">name</label>' in render
    assert '<label for="render-var-place">place</label>' in render
    assert ">Render</button>" in render
    logs = section(page, "logs")
    for label in ("Output", "Score", "Notes", "Model", "Version"):
        assert f">{label}</label>" in logs
    assert ">Add log</button>" in logs and "No logs yet" in logs
    assert 'aria-labelledby="logs-filter-heading"' in logs
    assert "Compare scores" in section(page, "scores")


def test_render_fills_the_variables_and_escapes_the_result(setup: Setup) -> None:
    prompt = setup.prompt()
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/render",
        {"ref": "1", "var.name": XSS, "var.place": "Paris & Rome"},
    )
    assert answer.status_code == 200, answer.text
    assert 'id="rendered-text"' in answer.text
    assert f"Hello {html_lib.escape(XSS)}, from Paris &amp; Rome." in answer.text
    assert XSS not in answer.text
    assert 'data-copy="rendered-text"' in answer.text
    # The same text as the API renders.
    api = setup.api.post(
        f"/prompts/{prompt['_id']}/render",
        json={"variables": {"name": XSS, "place": "Paris & Rome"}},
        headers=setup.headers,
    )
    assert html_lib.escape(api.json()["rendered"], quote=False) in answer.text


def test_render_names_missing_variables_in_the_api_sentence(setup: Setup) -> None:
    prompt = setup.prompt()
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/render", {"ref": "1", "var.name": "Ada", "var.place": ""}
    )
    assert answer.status_code == 400
    assert "Missing template variables: place." in answer.text
    # Lenient: the empty one stays as written.
    lenient = setup.post(
        f"/ui/prompts/{prompt['_id']}/render",
        {"ref": "1", "var.name": "Ada", "var.place": "", "lenient": "yes"},
    )
    assert lenient.status_code == 200
    assert "Hello Ada, from {{ place }}." in lenient.text


def test_render_a_chosen_version_or_label(setup: Setup) -> None:
    prompt = setup.prompt()
    setup.edit(prompt["_id"], content="Bye {{ name }}.")
    put = setup.api.put(
        f"/prompts/{prompt['_id']}/labels/prod", json={"version": 1}, headers=setup.headers
    )
    assert put.status_code == 200
    page = setup.page(prompt["_id"]).text
    assert '<option value="prod">' in section(page, "render")
    by_label = setup.post(
        f"/ui/prompts/{prompt['_id']}/render", {"ref": "prod", "var.name": "Ada", "var.place": "X"}
    )
    assert by_label.status_code == 200 and "Hello Ada, from X." in by_label.text
    current = setup.post(f"/ui/prompts/{prompt['_id']}/render", {"ref": "2", "var.name": "Ada"})
    assert current.status_code == 200 and "Bye Ada." in current.text
    missing = setup.post(f"/ui/prompts/{prompt['_id']}/render", {"ref": "9", "var.name": "Ada"})
    assert missing.status_code == 404 and "No such version of this prompt." in missing.text
    bad = setup.post(f"/ui/prompts/{prompt['_id']}/render", {"ref": "Not a ref!"})
    assert bad.status_code == 400


def test_forms_without_csrf_or_origin_change_nothing(setup: Setup) -> None:
    prompt = setup.prompt()
    log = setup.log(prompt["_id"])
    client = setup.browser.client
    origin = {"Origin": setup.browser.origin, "Content-Type": FORM}
    for path, body in (
        (f"/ui/prompts/{prompt['_id']}/logs", "output=x&model=m&version=1"),
        (f"/ui/logs/{log['_id']}/delete", "confirm=yes"),
        (f"/ui/prompts/{prompt['_id']}/render", "ref=1"),
    ):
        assert client.post(path, content=body, headers=origin).status_code == 403
        token = re.search(r'name="csrf" value="([^"]+)"', setup.page(prompt["_id"]).text)
        assert token is not None
        cross = {"Origin": "https://evil.example", "Content-Type": FORM}
        sent = f"csrf={token.group(1)}&{body}"
        assert client.post(path, content=sent, headers=cross).status_code == 403
    assert [item["_id"] for item in setup.logs(prompt["_id"])] == [log["_id"]]


def test_add_log_through_the_form(setup: Setup) -> None:
    prompt = setup.prompt()
    setup.edit(prompt["_id"], content="Second {{ name }}")
    answer = setup.post(
        f"/ui/prompts/{prompt['_id']}/logs",
        {"output": XSS, "score": "7.5", "notes": "tried <b>", "model": "claude", "version": "1"},
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/ui/prompts/{prompt['_id']}?notice=log-added#logs"
    [stored] = setup.logs(prompt["_id"])
    assert stored["output"] == XSS and stored["score"] == 7.5 and stored["notes"] == "tried <b>"
    assert stored["modelUsed"] == "claude" and stored["promptVersion"] == 1
    page = setup.page(prompt["_id"], notice="log-added").text
    assert "Log added." in page
    logs = section(page, "logs")
    assert html_lib.escape(XSS) in logs and XSS not in page
    assert "tried &lt;b&gt;" in logs
    # Empty optional fields are left out: no score, no notes; the version defaults to current.
    plain = setup.post(
        f"/ui/prompts/{prompt['_id']}/logs",
        {"output": "plain", "score": "", "notes": "", "model": "gpt-4o", "version": "2"},
    )
    assert plain.status_code == 303
    newest = setup.logs(prompt["_id"])[-1]
    assert newest["score"] is None and newest["notes"] is None and newest["promptVersion"] == 2


def test_long_outputs_are_cut_with_a_link_to_the_whole_log(setup: Setup) -> None:
    prompt = setup.prompt()
    whole = "a" * 1999 + "<" + "b" * 5000
    log = setup.log(prompt["_id"], output=whole, notes="n" * 1000)
    logs = section(setup.page(prompt["_id"]).text, "logs")
    assert "a" * 1999 + "&lt;" in logs and "b" * 10 not in logs
    assert f'<a href="/ui/logs/{log["_id"]}">Whole output (7000 characters)</a>' in logs
    one = setup.browser.get(f"/ui/logs/{log['_id']}")
    assert one.status_code == 200
    assert "a" * 1999 + "&lt;" + "b" * 5000 in one.text and "n" * 1000 in one.text


def test_logs_page_by_fifty_with_sealed_cursors(setup: Setup) -> None:
    prompt = setup.prompt()
    made = [setup.log(prompt["_id"], output=f"output {i}")["_id"] for i in range(120)]
    seen: list[str] = []
    url: str | None = f"/ui/prompts/{prompt['_id']}"
    sizes = []
    while url is not None:
        page = setup.browser.get(url)
        assert page.status_code == 200
        found = log_ids(section(page.text, "logs"))
        sizes.append(len(found))
        seen += found
        url = next_url(page.text)
    assert sizes == [50, 50, 20]
    assert seen == list(reversed(made))  # newest first, each once
    # A cursor altered, or moved to another filter or prompt, is refused.
    second = next_url(setup.page(prompt["_id"]).text)
    assert second is not None
    cursor = parse_qs(urlsplit(second).query)["log_cursor"][0]
    altered = cursor[:10] + ("A" if cursor[10] != "A" else "B") + cursor[11:]
    for params in (
        {"log_cursor": altered},
        {"log_cursor": cursor, "log_model": "gpt-4o"},
        {"log_cursor": "not a cursor"},
    ):
        answer = setup.page(prompt["_id"], **params)
        assert answer.status_code == 400
        assert "The request is malformed or contains invalid parameters." in answer.text
        assert ">Scores</h2>" in answer.text  # the rest of the page is still there
    other = setup.prompt()
    assert setup.page(other["_id"], log_cursor=cursor).status_code == 400


def test_filter_logs_by_version_model_and_score(setup: Setup) -> None:
    prompt = setup.prompt()
    setup.edit(prompt["_id"], content="v2 {{ name }}")
    a = setup.log(prompt["_id"], promptVersion=1, score=3, modelUsed="alpha")["_id"]
    b = setup.log(prompt["_id"], promptVersion=1, score=8, modelUsed="beta")["_id"]
    c = setup.log(prompt["_id"], promptVersion=2, score=9.5, modelUsed="alpha")["_id"]
    d = setup.log(prompt["_id"], promptVersion=2, modelUsed="beta")["_id"]

    def shown(**params: str) -> list[str]:
        answer = setup.page(prompt["_id"], **params)
        assert answer.status_code == 200, answer.text
        return log_ids(section(answer.text, "logs"))

    assert shown() == [d, c, b, a]
    assert shown(log_version="1") == [b, a]
    assert shown(log_model="alpha") == [c, a]
    assert shown(log_min="8") == [c, b]
    assert shown(log_max="8", log_min="3") == [b, a]
    assert shown(log_version="2", log_model="beta") == [d]
    assert shown(log_version="", log_model="", log_min="", log_max="") == [d, c, b, a]
    assert shown(log_version="3") == []
    for params in ({"log_min": "abc"}, {"log_max": "11"}, {"log_version": "0"}):
        answer = setup.page(prompt["_id"], **params)
        assert answer.status_code == 400
        field = next(iter(params)).replace("log_", "")
        assert f'id="logs-filter-{field}-error">The request is malformed' in answer.text


def test_delete_a_log_after_confirming(setup: Setup) -> None:
    prompt = setup.prompt()
    keep = setup.log(prompt["_id"], output="keep")
    gone = setup.log(prompt["_id"], output="gone")
    # Without the confirmation (no JavaScript): a page that asks, and nothing deleted.
    ask = setup.post(f"/ui/logs/{gone['_id']}/delete", {})
    assert ask.status_code == 200 and "Delete this log?" in ask.text
    assert 'name="confirm" value="yes"' in ask.text
    assert len(setup.logs(prompt["_id"])) == 2
    done = setup.post(f"/ui/logs/{gone['_id']}/delete", {"confirm": "yes"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/ui/prompts/{prompt['_id']}?notice=log-deleted#logs"
    assert [log["_id"] for log in setup.logs(prompt["_id"])] == [keep["_id"]]
    again = setup.post(f"/ui/logs/{gone['_id']}/delete", {"confirm": "yes"})
    assert again.status_code == 404 and "No log found with the specified ID." in again.text


def test_another_users_logs_and_prompts_are_refused(setup: Setup, stranger: Setup) -> None:
    prompt = setup.prompt()
    log = setup.log(prompt["_id"], output="secret output")
    for path in (f"/ui/logs/{log['_id']}",):
        answer = stranger.browser.get(path)
        assert answer.status_code == 403 and "secret output" not in answer.text
    delete = stranger.post(f"/ui/logs/{log['_id']}/delete", {"confirm": "yes"})
    assert delete.status_code == 403
    add = stranger.post(
        f"/ui/prompts/{prompt['_id']}/logs", {"output": "x", "model": "m", "version": "1"}
    )
    assert add.status_code in (403, 404)
    render = stranger.post(f"/ui/prompts/{prompt['_id']}/render", {"ref": "1"})
    assert render.status_code == 403
    assert stranger.page(prompt["_id"]).status_code == 403
    assert [item["_id"] for item in setup.logs(prompt["_id"])] == [log["_id"]]
    assert setup.browser.get("/ui/logs/log0000000000000000000000000").status_code == 404
    assert setup.browser.get("/ui/logs/not-a-log").status_code == 400
    assert setup.post("/ui/prompts/nope/render", {}).status_code == 400


def test_scores_table_chart_and_compare_match_the_api(setup: Setup) -> None:
    prompt = setup.prompt()
    setup.edit(prompt["_id"], content="v2 {{ name }}")
    for score in (2, 3, 3, 4, 5, 4):
        setup.log(prompt["_id"], promptVersion=1, score=score)
    for score in (8, 9, 7, 9, 8, 10):
        setup.log(prompt["_id"], promptVersion=2, score=score)
    setup.log(prompt["_id"], promptVersion=2, modelUsed="other")
    page = setup.page(prompt["_id"]).text
    scores = section(page, "scores")
    stats = setup.api.get(f"/prompts/{prompt['_id']}/stats", headers=setup.headers).json()
    v2 = next(g for g in stats["groups"] if g["promptVersion"] == 2 and g["modelUsed"] == "gpt-4o")
    lo, hi = v2["ci95"]
    assert f"{lo:.2f}".rstrip("0").rstrip(".") + " to " in scores
    assert f"{hi:.2f}".rstrip("0").rstrip(".") in scores
    assert "<svg" in scores and "Score distribution per version" in scores
    assert "<script" not in scores
    # The distribution's counts are in a table too: v2 has one 7, two 8s, two 9s, one 10.
    assert '<th scope="row">v2</th>' + "".join(
        f'<td class="num">{n}</td>' for n in (0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 1, 6)
    ) in scores.replace("\n", "")
    answer = setup.page(prompt["_id"], compare_a="1", compare_b="2", compare_model="")
    assert answer.status_code == 200
    compare = setup.api.get(
        f"/prompts/{prompt['_id']}/compare", params={"a": "1", "b": "2"}, headers=setup.headers
    ).json()
    assert compare["verdict"] == "b is better"
    result = section(answer.text, "scores")
    assert '<p class="verdict">b is better</p>' in result
    assert "verdict: b is better." in result
    assert f"{compare['pValue']:.4f}" in result


def test_compare_refusals_and_not_enough_data(setup: Setup) -> None:
    prompt = setup.prompt()
    setup.log(prompt["_id"], score=5)
    few = setup.page(prompt["_id"], compare_a="1", compare_b="latest")
    assert few.status_code == 200 and '<p class="verdict">not enough data</p>' in few.text
    bad = setup.page(prompt["_id"], compare_a="1", compare_b="no way")
    assert bad.status_code == 400
    assert 'id="compare-scores-b-error">The request is malformed' in bad.text
    unknown = setup.page(prompt["_id"], compare_a="1", compare_b="4")
    assert unknown.status_code == 404
    assert 'id="compare-scores-b-error">No such version of this prompt.' in unknown.text
    label = setup.page(prompt["_id"], compare_a="1", compare_b="prod")
    assert label.status_code == 404 and "No such label on this prompt." in label.text


def test_snippets_for_the_version_shown(setup: Setup, live_server: ServerProcess) -> None:
    prompt = setup.prompt(title=XSS)
    use = section(setup.page(prompt["_id"]).text, "use")
    assert "For version 1." in use
    assert prompt["_id"] in use and live_server.base_url in use
    for snippet in ("snippet-curl", "snippet-python", "snippet-cli"):
        assert f'data-copy="{snippet}"' in use
    assert "PROMPTCRAFTER_API_KEY" in use
    put = setup.api.put(
        f"/prompts/{prompt['_id']}/labels/prod", json={"version": 1}, headers=setup.headers
    )
    assert put.status_code == 200
    labelled = section(setup.page(prompt["_id"], label="prod").text, "use")
    assert "For label prod." in labelled and "label=prod" in labelled


def test_results_pages_load_nothing_from_elsewhere(
    setup: Setup, live_server: ServerProcess
) -> None:
    prompt = setup.prompt()
    log = setup.log(prompt["_id"], score=5)
    pages = [
        setup.page(prompt["_id"]).text,
        setup.browser.get(f"/ui/logs/{log['_id']}").text,
        setup.post(f"/ui/prompts/{prompt['_id']}/render", {"var.name": "a", "var.place": "b"}).text,
    ]
    for page in pages:
        for url in re.findall(r'(?:src|href|action)="([^"]+)"', page):
            # Our own paths, in-page anchors, or data: (the layout's empty favicon).
            assert url.startswith(("/", "#", "data:")), url
        assert " style=" not in page and "<style" not in page
        assert not re.search(r"<script(?![^>]*\bsrc=)", page)
        assert not re.search(r"\son[a-z]+=", page)


def test_render_without_variables_and_too_large_results(setup: Setup) -> None:
    plain = setup.prompt(content="No placeholders {here}.")
    page = section(setup.page(plain["_id"]).text, "render")
    assert "This version has no variables" in page
    answer = setup.post(f"/ui/prompts/{plain['_id']}/render", {"ref": "1"})
    assert answer.status_code == 200 and "No placeholders {here}." in answer.text
    # 40,000 placeholders of a 60-character value: about 2.4 MB, over the 2 MiB limit.
    huge = setup.prompt(content="{{a}}" * 40_000)
    too_big = setup.post(f"/ui/prompts/{huge['_id']}/render", {"ref": "1", "var.a": "x" * 60})
    assert too_big.status_code == 413
    assert "The rendered text would be larger than 2 MiB." in too_big.text


def test_scores_before_any_log(setup: Setup) -> None:
    prompt = setup.prompt()
    scores = section(setup.page(prompt["_id"]).text, "scores")
    assert "No logs yet" in scores and "<svg" not in scores
    # Comparing still answers, in the API's words.
    answer = setup.page(prompt["_id"], compare_a="1", compare_b="1")
    assert answer.status_code == 200
    assert '<p class="verdict">not enough data</p>' in answer.text

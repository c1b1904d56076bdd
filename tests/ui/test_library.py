"""The library page, its live search fragment and the New prompt form, through the real
server on both engines. Data is set up through the JSON API as the page's own user."""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.api import Account, Api
from tests.support.browser import FORM, PASSWORD, UiClient, csrf_of

MALFORMED = "The request is malformed or contains invalid parameters."
MISSING = "Required fields are missing or invalid."
_ROW_LINK = re.compile(r'<td class="library-title"><a href="/ui/prompts/(prompt[0-9a-z]+)">')
_NEXT = re.compile(r'<a href="([^"]+)">Next page</a>')


def account_of(api: Api, browser: UiClient) -> Account:
    """An API token for the user the browser is logged in as."""
    answer = api.client.post("/auth/login", json={"email": browser.email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return Account(token=body["token"], user=body.get("user", {}), email=browser.email)


def row_ids(page: str) -> list[str]:
    return _ROW_LINK.findall(page)


def next_link(page: str) -> str | None:
    found = _NEXT.search(page)
    return None if found is None else html.unescape(found.group(1))


def walk(browser: UiClient, start: str) -> list[str]:
    """Every prompt id a visitor sees by following Next page from ``start``."""
    seen: list[str] = []
    url: str | None = start
    while url is not None:
        answer = browser.get(url)
        assert answer.status_code == 200, answer.text
        seen += row_ids(answer.text)
        url = next_link(answer.text)
    return seen


def main_of(page: str) -> str:
    return page.split("<main", 1)[1]


# The empty state and creating a prompt.


def test_an_empty_library_explains_itself_and_offers_one_new_prompt_button(
    ui_browser: UiClient,
) -> None:
    answer = ui_browser.get("/ui/")
    assert answer.status_code == 200
    page = answer.text
    assert "Your library is empty" in page
    assert page.count(">New prompt</button>") == 1
    assert '<form method="get" action="/ui/prompts/new"' in page
    assert "<table" not in page


def test_new_prompt_form_names_its_fields(ui_browser: UiClient) -> None:
    answer = ui_browser.get("/ui/prompts/new")
    assert answer.status_code == 200
    page = answer.text
    assert '<form method="post" action="/ui/prompts/new" aria-labelledby="new-heading"' in page
    assert '<h1 id="new-heading">New prompt</h1>' in page
    for label in ("Title", "Content", "Model", "Tags", "Commit message"):
        assert f">{label}</label>" in page
    assert "Comma-separated" in page
    assert ">Save</button>" in page
    assert 'name="csrf"' in page


def test_new_prompt_creates_version_one_and_goes_to_its_page(
    ui_browser: UiClient, api: Api
) -> None:
    answer = ui_browser.form_post(
        "/ui/prompts/new",
        {
            "title": "Welcome email",
            "content": "Hello {{ name }},\r\nwelcome aboard.\rBye",
            "model": "gpt-4o",
            "tags": " onboarding, email,, ",
            "commitMessage": "First draft",
        },
        page="/ui/prompts/new",
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/ui/prompts/prompt[0-9a-z]+\?notice=created", location)
    prompt_id = location.split("/")[-1].split("?")[0]
    account = account_of(api, ui_browser)
    stored = api.client.get(f"/prompts/{prompt_id}", headers=account.headers).json()
    assert stored["title"] == "Welcome email"
    assert stored["tags"] == ["onboarding", "email"]
    assert stored["model"] == "gpt-4o" and stored["version"] == 1
    assert stored["variables"] == ["name"]
    assert stored["content"] == "Hello {{ name }},\nwelcome aboard.\nBye"  # as LF, like the API's
    versions = api.client.get(f"/prompts/{prompt_id}/versions", headers=account.headers).json()
    assert [v["commitMessage"] for v in versions] == ["First draft"]
    library = ui_browser.get("/ui/").text
    assert row_ids(library) == [prompt_id]
    assert ">New prompt</button>" in library and "Your library is empty" not in library


def test_new_prompt_errors_sit_beside_their_fields_and_keep_what_was_typed(
    ui_browser: UiClient, api: Api
) -> None:
    answer = ui_browser.form_post(
        "/ui/prompts/new",
        {"title": "ab", "content": "Kept <content>", "model": " ", "tags": "ok, " + "x" * 51},
        page="/ui/prompts/new",
    )
    assert answer.status_code == 400
    page = answer.text
    for field in ("title", "model", "tags"):
        assert f'<p class="error" id="new-{field}-error">{MISSING}</p>' in page
    assert 'id="new-content-error"' not in page
    assert 'value="ab"' in page
    assert "Kept &lt;content&gt;</textarea>" in page
    account = account_of(api, ui_browser)
    assert api.client.get("/prompts", headers=account.headers).json() == []


def test_new_prompt_needs_the_csrf_token_and_our_origin(ui_browser: UiClient, api: Api) -> None:
    token = csrf_of(ui_browser.get("/ui/prompts/new").text)
    fields = {"title": "Sneaky", "content": "x", "model": "m"}
    cases = [
        (fields, {"Origin": ui_browser.origin}),
        ({**fields, "csrf": token}, {"Origin": "https://evil.example"}),
        ({**fields, "csrf": token}, {}),
    ]
    for data, headers in cases:
        answer = ui_browser.client.post(
            "/ui/prompts/new", data=data, headers={**headers, "Content-Type": FORM}
        )
        assert answer.status_code == 403
    account = account_of(api, ui_browser)
    assert api.client.get("/prompts", headers=account.headers).json() == []


def test_anonymous_visitors_are_sent_to_log_in(anonymous: UiClient) -> None:
    for path in ("/ui/", "/ui/search?q=x", "/ui/prompts/new"):
        answer = anonymous.get(path)
        assert answer.status_code == 303
        assert answer.headers["location"].startswith("/ui/login?next=")


# The table.


def test_rows_show_version_labels_tags_log_count_and_mean_score(
    ui_browser: UiClient, api: Api
) -> None:
    account = account_of(api, ui_browser)
    prompt = api.create_prompt(account, title="Summarise", model="claude", tags=["ops", "daily"])
    headers = account.headers
    patched = api.client.patch(f"/prompts/{prompt['_id']}", json={"content": "v2"}, headers=headers)
    assert patched.status_code == 200
    label = api.client.put(
        f"/prompts/{prompt['_id']}/labels/production", json={"version": 1}, headers=headers
    )
    assert label.status_code == 200, label.text
    for score in (6, 8.5, None):
        extra = {} if score is None else {"score": score}
        api.create_log(account, prompt["_id"], **extra)
    bare = api.create_prompt(account, title="No logs yet")
    page = ui_browser.get("/ui/").text
    assert row_ids(page) == [bare["_id"], prompt["_id"]]  # most recently updated first
    row = page.split(f'/ui/prompts/{prompt["_id"]}"', 1)[1].split("</tr>", 1)[0]
    assert ">claude</td>" in row
    assert '<a class="tag" href="/ui/?tag=ops">ops</a>' in row
    assert '<td class="num">v2</td>' in row
    assert '<span class="label">production → v1</span>' in row
    assert '<td class="num">3</td>' in row and '<td class="num">7.25</td>' in row
    empty_row = page.split(f'/ui/prompts/{bare["_id"]}"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="num">0</td>' in empty_row and "–" in empty_row


def test_user_text_is_escaped_everywhere(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    evil = "<script>alert(1)</script>"
    api.create_prompt(account, title=evil, content=evil, model='"><img src=x>', tags=["<b>t</b>"])
    for path in ("/ui/", "/ui/search?q=alert", "/ui/?q=alert", "/ui/?tag=%3Cb%3Et%3C/b%3E"):
        page = ui_browser.get(path).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        assert "<script>alert" not in page and "<img src=x>" not in page and "<b>t</b>" not in page


def test_pages_name_no_other_origin(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    api.create_prompt(account, title="Plain one")
    for path in ("/ui/", "/ui/prompts/new", "/ui/search?q=plain"):
        page = ui_browser.get(path).text
        assert not re.search(r'(src|href|action)="(https?:)?//', page), path


def test_another_users_prompts_never_appear(ui_browser: UiClient, api: Api) -> None:
    other = api.signup()
    api.create_prompt(other, title="Someone else's secret", tags=["shared"], model="gpt-4")
    mine = api.create_prompt(account_of(api, ui_browser), title="My own", tags=["shared"])
    for path in (
        "/ui/",
        "/ui/?tag=shared",
        "/ui/?model=gpt-4",
        "/ui/?q=secret",
        "/ui/search?q=s",
        "/ui/search?q=",
    ):
        assert "Someone else" not in ui_browser.get(path).text, path
    assert row_ids(ui_browser.get("/ui/?tag=shared").text) == [mine["_id"]]


# Sorting, filtering and paging.


def test_sort_by_title_with_header_links_that_turn_the_order_round(
    ui_browser: UiClient, api: Api
) -> None:
    account = account_of(api, ui_browser)
    made = {t: api.create_prompt(account, title=t)["_id"] for t in ("Bravo", "alpha", "Charlie")}
    page = ui_browser.get("/ui/?sort=title").text
    # Code point order, as the API sorts titles: capitals first.
    assert row_ids(page) == [made["Bravo"], made["Charlie"], made["alpha"]]
    assert '<th scope="col" aria-sort="ascending">' in page
    assert '<a href="/ui/?sort=-title">Title</a>' in page
    reverse = ui_browser.get("/ui/?sort=-title").text
    assert row_ids(reverse) == [made["alpha"], made["Charlie"], made["Bravo"]]
    assert row_ids(ui_browser.get("/ui/?sort=createdAt").text) == list(made.values())
    default = ui_browser.get("/ui/").text
    assert '<a href="/ui/?sort=title">Title</a>' in default
    assert '<a href="/ui/?sort=updatedAt">Updated</a>' in default


def test_filters_by_tag_and_model_combine(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    a = api.create_prompt(account, title="One", tags=["email"], model="gpt-4o")
    api.create_prompt(account, title="Two", tags=["email"], model="claude")
    api.create_prompt(account, title="Three", tags=["chat"], model="gpt-4o")
    page = ui_browser.get("/ui/?tag=email&model=gpt-4o").text
    assert row_ids(page) == [a["_id"]]
    assert 'value="email"' in page and 'value="gpt-4o"' in page
    assert len(row_ids(ui_browser.get("/ui/?tag=email").text)) == 2
    assert len(row_ids(ui_browser.get("/ui/?model=gpt-4o&tag=").text)) == 2
    none = ui_browser.get("/ui/?tag=nothing").text
    assert "No prompt matches these filters." in none and "Your library is empty" not in none


def test_unreadable_filters_and_sorts_are_400_pages(ui_browser: UiClient) -> None:
    long_tag = ui_browser.get("/ui/", params={"tag": "t" * 51})
    assert long_tag.status_code == 400
    assert f'<p class="error" id="filter-tag-error">{MALFORMED}</p>' in long_tag.text
    bad_sort = ui_browser.get("/ui/?sort=seq")
    assert bad_sort.status_code == 400 and MALFORMED in bad_sort.text
    long_query = ui_browser.get("/ui/search", params={"q": " ".join(f"w{i}" for i in range(201))})
    assert long_query.status_code == 400


@pytest.mark.parametrize("query", ["", "tag=even&sort=title", "sort=-createdAt&model=m1"])
def test_paging_walk_sees_every_prompt_once(ui_browser: UiClient, api: Api, query: str) -> None:
    account = account_of(api, ui_browser)
    made = []
    for i in range(112):
        tags = ["even"] if i % 2 == 0 else ["odd"]
        made.append(
            api.create_prompt(account, title=f"Prompt {i:03d}", tags=tags, model=f"m{i % 2}")
        )
    params = parse_qs(query)
    expected = [
        p
        for p in made
        if ("tag" not in params or params["tag"][0] in p["tags"])
        and ("model" not in params or p["model"] == params["model"][0])
    ]
    seen = walk(ui_browser, f"/ui/?{query}")
    assert sorted(seen) == sorted(p["_id"] for p in expected)
    assert len(seen) == len(set(seen))
    if "sort=title" in query:
        assert seen == [p["_id"] for p in sorted(expected, key=lambda p: p["title"])]
    first = ui_browser.get(f"/ui/?{query}").text
    assert len(row_ids(first)) == min(50, len(expected))
    assert "First page" not in first
    second_url = next_link(first)
    assert second_url is not None
    for name, values in params.items():
        assert parse_qs(urlsplit(second_url).query)[name] == values
    assert ">First page</a>" in ui_browser.get(second_url).text


def _tamper(url: str) -> str:
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    cursor = query["cursor"][0]
    middle = len(cursor) // 2
    flipped = cursor[:middle] + ("A" if cursor[middle] != "A" else "B") + cursor[middle + 1 :]
    return url.replace(cursor, flipped)


def test_altered_or_borrowed_cursors_are_400_pages(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    for i in range(51):
        api.create_prompt(account, title=f"Paged {i}", tags=["t"])
    url = next_link(ui_browser.get("/ui/").text)
    assert url is not None
    cursor = parse_qs(urlsplit(url).query)["cursor"][0]
    cases = [
        _tamper(url),
        f"/ui/?cursor={cursor}&tag=t",  # sealed for another filter
        f"/ui/?cursor={cursor}&sort=title",  # and another order
        f"/ui/?cursor={cursor}&q=paged",  # a listing cursor is no search cursor
        "/ui/?cursor=not-a-cursor",
    ]
    api_page = api.client.get("/prompts?limit=5", headers=account.headers)
    api_cursor = parse_qs(urlsplit(api_page.headers["link"][1:].split(">")[0]).query)["cursor"]
    cases.append(f"/ui/?cursor={api_cursor[0]}&sort=createdAt")
    for case in cases:
        answer = ui_browser.get(case)
        assert answer.status_code == 400, case
        assert MALFORMED in answer.text
    # Another user is refused the cursor too.
    with httpx.Client(base_url=ui_browser.origin) as raw:
        other = UiClient(raw).sign_up("Eve")
        assert other.get(url).status_code == 400


# Search.


def test_search_ranks_title_then_tags_then_content(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    content = api.create_prompt(account, title="Newsletter", content="Send an EMAIL weekly")
    tagged = api.create_prompt(account, title="Onboarding", tags=["email"])
    titled = api.create_prompt(account, title="Email welcome")
    api.create_prompt(account, title="Unrelated", content="nothing here")
    expected = [titled["_id"], tagged["_id"], content["_id"]]
    page = ui_browser.get("/ui/?q=emai").text
    assert row_ids(page) == expected
    assert 'value="emai"' in page and "Best matches" in page
    fragment = ui_browser.get("/ui/search?q=emai")
    assert fragment.status_code == 200
    assert fragment.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in fragment.headers["content-security-policy"]
    assert "<html" not in fragment.text and "<table" in fragment.text
    assert row_ids(fragment.text) == expected
    assert row_ids(ui_browser.get("/ui/search?q=weekly%20send").text) == [content["_id"]]
    missing = ui_browser.get("/ui/search?q=zzz").text
    assert "No prompt matches “zzz”." in missing


def test_search_field_is_live_and_a_blank_query_gives_the_view_back(
    ui_browser: UiClient, api: Api
) -> None:
    account = account_of(api, ui_browser)
    a = api.create_prompt(account, title="Alpha", tags=["x"])
    b = api.create_prompt(account, title="Beta", tags=["x"])
    api.create_prompt(account, title="Gamma", tags=["y"])
    page = ui_browser.get("/ui/?tag=x&sort=title").text
    assert '<label for="library-q">Search</label>' in page
    assert 'data-search-url="/ui/search?tag=x&amp;sort=title"' in page
    assert 'data-target="library-results"' in page and 'id="library-results"' in page
    blank = ui_browser.get("/ui/search?tag=x&sort=title&q=").text
    assert row_ids(blank) == [a["_id"], b["_id"]]
    assert "<html" not in blank
    # One character typed matches nearly everything: the live search waits for another,
    # while a submitted search runs whatever its length.
    one = ui_browser.get("/ui/search?tag=x&sort=title&q=%20b%20").text
    assert row_ids(one) == [a["_id"], b["_id"]] and "Type another character" in one
    assert row_ids(ui_browser.get("/ui/?q=b").text) == [b["_id"]]


def test_search_pages_with_more_results(ui_browser: UiClient, api: Api) -> None:
    account = account_of(api, ui_browser)
    made = {api.create_prompt(account, title=f"Common {i}")["_id"] for i in range(60)}
    live = ui_browser.get("/ui/search?q=common").text
    assert len(row_ids(live)) == 25 and "More results" in live
    first = ui_browser.get("/ui/?q=common").text
    assert len(row_ids(first)) == 50
    more = re.search(r'<a href="([^"]+)">More results</a>', first)
    assert more is not None
    rest = ui_browser.get(html.unescape(more.group(1))).text
    assert set(row_ids(first)) | set(row_ids(rest)) == made
    assert not set(row_ids(first)) & set(row_ids(rest))

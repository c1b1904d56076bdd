"""The browser UI (issue 11): the library page at 1,000 prompts (p95 <= 50 ms), a prompt page
with 1,000 logs (p95 <= 100 ms), live search at 10,000 prompts (p95 <= 30 ms per request),
one connection each, and the bytes of JavaScript and CSS a ``/ui/`` page loads (<= 150 kB).

It logs in as a browser does: the login form's hidden fields (its CSRF token among them) are
sent back with the email and password, with a same-origin ``Origin``; the session cookie it
gets is what wrk sends. Page URLs come from the pages themselves, not from guesses.
"""

from __future__ import annotations

from urllib.parse import quote, urljoin, urlsplit

import httpx

from bench import corpus, seed
from bench.config import Config
from bench.results import Results
from bench.session import Session
from bench.variants import PageParser, measure_on, open_session, parse_page, record

LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
KB = 1000


class UiMissing(RuntimeError):
    """The server under test has no browser UI, or not one this scenario can drive."""


async def login(client: httpx.AsyncClient, user: seed.User) -> str:
    """Log in through the form; return the Cookie header the session needs."""
    page = await client.get("/ui/login")
    if page.status_code != 200 or "html" not in page.headers.get("content-type", ""):
        raise UiMissing(f"GET /ui/login answers {page.status_code}")
    form = next(
        (
            f
            for f in parse_page(page.text).forms
            if any(i.get("type") == "password" for i in f["inputs"])
        ),
        None,
    )
    if form is None:
        raise UiMissing("no login form with a password field on /ui/login")
    data: dict[str, str] = {}
    for field in form["inputs"]:
        name, kind = field.get("name"), field.get("type", "")
        if not name:
            continue
        if kind == "password":
            data[name] = seed.PASSWORD
        elif kind == "email" or "email" in name.lower():
            data[name] = user.email
        elif kind == "hidden":
            data[name] = field.get("value", "")
    origin = str(client.base_url).rstrip("/")
    action = urljoin("/ui/login", form.get("action") or "/ui/login")
    answer = await client.post(
        action, data=data, headers={"Origin": origin, "Sec-Fetch-Site": "same-origin"}
    )
    if answer.status_code >= 400 or not client.cookies:
        raise UiMissing(f"the login form answered {answer.status_code} and set no cookie")
    return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def _get(client: httpx.AsyncClient, path: str, cookie: str) -> httpx.Response:
    response = await client.get(path, headers={"Cookie": cookie})
    if response.status_code != 200:
        raise UiMissing(f"GET {path} answers {response.status_code}")
    return response


def _search_url(page: PageParser) -> tuple[str, str] | None:
    """(URL, parameter) of the library's Search field: its hx-get or data URL, else its form."""
    for form in [*page.forms, {"inputs": page.inputs}]:
        for field in form["inputs"]:
            text = " ".join(field.get(k, "") for k in ("name", "id", "type", "aria-label")).lower()
            if "search" not in text or not field.get("name"):
                continue
            url = field.get("hx-get") or next(
                (v for k, v in field.items() if k.startswith("data-") and k.endswith("url")), ""
            )
            return (url or form.get("action") or "/ui/"), field["name"]
    return None


async def _measure(
    s: Session, cookie: str, path: str, variant: str, goal_ms: float, what: str
) -> None:
    result = await measure_on(
        s, "static", {"BENCH_COOKIE": cookie, "BENCH_PATH": path}, connections=1
    )
    record(
        s.results, "ui", s, variant, result, endpoint=f"GET {urlsplit(path).path}", connections=1
    )
    p95 = result.p(95) or 0.0
    s.results.target(
        "ui",
        f"{what}, {LABEL[s.engine]}, c1: p95 <= {goal_ms:g} ms",
        f"p95 {p95:.1f} ms ({result.rps:,.0f} req/s, {result.errors} errors)",
        p95 <= goal_ms and result.errors == 0,
    )


async def _pages(cfg: Config, s: Session) -> None:
    user = await s.api.signup("browser")
    async with httpx.AsyncClient(base_url=s.server.base_url, timeout=60) as client:
        cookie = await login(client, user)
        created = await s.api.create_many(
            "/prompts",
            user,
            (corpus.reader_prompt(i) for i in range(cfg.ui_prompts)),
            cfg.ui_prompts,
        )
        library = await _get(client, "/ui/", cookie)
        page = parse_page(library.text)
        if any(i.get("type") == "password" for i in page.inputs):
            raise UiMissing("after logging in, /ui/ still shows a password field")
        # The prompt page measured is one the library links to (the library may be paged).
        linked = {pid: h for h in page.links for pid in created.ids if pid in h}
        if not linked:
            raise UiMissing("no link to a prompt's page on /ui/")
        first, link = next(iter(linked.items()))
        await s.api.create_many(
            "/logs", user, (corpus.log_payload(first, n) for n in range(cfg.ui_logs)), cfg.ui_logs
        )
        prompt_page = await _get(client, link, cookie)
        assets = {urljoin("/ui/", a) for a in page.assets}
        assets |= {urljoin(link, a) for a in parse_page(prompt_page.text).assets}
        base = s.server.base_url
        foreign = sorted(a for a in assets if urlsplit(a).netloc and not a.startswith(base))
        local = sorted(a.removeprefix(base) for a in assets if a not in foreign)
        sizes = {a: len((await _get(client, a, cookie)).content) for a in local}
        total = sum(sizes.values())
        s.results.scenarios.append(
            {
                "scenario": "ui",
                "engine": s.engine,
                "variant": "assets",
                "assets": sizes,
                "foreign": foreign,
            }
        )
        s.results.target(
            "ui",
            f"JavaScript and CSS loaded by /ui/ pages, {LABEL[s.engine]}: <= 150 kB",
            f"{total / KB:.1f} kB in {len(sizes)} file(s)"
            + (f"; other origins: {foreign}" if foreign else ""),
            total <= 150 * KB and not foreign,
        )
        await _measure(
            s,
            cookie,
            "/ui/",
            f"library, {cfg.ui_prompts:,} prompts",
            50,
            f"/ui/ library page, {cfg.ui_prompts:,} prompts",
        )
        await _measure(
            s,
            cookie,
            link,
            f"prompt page, {cfg.ui_logs:,} logs",
            100,
            f"prompt page, {cfg.ui_logs:,} logs",
        )
        found = _search_url(page)
        if found is None:
            s.results.skip("ui", s.engine, "live search: no Search field on /ui/")
            return
        url, param = found
        more = cfg.ui_search_prompts - cfg.ui_prompts
        await s.api.create_many(
            "/prompts",
            user,
            (corpus.search_payload(corpus.search_doc(i)) for i in range(more)),
            more,
        )
        term = corpus.token(3)[2:9]
        path = f"{url}{'&' if '?' in url else '?'}{param}={quote(term)}"
        answer = await _get(client, path, cookie)
        if "html" not in answer.headers.get("content-type", ""):
            raise UiMissing(f"GET {path} is not HTML")
        await _measure(
            s,
            cookie,
            path,
            f"live search, {cfg.ui_search_prompts:,} prompts",
            30,
            f"live search ({urlsplit(url).path}), {cfg.ui_search_prompts:,} prompts",
        )


async def run(cfg: Config, results: Results, engine: str) -> None:
    async with open_session(cfg, results, engine, "ui") as s:
        try:
            await _pages(cfg, s)
        except UiMissing as exc:
            results.skip("ui", engine, f"not available at this commit ({exc})")

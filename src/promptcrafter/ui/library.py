"""The library page (``/ui/``): the visitor's prompts as a sortable, filterable, paged table,
the ranked search that narrows it as you type (``/ui/search`` answers the table alone), and
the form that creates a prompt (``/ui/prompts/new``).

The table reads the same keyset listing as ``GET /prompts?sort=&tag=&model=`` and the search
the same ranked pages as ``GET /search``; the log count and mean score of a page's prompts come
from one grouped statement (``store.summaries``). Cursors are sealed with the API's keys but
bound to the UI's own paths, so a cursor of the JSON API is refused here and the other way
round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter import paging
from promptcrafter.api.models import PromptIn
from promptcrafter.api.routes.search import BAD_QUERY
from promptcrafter.clock import iso_ms
from promptcrafter.errors import MALFORMED_PARAMS
from promptcrafter.store import listing, prompts, summaries
from promptcrafter.store import search as prompt_search
from promptcrafter.store.database import Row
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import FormInvalid, as_lf, read_form, split_tags, validate

PAGE_SIZE = 50
SEARCH_SIZE = 25  # a keystroke's answer: the best matches, with a link to more
DEFAULT_SORT = "-updatedAt"  # what was worked on last comes first
LIST_PATH, SEARCH_PATH = "/ui/", "/ui/search"  # what cursors are bound to
MAX_TAG, MAX_MODEL = 50, 100
# Column header -> (sort when first clicked, the other direction).
SORTABLE = {
    "title": ("title", "-title"),
    "updated": ("-updatedAt", "updatedAt"),
    "created": ("-createdAt", "createdAt"),
}
SORT_WORDS = {
    "title": "by title, A to Z",
    "-title": "by title, Z to A",
    "updatedAt": "least recently updated first",
    "-updatedAt": "most recently updated first",
    "createdAt": "oldest first",
    "-createdAt": "newest first",
}


@dataclass(frozen=True, slots=True)
class LibraryRow:
    """One prompt as the table shows it. The derived text (links, dates, the mean) is made
    here rather than by template filters: a page has 50 rows, and Jinja's filters cost
    several times what the same Python does."""

    id: str
    title: str
    model: str
    tags: list[str]
    version: int
    labels: list[tuple[str, int]]
    logs: int
    mean_score: float | None
    created_at: int
    updated_at: int

    @property
    def tag_links(self) -> list[tuple[str, str]]:
        return [(tag, f"{LIST_PATH}?{urlencode({'tag': tag})}") for tag in self.tags]

    @property
    def mean_text(self) -> str:
        return "" if self.mean_score is None else f"{self.mean_score:.2f}"

    @property
    def updated_iso(self) -> str:
        return iso_ms(self.updated_at)

    @property
    def created_iso(self) -> str:
        return iso_ms(self.created_at)


async def _rows(visitor: Visitor, found: Sequence[Row]) -> list[LibraryRow]:
    """The page's prompts with their log figures (one statement for the whole page)."""
    figures = await summaries.log_summaries(
        visitor.services.db, visitor.user.id, [row[prompts.ID] for row in found]
    )
    shaped = []
    for row in found:
        summary = figures.get(row[prompts.ID])
        labels: dict[str, int] = orjson.loads(row[prompts.LABELS])
        shaped.append(
            LibraryRow(
                id=row[prompts.ID],
                title=row[prompts.TITLE],
                model=row[prompts.MODEL],
                tags=orjson.loads(row[prompts.TAGS]),
                version=row[prompts.VERSION],
                labels=sorted(labels.items()),
                logs=0 if summary is None else summary.logs,
                mean_score=None if summary is None else summary.mean_score,
                created_at=row[prompts.CREATED],
                updated_at=row[prompts.UPDATED],
            )
        )
    return shaped


def _url(path: str, params: Mapping[str, str | None]) -> str:
    given = {name: value for name, value in params.items() if value}
    return f"{path}?{urlencode(given)}" if given else path


def _open(
    visitor: Visitor, path: str, params: Mapping[str, str], cursor: str | None
) -> paging.Page:
    """The page a request asks for; a cursor sealed for other parameters, another user or
    another path, or altered at all, is a 400 (raised by ``Cursors.open``)."""
    binding = paging.binding_of(path, visitor.user.id, params)
    after = None if cursor is None else visitor.services.cursors.open(binding, cursor)
    return paging.Page(PAGE_SIZE, after, path, binding, dict(params))


@dataclass
class View:
    """What the visitor asked the library for, read from the query string."""

    q: str = ""
    tag: str = ""
    model: str = ""
    sort: str = DEFAULT_SORT
    cursor: str | None = None
    errors: dict[str, str] | None = None

    @property
    def filters(self) -> dict[str, str]:
        found = {"tag": self.tag, "model": self.model}
        return {name: value for name, value in found.items() if value}

    def url(self, **changes: str | None) -> str:
        params: dict[str, str | None] = {"tag": self.tag, "model": self.model}
        if self.sort != DEFAULT_SORT:
            params["sort"] = self.sort
        params.update(changes)
        return _url(LIST_PATH, params)


def _read_view(request: Request) -> View:
    """The query string as a ``View``; values no listing accepts become ``errors`` (shown
    beside their fields) and a sort that no header link makes is the contract's 400."""
    query = request.query_params
    view = View(
        q=query.get("q", "").strip(),
        tag=query.get("tag", "").strip(),
        model=query.get("model", "").strip(),
        cursor=query.get("cursor") or None,
    )
    view.sort = paging.read_choice(query.get("sort") or None, [DEFAULT_SORT, *SORT_WORDS])
    errors = {}
    for name, value, longest in (("tag", view.tag, MAX_TAG), ("model", view.model, MAX_MODEL)):
        if len(value) > longest or "\x00" in value:
            errors[name] = MALFORMED_PARAMS
    unreadable = len(view.q) > prompt_search.MAX_QUERY or "\x00" in view.q
    if unreadable or len(prompt_search.terms_of(view.q)) > prompt_search.MAX_TERMS:
        errors["q"] = BAD_QUERY
    view.errors = errors or None
    return view


async def _listing(visitor: Visitor, view: View) -> dict[str, Any]:
    """The table of the visitor's prompts in the view's order and filters, one page."""
    params = {**view.filters, "sort": view.sort}
    at = _open(visitor, LIST_PATH, params, view.cursor)
    if not listing.check_key(listing.PROMPTS, view.sort, at.after):
        raise paging.bad()
    found, last = await listing.page(
        visitor.services.db,
        listing.PROMPTS,
        visitor.user.id,
        view.sort,
        view.filters,
        at.after,
        PAGE_SIZE,
    )
    next_url = None
    if last is not None:
        next_url = view.url(cursor=visitor.services.cursors.seal(at.binding, last))
    return {
        "mode": "list",
        "rows": await _rows(visitor, found),
        "next_url": next_url,
        "first_url": view.url() if view.cursor else None,
        "sorts": _sort_links(view),
        "order_words": SORT_WORDS[view.sort],
    }


async def _search(visitor: Visitor, view: View, size: int) -> dict[str, Any]:
    """The ranked matches of ``view.q`` (title, then tags, then content; newest first)."""
    terms = prompt_search.terms_of(view.q)
    at = _open(visitor, SEARCH_PATH, {"q": " ".join(terms)}, view.cursor)
    if not prompt_search.valid_key(at.after):
        raise paging.bad()
    found, last = await prompt_search.search_page(
        visitor.services.db, visitor.user.id, terms, at.after, size
    )
    next_url = None
    if last is not None:
        sealed = visitor.services.cursors.seal(at.binding, last)
        next_url = _url(LIST_PATH, {"q": view.q, "cursor": sealed})
    return {
        "mode": "search",
        "rows": await _rows(visitor, found),
        "next_url": next_url,
        "first_url": _url(LIST_PATH, {"q": view.q}) if view.cursor else None,
        "sorts": {},
        "order_words": "",
    }


def _sort_links(view: View) -> dict[str, dict[str, str]]:
    """Each sortable header's link (first click, then the other direction) and its
    ``aria-sort`` when the table is in that order."""
    links = {}
    for column, (first, other) in SORTABLE.items():
        current = view.sort in (first, other)
        target = other if view.sort == first else first
        state = "none"
        if current:
            state = "descending" if view.sort.startswith("-") else "ascending"
        links[column] = {"url": view.url(sort=target), "state": state}
    return links


def too_short_to_type(q: str) -> bool:
    """Whether a query typed so far is only single characters (``a``, ``a b``).

    One character is in nearly every prompt, and the search service then checks many rows
    (about 0.7 s at 10,000 prompts on SQLite, measured), to rank what is almost the whole
    library. The live search waits for a second character instead; a submitted search
    (``/ui/?q=a``) still runs."""
    return all(len(term) < 2 for term in prompt_search.terms_of(q))


async def _results(visitor: Visitor, view: View, *, live: bool) -> dict[str, Any]:
    if view.errors:
        return {"mode": "invalid", "rows": [], "next_url": None, "first_url": None, "sorts": {}}
    if view.q and live and too_short_to_type(view.q):
        return {**await _listing(visitor, replace(view, q="")), "keep_typing": True}
    if view.q:
        return await _search(visitor, view, SEARCH_SIZE if live else PAGE_SIZE)
    return await _listing(visitor, view)


@page()
async def library(request: Request, visitor: Visitor) -> Response:
    view = _read_view(request)
    results = await _results(visitor, view, live=False)
    # Nothing at all to show, asked for nothing in particular: the welcome, not a table.
    empty = results["mode"] == "list" and not results["rows"] and not view.filters
    empty = empty and view.cursor is None
    live_url = _url(SEARCH_PATH, {**view.filters, "sort": _sort_param(view)})
    return render(
        request,
        visitor,
        "library.html",
        status=400 if view.errors else 200,
        view=view,
        errors=view.errors or {},
        empty=empty,
        live_url=live_url,
        **results,
    )


def _sort_param(view: View) -> str | None:
    return None if view.sort == DEFAULT_SORT else view.sort


@page()
async def search_fragment(request: Request, visitor: Visitor) -> Response:
    """The results part of the library alone, for the live search: the ranked matches of
    ``q``, or (``q`` blank) the table as the page shows it with the same filters and sort."""
    view = _read_view(request)
    view.cursor = None  # a keystroke always asks for the first page
    results = await _results(visitor, view, live=True)
    return render(
        request,
        visitor,
        "library/_results.html",
        status=400 if view.errors else 200,
        view=view,
        errors=view.errors or {},
        **results,
    )


# Creating a prompt.

NEW_FIELDS = ("title", "content", "model", "tags", "commitMessage")


def prompt_data(values: Mapping[str, str]) -> dict[str, Any]:
    """A submitted prompt form as the API's (strict) PromptIn body: empty optional fields
    are left out, tags become a list."""
    data: dict[str, Any] = {name: values[name] for name in ("title", "content", "model")}
    data["content"] = as_lf(data["content"])
    tags = split_tags(values["tags"])
    if tags:
        data["tags"] = tags
    if values["commitMessage"].strip():
        data["commitMessage"] = values["commitMessage"]
    return data


@page()
async def new_prompt_page(request: Request, visitor: Visitor) -> Response:
    values = dict.fromkeys(NEW_FIELDS, "")
    return render(request, visitor, "new_prompt.html", values=values, errors={})


@page()
async def new_prompt_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    values = {name: form.text(name) for name in NEW_FIELDS}
    try:
        body = validate(PromptIn, prompt_data(values))
    except FormInvalid as exc:
        return render(
            request, visitor, "new_prompt.html", status=400, values=values, errors=exc.errors
        )
    # As POST /prompts does; a browser session acts as its user.
    row = await prompts.create(
        visitor.services.db,
        visitor.user.id,
        body.title,
        body.content,
        body.model,
        body.tags or [],
        commit_message=body.commitMessage,
        actor=visitor.user.id,
        first_version=1,
    )
    return redirect(f"/ui/prompts/{row[prompts.ID]}?notice=created")


ROUTES = [
    Route("/", library, methods=["GET"]),
    Route("/search", search_fragment, methods=["GET"]),
    # Before the prompt page's /prompts/{id} (which "new" could never match anyway).
    Route("/prompts/new", new_prompt_page, methods=["GET"]),
    Route("/prompts/new", new_prompt_submit, methods=["POST"]),
]

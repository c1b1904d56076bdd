"""Part 2's filtered, sorted and paged listings, between the routes and the store.

The routes declare the query parameters (so unknown ones are still refused and OpenAPI lists
them) and hand them here as sent. Every value is read here, and anything unreadable is the
contract's 400 ``The request is malformed or contains invalid parameters.``: the routes'
own sentences stay with the parameters Part 1 already had.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import orjson
from fastapi import Depends, Query
from starlette.responses import Response

from promptcrafter import paging
from promptcrafter.api.models import LABEL_PATTERN
from promptcrafter.api.responses import (
    JSON,
    array_response,
    log_body,
    prompt_body,
    version_body,
)
from promptcrafter.services import Services
from promptcrafter.store import listing, versions
from promptcrafter.store.database import Row

LABEL_NAME = re.compile(LABEL_PATTERN)
MAX_TAG, MAX_MODEL = 50, 100
LINK_DESCRIPTION = (
    'When more rows follow a page: `<relative URL>; rel="next"`, the next page (follow it as is).'
)
PAGED_HEADERS = {"Link": {"description": LINK_DESCRIPTION, "schema": {"type": "string"}}}


@dataclass(frozen=True)
class PagingArgs:
    limit: str | None
    cursor: str | None


async def _paging_args(
    limit: Annotated[
        str | None,
        Query(
            description="Page size, 1 to 500 (integer). Without `limit` and `cursor` the "
            "whole listing is answered.",
            json_schema_extra={"pattern": "^[0-9]+$"},
        ),
    ] = None,
    cursor: Annotated[
        str | None,
        Query(description="Opaque; taken from the `Link` header of the previous page."),
    ] = None,
) -> PagingArgs:
    return PagingArgs(limit, cursor)


Paging = Annotated[PagingArgs, Depends(_paging_args)]


@dataclass(frozen=True)
class Plan:
    """A listing as asked for, every parameter read: which rows, in which order, which page
    (None: the whole listing, streamed)."""

    table: listing.Listing
    owner: str
    order: str
    filters: dict[str, Any]
    page: paging.Page | None
    encode: Callable[[Row], dict[str, Any]]


def paged_response(
    services: Services,
    page: paging.Page,
    rows: list[Row],
    last_key: Sequence[Any] | None,
    encode: Callable[[Row], dict[str, Any]],
) -> Response:
    """One page as a bare JSON array, with ``Link`` when more rows follow."""
    headers = None
    if last_key is not None:
        headers = {"Link": paging.next_link(services.cursors, page, last_key)}
    return Response(orjson.dumps([encode(row) for row in rows]), media_type=JSON, headers=headers)


async def answer(services: Services, plan: Plan) -> Response:
    db, table, page = services.db, plan.table, plan.page
    if page is None:
        rows = listing.walk(db, table, plan.owner, plan.order, plan.filters)
        return await array_response(rows, plan.encode)
    found, last = await listing.page(
        db, table, plan.owner, plan.order, plan.filters, page.after, page.limit
    )
    return paged_response(services, page, found, last, plan.encode)


def _open_page(
    services: Services,
    path: str,
    owner: str,
    args: PagingArgs,
    normalized: dict[str, str | None],
    table: listing.Listing,
    order: str,
) -> paging.Page | None:
    page = paging.read_page(services.cursors, path, owner, normalized, args.limit, args.cursor)
    if page is not None and not listing.check_key(table, order, page.after):
        raise paging.bad()
    return page


def read_label(value: str) -> str:
    if not LABEL_NAME.fullmatch(value):
        raise paging.bad()
    return value


def plan_prompts(
    services: Services,
    owner: str,
    args: PagingArgs,
    *,
    tag: str | None,
    model: str | None,
    label: str | None,
    sort: str | None,
) -> Plan | None:
    """A listing of prompts shaped by Part 2's parameters; None when none was given."""
    if args == PagingArgs(None, None) and tag is model is label is sort is None:
        return None
    order = paging.read_choice(sort, list(listing.PROMPT_SORTS))
    filters: dict[str, Any] = {}
    if tag is not None:
        filters["tag"] = paging.read_text(tag, MAX_TAG)
    if model is not None:
        filters["model"] = paging.read_text(model, MAX_MODEL)
    # ``latest`` names the current version of every prompt: it filters nothing.
    if label is not None and read_label(label) != "latest":
        filters["label"] = label
    normalized = {"tag": tag, "model": model, "label": filters.get("label"), "sort": order}
    page = _open_page(services, "/prompts", owner, args, normalized, listing.PROMPTS, order)
    return Plan(listing.PROMPTS, owner, order, filters, page, prompt_body)


@dataclass(frozen=True)
class LogFilters:
    prompt_version: str | None = None
    model: str | None = None
    min_score: str | None = None
    max_score: str | None = None
    scored: str | None = None
    sort: str | None = None

    def given(self) -> bool:
        return any(value is not None for value in vars(self).values())


def plan_logs(
    services: Services,
    path: str,
    owner: str,
    prompt_id: str | None,
    args: PagingArgs,
    shape: LogFilters,
) -> Plan | None:
    """A listing of logs shaped by Part 2's parameters; None when none was given. With
    ``prompt_id``, the caller checks that the prompt is theirs before answering."""
    if args == PagingArgs(None, None) and not shape.given():
        return None
    order = paging.read_choice(shape.sort, list(listing.LOG_SORTS))
    filters: dict[str, Any] = {}
    if prompt_id is not None:
        filters["prompt_id"] = prompt_id
    if shape.prompt_version is not None:
        if prompt_id is None:
            raise paging.bad()
        filters["prompt_version"] = paging.read_int(shape.prompt_version, 1, 2**31 - 1)
    if shape.model is not None:
        filters["model"] = paging.read_text(shape.model, MAX_MODEL)
    if shape.min_score is not None:
        filters["min_score"] = paging.read_float(shape.min_score, 0, 10)
    if shape.max_score is not None:
        filters["max_score"] = paging.read_float(shape.max_score, 0, 10)
    if shape.scored is not None:
        filters["scored"] = paging.read_bool(shape.scored)
    normalized = {
        "promptId": prompt_id,
        "promptVersion": shape.prompt_version,
        "model": shape.model,
        "minScore": shape.min_score,
        "maxScore": shape.max_score,
        "scored": shape.scored,
        "sort": order,
    }
    page = _open_page(services, path, owner, args, normalized, listing.LOGS, order)
    return Plan(listing.LOGS, owner, order, filters, page, log_body)


async def versions_answer(
    services: Services, owner: str, prompt_id: str, args: PagingArgs
) -> Response | None:
    """One page of a prompt's versions, newest first; None when no paging was asked for.
    Version numbers never change or repeat, so the last number shown is the whole key."""
    path = f"/prompts/{prompt_id}/versions"
    page = paging.read_page(services.cursors, path, owner, {}, args.limit, args.cursor)
    if page is None:
        return None
    before = None
    if page.after is not None:
        if len(page.after) != 1 or type(page.after[0]) is not int:
            raise paging.bad()
        before = page.after[0]
    found = await versions.list_versions(
        services.db, owner, prompt_id, before=before, limit=page.limit + 1
    )
    rows = found.rows[: page.limit]
    headers = None
    if len(found.rows) > page.limit:
        last = [rows[-1][versions.VERSION]]
        headers = {"Link": paging.next_link(services.cursors, page, last)}
    body = orjson.dumps([version_body(row, found.labels_of(row)) for row in rows])
    return Response(body, media_type=JSON, headers=headers)

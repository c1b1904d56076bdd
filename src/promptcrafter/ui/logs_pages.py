"""Logs on the prompt page (filtered, keyset-paged, 50 at a time), adding and deleting a log,
and one log's page with its whole output.

Paging uses the API's sealed cursors, bound to this listing, the user and the filters, so a
cursor copied into another filter or another prompt is refused (400) like a forged one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter import paging
from promptcrafter.api.models import LogIn
from promptcrafter.api.responses import prompt_body
from promptcrafter.errors import MALFORMED_PARAMS, MISSING_OR_INVALID, BadRequest, NotFound
from promptcrafter.ids import LOG_ID
from promptcrafter.numbers import decimal_or_none
from promptcrafter.store import log_pages, logs, prompts
from promptcrafter.store.database import Row
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import FormInvalid, read_form, validate
from promptcrafter.ui.prompt_refs import number_or_none
from promptcrafter.ui.results_base import (
    MAX_VERSIONS_LISTED,
    Shown,
    kept_params,
    number,
    page_url,
    prompt_id_of,
)

PAGE_SIZE = 50
NOTES_SHOWN = 300  # characters of the notes in the table (the log's page has them all)
# The prompt page's query parameters for this section.
VERSION, MODEL, MIN, MAX, CURSOR = "log_version", "log_model", "log_min", "log_max", "log_cursor"
OWN = (VERSION, MODEL, MIN, MAX, CURSOR)
LOG_ID_INVALID = "The request is malformed or the log ID format is invalid."
CONFIRM = "Delete this log? This cannot be undone."


def _score_text(value: float | None) -> str:
    return "" if value is None else number(value, 4)


def log_view(row: Row, preview: bool) -> dict[str, Any]:
    """A log row (``logs.COLUMNS`` order, or a preview row) as the templates show it."""
    length = row[log_pages.LENGTH] if preview else len(row[logs.OUTPUT])
    notes = row[logs.NOTES] or ""
    return {
        "id": row[logs.ID],
        "prompt_id": row[logs.PROMPT],
        "output": row[logs.OUTPUT],
        "length": length,
        "cut": length > len(row[logs.OUTPUT]),
        "model": row[logs.MODEL_USED],
        "notes": notes,
        "notes_short": notes if len(notes) <= NOTES_SHOWN else notes[: NOTES_SHOWN - 1] + "…",
        "score": _score_text(row[logs.SCORE]),
        "version": row[logs.PROMPT_VERSION],
        "label": row[logs.LABEL],
        "created": row[logs.CREATED],
    }


@dataclass
class Filters:
    """The filter form as sent (strings) and what it means for the listing."""

    sent: dict[str, str]
    listing: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def normalized(self) -> dict[str, str | None]:
        names = {VERSION: "promptVersion", MODEL: "model", MIN: "minScore", MAX: "maxScore"}
        return {names[key]: self.sent[key] or None for key in names}


def read_filters(request: Request) -> Filters:
    query = request.query_params
    sent = {key: query.get(key, "").strip() for key in (VERSION, MODEL, MIN, MAX)}
    found = Filters(sent)
    readers: dict[str, tuple[str, Any]] = {
        VERSION: ("prompt_version", lambda v: paging.read_int(v, 1, 2**31 - 1)),
        MODEL: ("model", lambda v: paging.read_text(v, 100)),
        MIN: ("min_score", lambda v: paging.read_float(v, 0, 10)),
        MAX: ("max_score", lambda v: paging.read_float(v, 0, 10)),
    }
    for key, (name, reader) in readers.items():
        if sent[key]:
            try:
                found.listing[name] = reader(sent[key])
            except BadRequest:
                found.errors[key] = MALFORMED_PARAMS
    return found


@dataclass
class Page:
    """One page of the logs table as asked for by the query string, read from the database."""

    filters: Filters
    cursor: str | None
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_url: str | None = None
    cursor_error: str | None = None


async def load(request: Request, visitor: Visitor, shown: Shown) -> Page:
    """The logs the section shows: one statement for one page, newest first. A filter or
    cursor that cannot be read reads nothing and is named beside its field."""
    services = visitor.services
    loaded = Page(read_filters(request), request.query_params.get(CURSOR) or None)
    filters = loaded.filters
    if filters.errors:
        return loaded
    try:
        opened = paging.read_page(
            services.cursors,
            f"{shown.url}#logs",
            visitor.user.id,
            filters.normalized,
            str(PAGE_SIZE),
            loaded.cursor,
        )
        assert opened is not None  # a limit is always given
        if not log_pages.check_key(opened.after):
            raise paging.bad()
    except BadRequest:
        loaded.cursor_error = MALFORMED_PARAMS
        return loaded
    found, last = await log_pages.previews(
        services.db, visitor.user.id, shown.prompt_id, filters.listing, opened.after, PAGE_SIZE
    )
    loaded.rows = [log_view(row, preview=True) for row in found]
    if last is not None:
        token = services.cursors.seal(opened.binding, last)
        params = [*kept_params(request, OWN), *filters.sent.items(), (CURSOR, token)]
        loaded.next_url = page_url(shown.url, params, "logs")
    return loaded


def section(
    request: Request,
    shown: Shown,
    loaded: Page,
    versions: list[int],
    seen_versions: list[int],
    seen_models: list[str],
) -> tuple[dict[str, Any], int]:
    """The logs section's context and the status it asks of the page (400 for a filter or
    cursor that cannot be read: the rest of the page is still shown)."""
    filters = loaded.filters
    kept = kept_params(request, OWN)
    first_url = None
    if loaded.cursor is not None:
        first_url = page_url(shown.url, [*kept, *filters.sent.items()], "logs")
    models = list(seen_models)
    if filters.sent[MODEL] and filters.sent[MODEL] not in models:
        models.append(filters.sent[MODEL])
    context = {
        "rows": loaded.rows,
        "filters": filters.sent,
        "errors": filters.errors,
        "cursor_error": loaded.cursor_error,
        "filtered": any(filters.sent.values()),
        "next_url": loaded.next_url,
        "first_url": first_url,
        "clear_url": page_url(shown.url, kept, "logs"),
        "kept": kept,
        "version_options": [("", "Any version")]
        + [(str(n), f"Version {n}") for n in seen_versions],
        "model_options": [("", "Any model")] + [(name, name) for name in models],
        "add": add_form_context(shown, versions),
        "confirm": CONFIRM,
    }
    status = 400 if filters.errors or loaded.cursor_error else 200
    return context, status


def add_form_context(
    shown: Shown,
    versions: list[int],
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> dict[str, Any]:
    chosen = dict(values or {})
    chosen.setdefault("model", shown.model)
    chosen.setdefault("version", str(versions[0] if versions else shown.version))
    return {
        "action": f"{shown.url}/logs",
        "given": chosen,
        "errors": errors or {},
        "version_options": [(str(n), f"Version {n}") for n in versions],
    }


def _log_id(request: Request) -> str:
    log_id = str(request.path_params["id"])
    if not LOG_ID.fullmatch(log_id):
        raise BadRequest(LOG_ID_INVALID)
    return log_id


# Fields of the API's LogIn, and the form fields that send them.
_FIELD_OF = {"output": "output", "modelUsed": "model", "model": "model", "notes": "notes"}
_FIELD_OF |= {"score": "score", "promptVersion": "version"}


def _log_data(prompt_id: str, values: dict[str, str]) -> dict[str, Any]:
    """The API's log body from the form's strings: a score is a number, empty optional
    fields are left out (the API's models are strict and coerce nothing)."""
    data: dict[str, Any] = {"promptId": prompt_id, "output": values["output"]}
    data["modelUsed"] = values["model"]
    if values["notes"]:
        data["notes"] = values["notes"]
    errors: dict[str, str] = {}
    if values["score"].strip():
        score = decimal_or_none(values["score"].strip())
        if score is None:
            errors["score"] = MISSING_OR_INVALID
        data["score"] = score
    if values["version"]:
        number = number_or_none(values["version"])
        if number is None:
            errors["promptVersion"] = MISSING_OR_INVALID
        else:
            data["promptVersion"] = number
    if errors:
        raise FormInvalid(errors)
    return data


@page()
async def add_log(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    db, owner = visitor.services.db, visitor.user.id
    values = {name: form.text(name) for name in ("output", "score", "notes", "model", "version")}
    try:
        body = validate(LogIn, _log_data(prompt_id, values))
        await logs.create(
            db,
            owner,
            prompt_id,
            body.output,
            body.model_used,
            body.notes,
            body.score,
            version=body.promptVersion,
        )
    except FormInvalid as exc:
        errors = {_FIELD_OF.get(name, "_form"): sentence for name, sentence in exc.errors.items()}
        return await _add_again(request, visitor, prompt_id, values, errors, 400)
    except NotFound as exc:
        if exc.message == logs.PROMPT_UNAVAILABLE:
            raise
        return await _add_again(request, visitor, prompt_id, values, {"version": exc.message}, 404)
    return redirect(f"/ui/prompts/{prompt_id}?notice=log-added#logs")


async def _add_again(
    request: Request,
    visitor: Visitor,
    prompt_id: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
) -> Response:
    """The Add log form again, with the values sent and each refusal beside its field."""
    db, owner = visitor.services.db, visitor.user.id
    prompt = prompt_body(await prompts.get(db, owner, prompt_id))
    shown = Shown.of(request, prompt)
    versions = await log_pages.version_numbers(db, owner, prompt_id, MAX_VERSIONS_LISTED)
    add = add_form_context(shown, versions, values, errors)
    return render(request, visitor, "log_add.html", status=status, shown=shown, add=add)


@page()
async def log_page(request: Request, visitor: Visitor) -> Response:
    row = await log_pages.get(visitor.services.db, visitor.user.id, _log_id(request))
    prompt = await prompts.get(visitor.services.db, visitor.user.id, row[logs.PROMPT])
    return render(
        request,
        visitor,
        "log.html",
        log=log_view(row, preview=False),
        prompt_title=prompt[prompts.TITLE],
        confirm=CONFIRM,
        asking=False,
    )


@page()
async def delete_log(request: Request, visitor: Visitor) -> Response:
    """Deletes after a confirmation: the page's script adds ``confirm=yes`` once the visitor
    agreed; without JavaScript, this answers a page that asks first."""
    form = await read_form(request, visitor)
    db, owner = visitor.services.db, visitor.user.id
    row = await log_pages.get(db, owner, _log_id(request))
    if form.text("confirm") != "yes":
        prompt = await prompts.get(db, owner, row[logs.PROMPT])
        return render(
            request,
            visitor,
            "log.html",
            log=log_view(row, preview=False),
            prompt_title=prompt[prompts.TITLE],
            confirm=CONFIRM,
            asking=True,
        )
    await logs.delete(db, owner, row[logs.ID])
    return redirect(f"/ui/prompts/{row[logs.PROMPT]}?notice=log-deleted#logs")


ROUTES = [
    Route("/prompts/{id}/logs", add_log, methods=["POST"]),
    Route("/logs/{id}", log_page, methods=["GET"]),
    Route("/logs/{id}/delete", delete_log, methods=["POST"]),
]

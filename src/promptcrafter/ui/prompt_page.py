"""The prompt page: one page per prompt, made of sections. The history sections (edit,
versions, labels) come from ``ui/history.py``; the results sections (render, logs, scores,
"use this prompt") from ``ui/results.py``. Each module gives the page its context through one
function, so either can grow without touching the other.

This module also holds the two actions on the prompt as a whole: editing it (which makes a
version, as ``PATCH /prompts/{id}`` does) and deleting it (after a confirmation)."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter.api.models import PromptPatch
from promptcrafter.api.responses import prompt_body
from promptcrafter.errors import PreconditionFailed
from promptcrafter.store import prompts
from promptcrafter.store.database import Row
from promptcrafter.templates import segments
from promptcrafter.ui import history, results
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import FormInvalid, as_lf, read_form, split_tags, validate
from promptcrafter.ui.prompt_refs import CONFIRMED, prompt_id_of, url_of

PATCH_INVALID = "Submitted data is invalid."
STALE = prompts.STALE


def facts(row: Row) -> dict[str, Any]:
    """What the page header shows, decoded from the row's JSON columns."""
    labels: dict[str, int] = orjson.loads(row[prompts.LABELS])
    return {
        "tags": orjson.loads(row[prompts.TAGS]),
        "labels": labels,
        "segments": segments(row[prompts.CONTENT]),
    }


@page()
async def prompt_page(request: Request, visitor: Visitor) -> Response:
    prompt_id = prompt_id_of(request)
    row = await prompts.get(visitor.services.db, visitor.user.id, prompt_id)
    prompt = prompt_body(row)
    context: dict[str, Any] = {"prompt": prompt, **facts(row)}
    context.update(await history.sections(request, visitor, prompt))
    context.update(await results.sections(request, visitor, prompt))
    return render(request, visitor, "prompt.html", **context)


# --- edit -------------------------------------------------------------------------------------


def _form_values(row: Row) -> dict[str, str]:
    tags: list[str] = orjson.loads(row[prompts.TAGS])
    return {
        "title": row[prompts.TITLE],
        "content": row[prompts.CONTENT],
        "model": row[prompts.MODEL],
        "tags": ", ".join(tags),
        "commitMessage": "",
        "version": str(row[prompts.VERSION]),
    }


def _edit_page(
    request: Request,
    visitor: Visitor,
    row: Row,
    values: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        visitor,
        "prompt_edit.html",
        status=status,
        prompt=prompt_body(row),
        values=values,
        errors=errors or {},
    )


@page()
async def edit_page(request: Request, visitor: Visitor) -> Response:
    """The edit form on a page of its own: where ``Edit`` leads (no script needed)."""
    row = await prompts.get(visitor.services.db, visitor.user.id, prompt_id_of(request))
    return _edit_page(request, visitor, row, _form_values(row))


def as_sent(stored: str) -> str:
    """What a browser sends back for ``stored`` shown in a one-line ``<input>``: the HTML
    standard has it strip every CR and LF from the value (a title, model or tag may hold them
    when written through the API)."""
    return stored.replace("\r", "").replace("\n", "")


def _edited(sent: str, stored: str) -> bool:
    return sent != stored and sent != as_sent(stored)


def changed_fields(row: Row, form: dict[str, str]) -> dict[str, Any]:
    """Only what differs from the stored prompt, typed as the API's model wants it. A
    one-line field the browser sent back as it showed it is unchanged, whatever line breaks
    the stored value holds."""
    changes: dict[str, Any] = {}
    if _edited(form["title"], row[prompts.TITLE]):
        changes["title"] = form["title"]
    if as_lf(form["content"]) != as_lf(row[prompts.CONTENT]):
        changes["content"] = as_lf(form["content"])
    if _edited(form["model"], row[prompts.MODEL]):
        changes["model"] = form["model"]
    stored: list[str] = orjson.loads(row[prompts.TAGS])
    # The field as the form wrote it counts as unchanged, so a tag holding a comma or edge
    # blanks (possible through the API) is not split or trimmed by an edit of another field.
    tags = split_tags(form["tags"])
    if _edited(form["tags"], ", ".join(stored)) and tags != stored:
        changes["tags"] = tags
    return changes


def expected_of(text: str) -> int:
    """The version the form was filled in from; 0 (matching none) when it is not a number."""
    digits = text.strip()
    return int(digits) if digits.isascii() and digits.isdigit() and len(digits) <= 10 else 0


@page()
async def edit_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    db, owner = visitor.services.db, visitor.user.id
    row = await prompts.get(db, owner, prompt_id)
    values = {name: form.text(name) for name in _form_values(row)}
    expected = expected_of(values["version"])
    if expected != row[prompts.VERSION]:
        # Saved elsewhere meanwhile: keep what was typed, and let a second Save (now made
        # knowingly, against the version shown) go through.
        values["version"] = str(row[prompts.VERSION])
        return _edit_page(request, visitor, row, values, {"_form": STALE}, status=412)
    changes = changed_fields(row, values)
    if not changes:
        return redirect(url_of(prompt_id, "?notice=unchanged"))
    data = dict(changes)
    if values["commitMessage"].strip():
        data["commitMessage"] = values["commitMessage"]
    try:
        patch = validate(PromptPatch, data, PATCH_INVALID)
    except FormInvalid as exc:
        return _edit_page(request, visitor, row, values, exc.errors, status=400)
    try:
        await prompts.update(
            db,
            owner,
            prompt_id,
            patch.model_dump(exclude_unset=True, exclude={"commitMessage"}),
            expected,
            commit_message=patch.commitMessage,
            actor=owner,
        )
    except PreconditionFailed as exc:
        fresh = await prompts.get(db, owner, prompt_id)
        values["version"] = str(fresh[prompts.VERSION])
        return _edit_page(request, visitor, fresh, values, {"_form": exc.message}, status=412)
    return redirect(url_of(prompt_id, "?notice=saved"))


# --- delete -----------------------------------------------------------------------------------


@page()
async def delete_page(request: Request, visitor: Visitor) -> Response:
    """The confirmation asked without script (with it, the form's ``data-confirm`` asks)."""
    prompt_id = prompt_id_of(request)
    row = await prompts.get(visitor.services.db, visitor.user.id, prompt_id)
    return render(
        request,
        visitor,
        "confirm_delete.html",
        heading=f"Delete the prompt {row[prompts.TITLE]}?",
        explanation="Its versions, labels and logs are deleted with it. This cannot be undone.",
        action=url_of(prompt_id, "/delete"),
        back=url_of(prompt_id),
        form_name="Delete prompt",
    )


@page()
async def delete_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    if form.text("confirmed") != CONFIRMED:
        # Sent without the confirmation (no script ran): ask on the page made for it.
        return redirect(url_of(prompt_id, "/delete"))
    await prompts.delete(visitor.services.db, visitor.user.id, prompt_id, None)
    return redirect("/ui/?notice=deleted")


ROUTES = [
    Route("/prompts/{id}", prompt_page, methods=["GET"]),
    Route("/prompts/{id}/edit", edit_page, methods=["GET"]),
    Route("/prompts/{id}/edit", edit_submit, methods=["POST"]),
    Route("/prompts/{id}/delete", delete_page, methods=["GET"]),
    Route("/prompts/{id}/delete", delete_submit, methods=["POST"]),
]

"""Pages reached from the Labels section: set or move a label, delete one (after a
confirmation), and a label's history. Each calls what the API's label routes call
(``store.labels``); names follow SPEC "Labels" (``latest`` is reserved)."""

from __future__ import annotations

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter.errors import MALFORMED_PARAMS, NotFound
from promptcrafter.store import labels, prompts
from promptcrafter.store.database import Row
from promptcrafter.store.versions import NO_SUCH_LABEL, NO_SUCH_VERSION
from promptcrafter.ui.core import Visitor, page, redirect, render
from promptcrafter.ui.forms import read_form
from promptcrafter.ui.prompt_refs import (
    CONFIRMED,
    label_of,
    label_problem,
    number_or_none,
    prompt_id_of,
    stored_version_choices,
    url_of,
)


async def _label_form(
    request: Request,
    visitor: Visitor,
    prompt: Row,
    name: str,
    version: str,
    errors: dict[str, str],
    status: int,
) -> Response:
    """The Set label form alone, with the refused field's sentence beside it."""
    return render(
        request,
        visitor,
        "label_form.html",
        status=status,
        prompt_id=prompt[prompts.ID],
        prompt_title=prompt[prompts.TITLE],
        version_choices=await stored_version_choices(
            visitor.services.db, visitor.user.id, prompt[prompts.ID], prompt[prompts.VERSION]
        ),
        label_name=name,
        label_version=version,
        errors=errors,
    )


@page()
async def set_label_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    db, owner = visitor.services.db, visitor.user.id
    prompt = await prompts.get(db, owner, prompt_id)
    name, given = form.text("label").strip(), form.text("version").strip()
    errors: dict[str, str] = {}
    problem = label_problem(name)
    if problem is not None:
        errors["label"] = problem
    number = number_or_none(given)
    if number is None:
        errors["version"] = MALFORMED_PARAMS
    if errors or number is None:
        return await _label_form(request, visitor, prompt, name, given, errors, 400)
    try:
        await labels.set_label(db, owner, prompt_id, name, number, owner)
    except NotFound as exc:
        if exc.message != NO_SUCH_VERSION:
            raise
        return await _label_form(
            request, visitor, prompt, name, given, {"version": exc.message}, 404
        )
    return redirect(url_of(prompt_id, "?notice=label-set#labels"))


@page()
async def delete_label_page(request: Request, visitor: Visitor) -> Response:
    prompt_id = prompt_id_of(request)
    name = label_of(request)
    prompt = await prompts.get(visitor.services.db, visitor.user.id, prompt_id)
    if name not in _labels_of(prompt):
        raise NotFound(NO_SUCH_LABEL)
    return render(
        request,
        visitor,
        "confirm_delete.html",
        heading=f"Delete the label {name} from {prompt[prompts.TITLE]}?",
        explanation="The version it names stays; the label's history is kept.",
        action=url_of(prompt_id, f"/labels/{name}/delete"),
        back=url_of(prompt_id, "#labels"),
        form_name="Delete label",
    )


def _labels_of(prompt: Row) -> dict[str, int]:
    found: dict[str, int] = orjson.loads(prompt[prompts.LABELS])
    return found


@page()
async def delete_label_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    name = label_of(request)
    if form.text("confirmed") != CONFIRMED:
        return redirect(url_of(prompt_id, f"/labels/{name}/delete"))
    await labels.delete_label(
        visitor.services.db, visitor.user.id, prompt_id, name, visitor.user.id
    )
    return redirect(url_of(prompt_id, "?notice=label-deleted#labels"))


@page()
async def label_history_page(request: Request, visitor: Visitor) -> Response:
    """Every change of the label, newest first (also after it was deleted)."""
    prompt_id = prompt_id_of(request)
    name = label_of(request)
    db, owner = visitor.services.db, visitor.user.id
    prompt = await prompts.get(db, owner, prompt_id)
    changes = [
        {"version": version, "previous": previous, "by": by, "at": at}
        for _, version, previous, by, at in await labels.history(db, owner, prompt_id, name)
    ]
    return render(
        request,
        visitor,
        "label_history.html",
        prompt_id=prompt_id,
        prompt_title=prompt[prompts.TITLE],
        label_name=name,
        changes=changes,
        current=_labels_of(prompt).get(name),
    )


ROUTES = [
    Route("/prompts/{id}/labels", set_label_submit, methods=["POST"]),
    Route("/prompts/{id}/labels/{name}/delete", delete_label_page, methods=["GET"]),
    Route("/prompts/{id}/labels/{name}/delete", delete_label_submit, methods=["POST"]),
    Route("/prompts/{id}/labels/{name}/history", label_history_page, methods=["GET"]),
]

"""Render a version of a prompt with values for its variables, and the "use this prompt"
snippets (curl, the Python SDK, the CLI) for the version or label shown.

Rendering changes nothing, but it is a POST like the API's (values may be long or private,
so they stay out of URLs and logs) and answers the result page directly: there is no state
to redirect to.
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from promptcrafter import snippets
from promptcrafter.api.models import RenderIn
from promptcrafter.api.responses import prompt_body
from promptcrafter.errors import MALFORMED_PARAMS, BadRequest, NotFound, PayloadTooLarge
from promptcrafter.store import log_pages, prompts, versions
from promptcrafter.templates import render as fill
from promptcrafter.ui.core import Visitor, page, render
from promptcrafter.ui.forms import FormInvalid, as_lf, read_form, validate
from promptcrafter.ui.results_base import (
    MAX_VERSIONS_LISTED,
    Shown,
    prompt_id_of,
    read_ref,
    ref_options,
)

FIELD = "var."  # form fields of the variables: var.<name>
LENIENT = "lenient"


def form_context(
    shown: Shown,
    versions_listed: list[int],
    names: list[str],
    *,
    ref: str,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    lenient: bool = False,
) -> dict[str, Any]:
    given = values or {}
    return {
        "action": f"{shown.url}/render",
        "ref": ref,
        "ref_options": ref_options(versions_listed, shown.labels),
        "fields": [
            {
                "name": FIELD + name,
                "id": f"render-var-{name}",
                "label": name,
                "value": given.get(name, ""),
            }
            for name in names
        ],
        "errors": errors or {},
        "lenient": lenient,
    }


def section(shown: Shown, versions_listed: list[int]) -> dict[str, Any]:
    return form_context(shown, versions_listed, shown.variables, ref=shown.ref)


@page()
async def render_submit(request: Request, visitor: Visitor) -> Response:
    form = await read_form(request, visitor)
    prompt_id = prompt_id_of(request)
    db, owner = visitor.services.db, visitor.user.id
    shown = Shown.of(request, prompt_body(await prompts.get(db, owner, prompt_id)))
    listed = await log_pages.version_numbers(db, owner, prompt_id, MAX_VERSIONS_LISTED)
    ref_text = form.text("ref").strip() or str(shown.version)
    lenient = form.text(LENIENT) == "yes"
    # Every variable field the form sent, in its order; an empty one counts as not filled in.
    # Browsers send a textarea's line breaks as CRLF: values keep LF, as the API's would.
    sent = {key[len(FIELD) :]: as_lf(value) for key, value in form.items() if key.startswith(FIELD)}
    names = list(sent)
    errors: dict[str, str] = {}
    status = 200
    result = None
    ref = read_ref(ref_text)
    if ref is None:
        errors["ref"], status = MALFORMED_PARAMS, 400
    else:
        try:
            found = await versions.get_version(db, owner, prompt_id, ref)
            names = orjson.loads(found.row[versions.VARIABLES])
            body = validate(
                RenderIn,
                {
                    "variables": {name: value for name, value in sent.items() if value != ""},
                    "strict": not lenient,
                },
            )
            filled = fill(found.row[versions.CONTENT], body.variables, body.strict)
            result = {
                "version": found.row[versions.VERSION],
                "text": filled.text,
                "missing": filled.missing,
                "unused": [name for name in filled.unused if sent.get(name)],
            }
        except NotFound as exc:
            errors["ref"], status = exc.message, exc.status_code
        except (BadRequest, PayloadTooLarge) as exc:
            errors["_form"], status = exc.message, exc.status_code
        except FormInvalid:
            errors["_form"], status = MALFORMED_PARAMS, 400
    context = form_context(
        shown, listed, names, ref=ref_text, values=sent, errors=errors, lenient=lenient
    )
    return render(
        request,
        visitor,
        "render_result.html",
        status=status,
        shown=shown,
        render=context,
        result=result,
    )


def snippets_section(visitor: Visitor, shown: Shown) -> dict[str, Any]:
    public = visitor.services.settings.public_url
    base = public.rstrip("/") if public else visitor.origin
    if shown.label is not None:
        made = snippets.usage_snippets(
            base,
            shown.prompt_id,
            label=shown.label,
            model=shown.model,
            variables=shown.variables,
        )
        name = f"label {shown.label}"
    else:
        made = snippets.usage_snippets(
            base,
            shown.prompt_id,
            version=shown.version,
            model=shown.model,
            variables=shown.variables,
        )
        name = f"version {shown.version}"
    return {
        "for": name,
        "items": [
            {"id": "snippet-curl", "title": "curl", "text": made.curl},
            {"id": "snippet-python", "title": "Python SDK", "text": made.python},
            {"id": "snippet-cli", "title": "Command line", "text": made.cli},
        ],
    }


ROUTES = [Route("/prompts/{id}/render", render_submit, methods=["POST"])]

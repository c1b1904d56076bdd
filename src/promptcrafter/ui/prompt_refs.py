"""What the prompt page's modules share: reading the prompt id, version numbers and label
names from a path or a form, and the page's URLs. Kept apart so that ``prompt_page`` (which
assembles the page from ``history`` and ``results``) and the history pages need not import
each other."""

from __future__ import annotations

import re

from starlette.requests import Request

from promptcrafter.api.models import LABEL_PATTERN
from promptcrafter.api.params import RESERVED, version_number
from promptcrafter.errors import MALFORMED_PARAMS, BadRequest
from promptcrafter.ids import PROMPT_ID
from promptcrafter.store import log_pages
from promptcrafter.store.database import Database
from promptcrafter.store.versions import LATEST, Ref

ID_INVALID = "The prompt ID format is invalid."
# A hidden field a confirmation sets (the dialog's script or the confirmation page's form);
# a delete sent without it is only asked about, never done.
CONFIRMED = "yes"

_NUMBER = re.compile(r"0*[1-9][0-9]*")
_LABEL = re.compile(LABEL_PATTERN)


def prompt_id_of(request: Request) -> str:
    prompt_id = str(request.path_params["id"])
    if not PROMPT_ID.fullmatch(prompt_id):
        raise BadRequest(ID_INVALID)
    return prompt_id


def url_of(prompt_id: str, rest: str = "") -> str:
    return f"/ui/prompts/{prompt_id}{rest}"


def number_or_none(text: str) -> int | None:
    """A version number (an integer >= 1, in ASCII digits), else None."""
    if not text.isascii() or not _NUMBER.fullmatch(text):
        return None
    return version_number(text)


def version_of(text: str) -> int:
    """A version number from a path or a form; 400 with the API's sentence otherwise."""
    number = number_or_none(text)
    if number is None:
        raise BadRequest(MALFORMED_PARAMS)
    return number


def ref_or_none(text: str) -> Ref | None:
    """A version number or a label name (``latest`` included), as the API's diff takes."""
    number = number_or_none(text)
    if number is not None:
        return number
    return text if text.isascii() and _LABEL.fullmatch(text) else None


def label_problem(name: str) -> str | None:
    """Why ``name`` cannot be set or deleted, in the API's words; None when it can."""
    if not name.isascii() or not _LABEL.fullmatch(name):
        return MALFORMED_PARAMS
    if name == LATEST:
        return RESERVED
    return None


def label_of(request: Request) -> str:
    name = str(request.path_params["name"])
    problem = label_problem(name)
    if problem is not None:
        raise BadRequest(problem)
    return name


# A select of version numbers stays usable (and the page small) for long histories; older
# numbers can still be typed into the URL of the version or diff page.
MAX_CHOICES = 1000


def version_choices(current: int, lowest: int = 1) -> list[tuple[int, str]]:
    """``(number, text)`` options, newest first, for the page's version selects."""
    bottom = max(lowest, current - MAX_CHOICES + 1, 1)
    return [
        (n, f"{n} (current)" if n == current else str(n)) for n in range(current, bottom - 1, -1)
    ]


async def stored_version_choices(
    db: Database, owner: str, prompt_id: str, current: int
) -> list[tuple[int, str]]:
    """``version_choices`` from the versions stored (an imported history may start above 1)."""
    numbers = await log_pages.version_numbers(db, owner, prompt_id, MAX_CHOICES)
    return [(n, f"{n} (current)" if n == current else str(n)) for n in numbers]

"""Path and query parameters shared by the registry routes, and their checks.

Version numbers and label names are validated by FastAPI (so the order path, then query,
then body holds) and have a sentence of their own, apart from the prompt id's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from promptcrafter.api.models import LABEL_PATTERN
from promptcrafter.errors import MALFORMED_PARAMS, BadRequest
from promptcrafter.store.versions import LATEST, MAX_VERSION

RESERVED = 'The label "latest" is reserved.'
_NUMBER = r"^0*[1-9][0-9]*$"  # an integer >= 1, in digits

VersionPath = Annotated[
    str, Path(alias="n", pattern=_NUMBER, description="A version number (an integer >= 1).")
]
RESERVED_TYPE = "reserved_label"


def _not_reserved(name: str) -> str:
    # Checked with the path (so before the body), and answered with its own sentence.
    if name == LATEST:
        raise PydanticCustomError(RESERVED_TYPE, "the label latest is reserved")
    return name


LabelPath = Annotated[
    str,
    Path(alias="name", pattern=LABEL_PATTERN, description="A label name (`latest` is reserved)."),
    AfterValidator(_not_reserved),
]
VersionQuery = Annotated[
    str | None,
    Query(
        alias="version",
        pattern=_NUMBER,
        description="The prompt as of this version (not with `label`).",
    ),
]
LabelQuery = Annotated[
    str | None,
    Query(
        alias="label",
        pattern=LABEL_PATTERN,
        description="The prompt as of the version this label names (`latest`: the current).",
    ),
]
# For ``sentences(named=...)``: what a malformed version or label in the path says.
REGISTRY_PARAMS = {"n": MALFORMED_PARAMS, "name": MALFORMED_PARAMS}


def version_number(digits: str) -> int:
    """The number the digits spell; one that no version can have (404) when too large."""
    stripped = digits.lstrip("0")
    return int(stripped) if len(stripped) <= 10 else MAX_VERSION + 1


def version_or_label(version: str | None, label: str | None) -> int | str | None:
    """The reference a ``version``/``label`` query pair names (None for neither)."""
    if version is not None and label is not None:
        raise BadRequest(MALFORMED_PARAMS)
    if version is not None:
        return version_number(version)
    return label

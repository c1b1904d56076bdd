"""What the results sections (render, logs, scores, snippets) share: the prompt as shown,
version and label references, query strings that keep the rest of the page's state, and
number formats."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from starlette.requests import Request

from promptcrafter.store.versions import LATEST
from promptcrafter.ui.prompt_refs import prompt_id_of as prompt_id_of
from promptcrafter.ui.prompt_refs import ref_or_none

MAX_VERSIONS_LISTED = 500  # newest versions offered in the selects
# The prompt page's readers of ids and version references, shared with its other sections.
read_ref = ref_or_none


def json_of(value: Any) -> Any:
    """A value of ``prompt_body``: tags, labels and variables come as ``orjson.Fragment``
    (JSON text spliced into the API's answer); the page needs them as Python values."""
    if isinstance(value, orjson.Fragment):
        return orjson.loads(orjson.dumps(value))
    return value


@dataclass(frozen=True, slots=True)
class Shown:
    """The prompt as its page shows it: the version (and label, when the page was opened by
    one) that the render form and the snippets start from."""

    prompt_id: str
    title: str
    model: str
    version: int
    label: str | None
    variables: list[str]
    labels: dict[str, int]

    @classmethod
    def of(cls, request: Request, prompt: Mapping[str, Any]) -> Shown:
        labels: dict[str, int] = dict(json_of(prompt["labels"]))
        label = request.query_params.get("label")
        if label is not None and label != LATEST and labels.get(label) != prompt["version"]:
            label = None  # only a label that names the version shown
        return cls(
            prompt_id=prompt["_id"],
            title=prompt["title"],
            model=prompt["model"],
            version=prompt["version"],
            label=label,
            variables=list(json_of(prompt["variables"])),
            labels=labels,
        )

    @property
    def ref(self) -> str:
        return self.label or str(self.version)

    @property
    def url(self) -> str:
        return f"/ui/prompts/{self.prompt_id}"


def ref_options(versions: Iterable[int], labels: Mapping[str, int]) -> list[tuple[str, str]]:
    """Options of a version-or-label select: versions newest first, then the labels."""
    options = [(str(number), f"Version {number}") for number in versions]
    options += [(name, f"Label {name} (version {labels[name]})") for name in sorted(labels)]
    return options


def kept_params(request: Request, own: Iterable[str]) -> list[tuple[str, str]]:
    """The page's query parameters that belong to other sections (a version being viewed,
    a diff): a section's GET form and links repeat them, so using one section leaves the
    rest of the page as it was."""
    skip = {*own, "notice"}
    return [(name, value) for name, value in request.query_params.multi_items() if name not in skip]


def page_url(base: str, params: Iterable[tuple[str, str]], anchor: str) -> str:
    query = urlencode([(name, value) for name, value in params if value != ""])
    return f"{base}{'?' + query if query else ''}#{anchor}"


def number(value: float | None, places: int = 2) -> str:
    """A figure for people: two decimals, without trailing zeros; a dash for none."""
    if value is None or not math.isfinite(value):
        return "–"
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def interval(bounds: tuple[float, float] | list[float] | None) -> str:
    if bounds is None:
        return "–"
    return f"{number(bounds[0])} to {number(bounds[1])}"


def p_value(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.0001:
        return "< 0.0001"
    return f"{value:.4f}"

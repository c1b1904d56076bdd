"""The registry's operations (versions, labels, render, analytics, paged listings) as
:class:`Call` descriptions, shared by both clients like ``_endpoints``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

import httpx

from promptcrafter.client._common import Call, read_list, read_nothing, read_object
from promptcrafter.client._endpoints import prompt_path, segment, version_number
from promptcrafter.client._types import Label, LabelChange, Prompt, Rendered, Version

Item = TypeVar("Item")
# A version number or a label name: wherever the API takes one, it takes either.
Ref = int | str

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


@dataclass(frozen=True, slots=True)
class Page(Generic[Item]):
    """One page of a listing and the relative URL of the next one (None on the last)."""

    items: list[Item]
    next: str | None


def _page(response: httpx.Response) -> Page[Any]:
    link = response.links.get("next")
    return Page(read_list(response), link.get("url") if link else None)


def _versions(response: httpx.Response) -> list[Version]:
    return cast(list[Version], read_list(response))


def _labels(response: httpx.Response) -> list[Label]:
    return cast(list[Label], read_list(response))


def ref_text(ref: Ref, what: str) -> str:
    """A version or label as a query value; booleans and blanks are mistakes, not refs."""
    if isinstance(ref, bool) or not isinstance(ref, int | str):
        raise TypeError(f"{what} must be a version number or a label name")
    text = str(ref)
    if not text.strip():
        raise ValueError(f"{what} must not be empty")
    return text


def _version_path(prompt_id: str, version: int) -> str:
    return f"{prompt_path(prompt_id)}/versions/{version_number(version)}"


def _label_path(prompt_id: str, name: str) -> str:
    return f"{prompt_path(prompt_id)}/labels/{segment(name, 'label name')}"


# --- versions and labels ---------------------------------------------------------------------


def get_versions(prompt_id: str) -> Call[list[Version]]:
    return Call("GET", f"{prompt_path(prompt_id)}/versions", _versions)


def get_version(prompt_id: str, version: int) -> Call[Version]:
    return Call("GET", _version_path(prompt_id, version), lambda r: cast(Version, read_object(r)))


def restore_version(prompt_id: str, version: int, commit_message: str | None) -> Call[Prompt]:
    body = {} if commit_message is None else {"commitMessage": commit_message}
    path = f"{_version_path(prompt_id, version)}/restore"
    return Call("POST", path, lambda r: cast(Prompt, read_object(r)), body=body)


def set_label(prompt_id: str, name: str, version: int) -> Call[Label]:
    body = {"version": version_number(version)}
    return Call("PUT", _label_path(prompt_id, name), lambda r: cast(Label, read_object(r)), body)


def delete_label(prompt_id: str, name: str) -> Call[None]:
    return Call("DELETE", _label_path(prompt_id, name), read_nothing)


def get_labels(prompt_id: str) -> Call[list[Label]]:
    return Call("GET", f"{prompt_path(prompt_id)}/labels", _labels)


def get_label_history(prompt_id: str, name: str) -> Call[list[LabelChange]]:
    path = f"{_label_path(prompt_id, name)}/history"
    return Call("GET", path, lambda r: cast(list[LabelChange], read_list(r)))


# --- render and analytics --------------------------------------------------------------------


def render(
    prompt_id: str,
    variables: Mapping[str, Any] | None,
    version: int | None,
    label: str | None,
    strict: bool,
) -> Call[Rendered]:
    if version is not None and label is not None:
        raise ValueError("give a version or a label, not both")
    body: dict[str, Any] = {"variables": dict(variables or {})}
    if version is not None:
        body["version"] = version_number(version)
    if label is not None:
        body["label"] = ref_text(label, "label")
    if not strict:
        body["strict"] = False
    path = f"{prompt_path(prompt_id)}/render"
    return Call("POST", path, lambda r: cast(Rendered, read_object(r)), body=body)


def get_stats(prompt_id: str, by: str | Sequence[str] | None) -> Call[dict[str, Any]]:
    params = None
    if by is not None:
        params = {"by": by if isinstance(by, str) else ",".join(by)}
    return Call("GET", f"{prompt_path(prompt_id)}/stats", read_object, params=params)


def compare(prompt_id: str, a: Ref, b: Ref, model: str | None) -> Call[dict[str, Any]]:
    params = {"a": ref_text(a, "a"), "b": ref_text(b, "b")}
    if model is not None:
        params["model"] = model
    return Call("GET", f"{prompt_path(prompt_id)}/compare", read_object, params=params)


def diff(prompt_id: str, from_: Ref | None, to: Ref | None) -> Call[dict[str, Any]]:
    params = {}
    if from_ is not None:
        params["from"] = ref_text(from_, "from_")
    if to is not None:
        params["to"] = ref_text(to, "to")
    return Call("GET", f"{prompt_path(prompt_id)}/diff", read_object, params=params or None)


# --- paged listings --------------------------------------------------------------------------


def _query(filters: Mapping[str, object]) -> dict[str, str]:
    """Query parameters from keyword filters; None means "not given"."""
    params: dict[str, str] = {}
    for name, value in filters.items():
        if value is None:
            continue
        if isinstance(value, bool):
            params[name] = "true" if value else "false"
        else:
            params[name] = str(value)
    return params


def first_page(path: str, page_size: int, filters: Mapping[str, object]) -> Call[Page[Any]]:
    if isinstance(page_size, bool) or not 1 <= page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"page_size must be from 1 to {MAX_PAGE_SIZE}")
    params = {**_query(filters), "limit": str(page_size)}
    return Call("GET", path, _page, params=params)


def next_page(url: str) -> Call[Page[Any]]:
    """The page a ``Link: rel="next"`` names. The server gives a relative reference (path and
    query); anything pointing elsewhere is refused rather than followed with our token."""
    target = httpx.URL(url)
    if target.is_absolute_url or not target.path.startswith("/"):
        raise ValueError(f"refusing to follow a next link that leaves the server: {url!r}")
    return Call("GET", url, _page)

"""Reading a submitted form: same-origin and CSRF checks first, then strict decoding, then
validation with the API's own models so the UI shows the contract's sentences."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from promptcrafter.api.errors import PASSWORD_POLICY
from promptcrafter.errors import MISSING_OR_INVALID, BadRequest, Forbidden, UnsupportedMediaType
from promptcrafter.security.browser import same_origin, same_token
from promptcrafter.ui.core import Visitor

CROSS_SITE = "This form was sent from another site; open the page again and resend it."
CSRF_REFUSED = "This form has expired or was not sent by this site; reload the page and try again."
NOT_A_FORM = "Send the form as application/x-www-form-urlencoded."
UNREADABLE = "The form could not be read."
# The body is at most 1 MiB already; a render form has a field per template variable.
MAX_FIELDS = 10_000

M = TypeVar("M", bound=BaseModel)


class Form(Mapping[str, str]):
    """The submitted fields; ``get`` gives the first value, ``getlist`` every value."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self._pairs = pairs
        self._first: dict[str, str] = {}
        for name, value in pairs:
            self._first.setdefault(name, value)

    def __getitem__(self, name: str) -> str:
        return self._first[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._first)

    def __len__(self) -> int:
        return len(self._first)

    def getlist(self, name: str) -> list[str]:
        return [value for key, value in self._pairs if key == name]

    def text(self, name: str) -> str:
        return self._first.get(name, "")


class FormInvalid(Exception):
    """Fields whose values were refused, each with the sentence to show beside it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def check_origin(request: Request, visitor: Visitor) -> None:
    headers = request.headers
    if not same_origin(headers.get("origin"), headers.get("sec-fetch-site"), visitor.origin):
        raise Forbidden(CROSS_SITE)


async def read_form(request: Request, visitor: Visitor) -> Form:
    """The form of a state-changing request, or 403/415/400 before anything changes."""
    check_origin(request, visitor)
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media != "application/x-www-form-urlencoded":
        raise UnsupportedMediaType(NOT_A_FORM)
    form = decode(await request.body())
    if not same_token(form.get("csrf"), visitor.csrf):
        raise Forbidden(CSRF_REFUSED)
    return form


def decode(body: bytes) -> Form:
    from urllib.parse import parse_qsl

    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            strict_parsing=False,
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        raise BadRequest(UNREADABLE) from None
    if any("\x00" in name or "\x00" in value for name, value in pairs):
        raise BadRequest(UNREADABLE)
    return Form(pairs)


def split_tags(text: str) -> list[str]:
    """``"a, b,,c "`` -> ``["a", "b", "c"]``: the Tags field is comma-separated, and the
    order typed is kept (it counts)."""
    return [tag.strip() for tag in text.split(",") if tag.strip()]


def as_lf(text: str) -> str:
    """Browsers send a textarea's line breaks as CRLF (a lone CR too) whatever was typed; a
    prompt keeps LF, as one written through the API would, so forms never make a change of
    line endings alone."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def validate(model: type[M], data: Mapping[str, Any], sentence: str = MISSING_OR_INVALID) -> M:
    """``model`` from the form's values, or ``FormInvalid`` naming each refused field with
    the sentence the JSON API would answer (submitted values are never echoed in it)."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            location = error.get("loc") or ("",)
            field = str(location[0]) if location else ""
            said = PASSWORD_POLICY if error.get("type") == "password_policy" else sentence
            errors.setdefault(field, said)
        raise FormInvalid(errors) from None

"""Encoding rows as the contract's JSON, with orjson, and the list streams."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import orjson
from starlette.responses import Response, StreamingResponse

from promptcrafter.clock import iso_ms
from promptcrafter.security.apikeys import PREFIX
from promptcrafter.store import apikeys, labels, logs, prompts, versions
from promptcrafter.store.database import Row
from promptcrafter.store.users import User

JSON = "application/json"


class ORJSONResponse(Response):
    media_type = JSON

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class JSONBytes(Response):
    """An answer of JSON already encoded, its few headers made here: Starlette's general
    header handling (a dict normalised per answer) was a tenth of a point read's Python time."""

    media_type = JSON

    def __init__(
        self, body: bytes, status_code: int = 200, headers: Sequence[tuple[bytes, bytes]] = ()
    ) -> None:
        self.body = body
        self.status_code = status_code
        self.background = None
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", b"application/json"),
            *headers,
        ]


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return ORJSONResponse({"error": message}, status_code=status, headers=headers)


def user_body(user: User) -> dict[str, Any]:
    return {
        "_id": user.id,
        "name": user.name,
        "email": user.email,
        "createdAt": iso_ms(user.created_at),
    }


def _maybe_iso(ms: int | None) -> str | None:
    return None if ms is None else iso_ms(ms)


def api_key_body(row: Row) -> dict[str, Any]:
    return {
        "_id": row[apikeys.ID],
        "name": row[apikeys.NAME],
        "scope": row[apikeys.SCOPE],
        "prefix": PREFIX + row[apikeys.LOOKUP],
        "createdAt": iso_ms(row[apikeys.CREATED]),
        "expiresAt": _maybe_iso(row[apikeys.EXPIRES]),
        "lastUsedAt": _maybe_iso(row[apikeys.LAST_USED]),
    }


def prompt_body(row: Row) -> dict[str, Any]:
    return {
        "_id": row[prompts.ID],
        "ownerId": row[prompts.OWNER],
        "title": row[prompts.TITLE],
        "content": row[prompts.CONTENT],
        "model": row[prompts.MODEL],
        # Stored as JSON text written by orjson itself, so it can be spliced in unparsed.
        "tags": orjson.Fragment(row[prompts.TAGS]),
        "createdAt": iso_ms(row[prompts.CREATED]),
        "updatedAt": iso_ms(row[prompts.UPDATED]),
        "version": row[prompts.VERSION],
        # Both computed when the prompt was written, and spliced in like the tags.
        "labels": orjson.Fragment(row[prompts.LABELS]),
        "variables": orjson.Fragment(row[prompts.VARIABLES]),
    }


def etag(row: Row) -> str:
    return f'"{row[prompts.VERSION]}"'


def prompt_response(row: Row, status: int = 200) -> Response:
    tag = etag(row).encode("latin-1")
    return JSONBytes(orjson.dumps(prompt_body(row)), status, ((b"etag", tag),))


def version_body(row: Row, names: list[str]) -> dict[str, Any]:
    """A version row (``versions.COLUMNS``) with the sorted label names pointing at it."""
    return {
        "promptId": row[versions.PROMPT],
        "version": row[versions.VERSION],
        "title": row[versions.TITLE],
        "content": row[versions.CONTENT],
        "model": row[versions.MODEL],
        "tags": orjson.Fragment(row[versions.TAGS]),
        "variables": orjson.Fragment(row[versions.VARIABLES]),
        "commitMessage": row[versions.COMMIT_MESSAGE],
        "labels": names,
        "createdAt": iso_ms(row[versions.CREATED]),
    }


def label_body(row: Row) -> dict[str, Any]:
    return {
        "name": row[labels.NAME],
        "version": row[labels.VERSION],
        "updatedAt": iso_ms(row[labels.UPDATED]),
    }


def label_change_body(row: Row) -> dict[str, Any]:
    name, version, previous, by, at = row
    return {
        "name": name,
        "version": version,
        "previousVersion": previous,
        "by": by,
        "at": iso_ms(at),
    }


def json_response(content: Any, status: int = 200) -> Response:
    return JSONBytes(orjson.dumps(content), status)


def _score(value: float | None) -> float | int | None:
    # 7 goes in, 7 comes out (not 7.0); 7.5 stays 7.5.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def log_body(row: Row) -> dict[str, Any]:
    return {
        "_id": row[logs.ID],
        "promptId": row[logs.PROMPT],
        "output": row[logs.OUTPUT],
        "modelUsed": row[logs.MODEL_USED],
        "notes": row[logs.NOTES],
        "score": _score(row[logs.SCORE]),
        "createdAt": iso_ms(row[logs.CREATED]),
        "promptVersion": row[logs.PROMPT_VERSION],
        "label": row[logs.LABEL],
        "model": row[logs.MODEL_USED],  # the public OpenAPI file's name for modelUsed
    }


def log_response(row: Row, status: int = 200) -> Response:
    return JSONBytes(orjson.dumps(log_body(row)), status)


def json_array(rows: list[Row], encode: Callable[[Row], dict[str, Any]]) -> Response:
    return Response(orjson.dumps([encode(row) for row in rows]), media_type=JSON)


async def array_response(
    pages: AsyncIterator[list[Row]], encode: Callable[[Row], dict[str, Any]]
) -> Response:
    """A JSON array of every row the pages yield.

    The first page is read before answering, so a failing database still gets a proper error
    status. A listing that fits in one page is sent whole; a longer one is streamed page by
    page, so a 100,000-item library never sits in memory at once.
    """
    first = await anext(pages, None)
    if first is None:
        return Response(b"[]", media_type=JSON)
    head = orjson.dumps([encode(row) for row in first])
    following = await anext(pages, None)
    if following is None:
        return Response(head, media_type=JSON)

    async def chunks() -> AsyncIterator[bytes]:
        yield head[:-1]  # the opening bracket and the first page, array left open
        page: list[Row] | None = following
        while page is not None:
            yield b"," + orjson.dumps([encode(row) for row in page])[1:-1]
            page = await anext(pages, None)
        yield b"]"

    return StreamingResponse(chunks(), media_type=JSON)

"""Prompts. Ownership is part of every statement; a second look only explains a miss."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson

from promptcrafter.clock import now_ms
from promptcrafter.errors import Forbidden, NotFound, PreconditionFailed
from promptcrafter.ids import new_prompt_id
from promptcrafter.store.database import AFTER, Database, Row, keyset_pages, sql
from promptcrafter.store.folding import fold_content, fold_tags, fold_title

# Column order of every prompt row handed to the API layer.
COLUMNS = "id, owner_id, title, content, model, tags, created_at, updated_at, version"
ID, OWNER, TITLE, CONTENT, MODEL, TAGS, CREATED, UPDATED, VERSION = range(9)

NOT_FOUND = "No prompt found with the specified ID."
CANNOT_READ = "You do not have permission to access this resource."
NOT_YOURS = "Prompt does not belong to the authenticated user."
STALE = "The prompt was changed since you read it (If-Match does not match its ETag)."

PAGE = 500

_INSERT = sql(
    "INSERT INTO prompts (id, owner_id, title, content, model, tags, created_at, updated_at, "
    "version, search_title, search_tags, search_content) "
    "VALUES (:id, :owner, :title, :content, :model, :tags, :now, :now, 1, "
    f":search_title, :search_tags, :search_content) RETURNING {COLUMNS}"
)
_GET = sql(f"SELECT owner_id = :owner, {COLUMNS} FROM prompts WHERE id = :id")
_PAGE = sql(
    f"SELECT created_at, seq, {COLUMNS} FROM prompts WHERE owner_id = :owner AND {AFTER} "
    "ORDER BY created_at, seq LIMIT :limit"
)
# Absent fields are passed as NULL and keep their stored value. updated_at always moves
# forward, even for two edits within one millisecond. A negative :expected skips If-Match.
_UPDATE = sql(
    "UPDATE prompts SET "
    "title = COALESCE(:title, title), content = COALESCE(:content, content), "
    "model = COALESCE(:model, model), tags = COALESCE(:tags, tags), "
    "search_title = COALESCE(:search_title, search_title), "
    "search_tags = COALESCE(:search_tags, search_tags), "
    "search_content = COALESCE(:search_content, search_content), "
    "version = version + 1, "
    "updated_at = CASE WHEN :now > updated_at THEN :now ELSE updated_at + 1 END "
    "WHERE id = :id AND owner_id = :owner AND (:expected < 0 OR version = :expected) "
    f"RETURNING {COLUMNS}"
)
_DELETE = sql(
    "DELETE FROM prompts WHERE id = :id AND owner_id = :owner "
    "AND (:expected < 0 OR version = :expected) RETURNING id"
)
_EXPLAIN_MISS = sql("SELECT owner_id = :owner, version FROM prompts WHERE id = :id")


def encode_tags(tags: Sequence[str]) -> str:
    return orjson.dumps(list(tags)).decode()


async def create(
    db: Database, owner: str, title: str, content: str, model: str, tags: Sequence[str]
) -> Row:
    params = {
        "id": new_prompt_id(),
        "owner": owner,
        "title": title,
        "content": content,
        "model": model,
        "tags": encode_tags(tags),
        "now": now_ms(),
        "search_title": fold_title(title),
        "search_tags": fold_tags(tags),
        "search_content": fold_content(content),
    }
    [rows] = await db.write([(_INSERT, params)])
    return rows[0]


async def get(db: Database, owner: str, prompt_id: str) -> Row:
    row = await db.fetch_one(_GET, {"owner": owner, "id": prompt_id})
    if row is None:
        raise NotFound(NOT_FOUND)
    if not row[0]:
        raise Forbidden(CANNOT_READ)
    return row[1:]


def pages(db: Database, owner: str) -> AsyncIterator[list[Row]]:
    """The owner's prompts, oldest first, a page at a time."""
    return keyset_pages(db, _PAGE, {"owner": owner}, PAGE)


async def update(
    db: Database,
    owner: str,
    prompt_id: str,
    changes: dict[str, Any],
    expected_version: int | None,
) -> Row:
    title, content, tags = changes.get("title"), changes.get("content"), changes.get("tags")
    params = {
        "id": prompt_id,
        "owner": owner,
        "title": title,
        "content": content,
        "model": changes.get("model"),
        "tags": None if tags is None else encode_tags(tags),
        "search_title": None if title is None else fold_title(title),
        "search_tags": None if tags is None else fold_tags(tags),
        "search_content": None if content is None else fold_content(content),
        "now": now_ms(),
        "expected": -1 if expected_version is None else expected_version,
    }
    [rows] = await db.write([(_UPDATE, params)])
    if not rows:
        await _explain_miss(db, owner, prompt_id)
    return rows[0]


async def delete(db: Database, owner: str, prompt_id: str, expected_version: int | None) -> None:
    params = {
        "id": prompt_id,
        "owner": owner,
        "expected": -1 if expected_version is None else expected_version,
    }
    [rows] = await db.write([(_DELETE, params)])
    if not rows:
        await _explain_miss(db, owner, prompt_id)


async def _explain_miss(db: Database, owner: str, prompt_id: str) -> None:
    row = await db.fetch_one(_EXPLAIN_MISS, {"owner": owner, "id": prompt_id})
    if row is None:
        raise NotFound(NOT_FOUND)
    if not row[0]:
        raise Forbidden(NOT_YOURS)
    raise PreconditionFailed(STALE)

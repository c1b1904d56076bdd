"""Prompts. Ownership is part of every statement; a second look only explains a miss."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import orjson

from promptcrafter import grams
from promptcrafter.clock import now_ms
from promptcrafter.errors import (
    TOKEN_INVALID,
    Forbidden,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)
from promptcrafter.ids import new_prompt_id
from promptcrafter.store.database import (
    AFTER,
    Database,
    ForeignKeyViolation,
    Params,
    Query,
    Row,
    keyset_pages,
    sql,
)
from promptcrafter.store.folding import PAD, fold_content, fold_tags, fold_title
from promptcrafter.templates import variables

# Column order of every prompt row handed to the API layer. ``variables`` and ``labels`` are
# JSON text kept up to date by every write, so a read neither parses nor joins.
COLUMNS = (
    "id, owner_id, title, content, model, tags, created_at, updated_at, version, variables, labels"
)
ID, OWNER, TITLE, CONTENT, MODEL, TAGS, CREATED, UPDATED, VERSION, VARIABLES, LABELS = range(11)
FIELDS = ("title", "content", "model", "tags")  # what a version snapshots

NOT_FOUND = "No prompt found with the specified ID."
CANNOT_READ = "You do not have permission to access this resource."
NOT_YOURS = "Prompt does not belong to the authenticated user."
STALE = "The prompt was changed since you read it (If-Match does not match its ETag)."

PAGE = 500

_INSERT_TEXT = (
    "INSERT INTO prompts (id, owner_id, title, content, model, tags, created_at, updated_at, "
    "version, variables, search_title, search_tags, search_content{grams}) "
    "VALUES (:id, :owner, :title, :content, :model, :tags, :now, :now, :first_version, :variables, "
    f":search_title, :search_tags, :search_content{{grams_values}}) RETURNING {COLUMNS}"
)
_INSERT = sql(_INSERT_TEXT.format(grams="", grams_values=""))
# The snapshot of the prompt's current state as its version row, in the same transaction as
# the write that made that state. After an UPDATE that changed nothing the current version
# already has its row, and NOT EXISTS makes this insert nothing; the primary key would refuse
# a duplicate anyway.
SNAPSHOT = sql(
    "INSERT INTO prompt_versions (prompt_id, version, title, content, model, tags, variables, "
    "commit_message, created_at, created_by) "
    "SELECT p.id, p.version, p.title, p.content, p.model, p.tags, p.variables, "
    "CAST(:commit_message AS TEXT), p.updated_at, CAST(:actor AS TEXT) FROM prompts p "
    "WHERE p.id = :id AND p.owner_id = :owner AND NOT EXISTS ("
    "SELECT 1 FROM prompt_versions v WHERE v.prompt_id = p.id AND v.version = p.version)"
)
_GET = sql(f"SELECT owner_id = :owner, {COLUMNS} FROM prompts WHERE id = :id")
_PAGE = sql(
    f"SELECT created_at, seq, {COLUMNS} FROM prompts WHERE owner_id = :owner AND {AFTER} "
    "ORDER BY created_at, seq LIMIT :limit"
)
# Absent fields are passed as NULL and keep their stored value. updated_at always moves
# forward, even for two edits within one millisecond. A negative :expected skips If-Match.
# Only a real change updates the row (and so makes a version): equal values, compared as
# stored text (tags are orjson's JSON, so tag order counts), leave it alone.
_UPDATE_TEXT = (
    "UPDATE prompts SET "
    "title = COALESCE(:title, title), content = COALESCE(:content, content), "
    "model = COALESCE(:model, model), tags = COALESCE(:tags, tags), "
    "variables = COALESCE(:variables, variables), "
    "search_title = COALESCE(:search_title, search_title), "
    "search_tags = COALESCE(:search_tags, search_tags), "
    "search_content = COALESCE(:search_content, search_content), {grams}"
    "version = version + 1, "
    "updated_at = CASE WHEN :now > updated_at THEN :now ELSE updated_at + 1 END "
    "WHERE id = :id AND owner_id = :owner AND (:expected < 0 OR version = :expected) "
    "AND (COALESCE(:title, title) <> title OR COALESCE(:content, content) <> content "
    "OR COALESCE(:model, model) <> model OR COALESCE(:tags, tags) <> tags) "
    f"RETURNING {COLUMNS}"
)
_UPDATE = sql(_UPDATE_TEXT.format(grams=""))
# PostgreSQL also stores each search field's grams (promptcrafter/grams.py, migration 0011).
_PG_INSERT_TEXT = _INSERT_TEXT.format(
    grams=", grams_title, grams_tags, grams_content",
    grams_values=", :grams_title, :grams_tags, :grams_content",
)
_PG_UPDATE_TEXT = _UPDATE_TEXT.format(
    grams=(
        "grams_title = COALESCE(:grams_title, grams_title), "
        "grams_tags = COALESCE(:grams_tags, grams_tags), "
        "grams_content = COALESCE(:grams_content, grams_content), "
    )
)
# On PostgreSQL the write and its snapshot are one statement (one round trip instead of an
# explicit transaction's four): the snapshot is taken from the rows the write returned, so
# it exists exactly when the write happened.
_SNAPSHOT_OF_CHANGED = (
    "INSERT INTO prompt_versions (prompt_id, version, title, content, model, tags, variables, "
    "commit_message, created_at, created_by) "
    "SELECT id, version, title, content, model, tags, variables, "
    "CAST(:commit_message AS TEXT), updated_at, CAST(:actor AS TEXT) FROM changed"
)
_INSERT_WITH_SNAPSHOT = sql(
    f"WITH changed AS ({_PG_INSERT_TEXT}), snapshot AS ({_SNAPSHOT_OF_CHANGED}) "
    f"SELECT {COLUMNS} FROM changed"
)
_UPDATE_WITH_SNAPSHOT = sql(
    f"WITH changed AS ({_PG_UPDATE_TEXT}), snapshot AS ({_SNAPSHOT_OF_CHANGED}) "
    f"SELECT {COLUMNS} FROM changed"
)
_DELETE = sql(
    "DELETE FROM prompts WHERE id = :id AND owner_id = :owner "
    "AND (:expected < 0 OR version = :expected) RETURNING id"
)
_EXPLAIN_MISS = sql("SELECT owner_id = :owner, version FROM prompts WHERE id = :id")
_CURRENT = sql(f"SELECT {COLUMNS} FROM prompts WHERE id = :id AND owner_id = :owner")
# An unchanged PATCH that keeps meeting concurrent changes gives up after this many looks.
_ATTEMPTS = 5


async def _write_versioned(
    db: Database, write: Query, combined: Query, params: Params, snapshot: Params
) -> list[Row]:
    """Run a prompt write and the snapshot of its result in one transaction; its rows."""
    if db.engine == "postgresql":
        texts = [params[f"search_{name}"] for name in _SEARCHED]
        if sum(len(text) for text in texts if text) > _LONG_TEXT:
            # A long text of new words takes ~3 us a word: numbered in a thread, so that other
            # requests keep being served (the GIL is handed over every few milliseconds).
            entries = await asyncio.to_thread(_grams, texts)
        else:
            entries = _grams(texts)
        [rows] = await db.write([(combined, {**params, **entries, **snapshot})])
        return rows
    rows, _ = await db.write([(write, params), (SNAPSHOT, snapshot)])
    return rows


_SEARCHED = ("title", "tags", "content")
_LONG_TEXT = 20_000


def _grams(folded: list[str | None]) -> dict[str, list[int] | None]:
    """PostgreSQL: the index entries of the search fields a write sets (None: unchanged)."""
    return {
        f"grams_{name}": None if text is None else grams.entry(text.rstrip(PAD))
        for name, text in zip(_SEARCHED, folded, strict=True)
    }


def encode_tags(tags: Sequence[str]) -> str:
    return orjson.dumps(list(tags)).decode()


def encode_variables(content: str) -> str:
    return orjson.dumps(variables(content)).decode()


async def create(
    db: Database,
    owner: str,
    title: str,
    content: str,
    model: str,
    tags: Sequence[str],
    *,
    commit_message: str | None = None,
    actor: str | None = None,
    first_version: int = 1,
) -> Row:
    """A new prompt and its first version (1 unless an import says otherwise), in one
    transaction. ``actor`` is who is recorded as having made the version (the owner when not
    given)."""
    prompt_id = new_prompt_id()
    params = {
        "id": prompt_id,
        "owner": owner,
        "title": title,
        "content": content,
        "model": model,
        "tags": encode_tags(tags),
        "variables": encode_variables(content),
        "first_version": first_version,
        "now": now_ms(),
        "search_title": fold_title(title),
        "search_tags": fold_tags(tags),
        "search_content": fold_content(content),
    }
    snapshot = {
        "id": prompt_id,
        "owner": owner,
        "commit_message": commit_message,
        "actor": actor or owner,
    }
    try:
        rows = await _write_versioned(db, _INSERT, _INSERT_WITH_SNAPSHOT, params, snapshot)
    except ForeignKeyViolation:
        # The account was deleted after this request's credentials were checked.
        raise Unauthorized(TOKEN_INVALID) from None
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
    *,
    commit_message: str | None = None,
    actor: str | None = None,
) -> Row:
    """Apply ``changes`` (any of ``FIELDS``) and record the next version, in one transaction.
    When every given value equals the stored one nothing is written and the prompt comes back
    as it is; a stale ``expected_version`` is a 412 either way."""
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
        "variables": None if content is None else encode_variables(content),
        "expected": -1 if expected_version is None else expected_version,
    }
    snapshot = {
        "id": prompt_id,
        "owner": owner,
        "commit_message": commit_message,
        "actor": actor or owner,
    }
    for _ in range(_ATTEMPTS):
        params["now"] = now_ms()
        rows = await _write_versioned(db, _UPDATE, _UPDATE_WITH_SNAPSHOT, params, snapshot)
        if rows:
            return rows[0]
        await _explain_miss(db, owner, prompt_id, expected_version)
        # Ours, and If-Match (if any) held: so nothing would change. Answer the stored prompt
        # if it still equals the request; a concurrent edit in between means trying again.
        current = await db.fetch_one(_CURRENT, {"id": prompt_id, "owner": owner})
        if current is not None and _holds(current, params):
            return current
    raise PreconditionFailed(STALE)


def _holds(row: Row, params: dict[str, Any]) -> bool:
    stored = {"title": row[TITLE], "content": row[CONTENT], "model": row[MODEL], "tags": row[TAGS]}
    return all(params[name] is None or params[name] == stored[name] for name in FIELDS)


async def delete(db: Database, owner: str, prompt_id: str, expected_version: int | None) -> None:
    params = {
        "id": prompt_id,
        "owner": owner,
        "expected": -1 if expected_version is None else expected_version,
    }
    [rows] = await db.write([(_DELETE, params)])
    if not rows:
        await _explain_miss(db, owner, prompt_id, expected_version)
        raise PreconditionFailed(STALE)


async def _explain_miss(
    db: Database, owner: str, prompt_id: str, expected_version: int | None
) -> None:
    """Raise why a write matched no row: no prompt, someone else's, or a stale If-Match.
    Returns when none of these holds."""
    row = await db.fetch_one(_EXPLAIN_MISS, {"owner": owner, "id": prompt_id})
    if row is None:
        raise NotFound(NOT_FOUND)
    if not row[0]:
        raise Forbidden(NOT_YOURS)
    if expected_version is not None and row[1] != expected_version:
        raise PreconditionFailed(STALE)

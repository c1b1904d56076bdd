"""Logs: tested outputs of a prompt, owned through the prompt."""

from __future__ import annotations

from collections.abc import AsyncIterator

from promptcrafter.clock import now_ms
from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.ids import new_log_id
from promptcrafter.store.database import (
    AFTER,
    Database,
    ForeignKeyViolation,
    Row,
    keyset_pages,
    sql,
)
from promptcrafter.store.versions import LATEST, MAX_VERSION, NO_SUCH_LABEL, NO_SUCH_VERSION

COLUMNS = "id, prompt_id, output, model_used, notes, score, created_at, prompt_version, label"
ID, PROMPT, OUTPUT, MODEL_USED, NOTES, SCORE, CREATED, PROMPT_VERSION, LABEL = range(9)

PROMPT_UNAVAILABLE = "Prompt ID does not exist or is not accessible."
NO_SUCH_PROMPT = "No logs found for the specified prompt ID."
CANNOT_LIST = "User is not authorized to view logs for this prompt."
NOT_FOUND = "No log found with the specified ID."
NOT_YOURS = "Log does not belong to the authenticated user."

PAGE = 500

# The log is inserted only if the caller owns the prompt: one statement, no race. It records
# a concrete version, read in the same statement: the current one (the common case, no join),
# the one asked for if it exists, or the one the label names now.
_INSERT_HEAD = (
    "INSERT INTO logs (id, prompt_id, owner_id, output, model_used, notes, score, created_at, "
    "prompt_version, label) "
    "SELECT :id, p.id, p.owner_id, CAST(:output AS TEXT), CAST(:model_used AS TEXT), "
    "CAST(:notes AS TEXT), CAST(:score AS DOUBLE PRECISION), CAST(:now AS BIGINT), "
)
_OWNED = f"WHERE p.id = :prompt_id AND p.owner_id = :owner RETURNING {COLUMNS}"
_INSERT = sql(f"{_INSERT_HEAD}p.version, CAST(:label AS TEXT) FROM prompts p {_OWNED}")
_INSERT_AT_VERSION = sql(
    f"{_INSERT_HEAD}v.version, NULL FROM prompts p JOIN prompt_versions v "
    f"ON v.prompt_id = p.id AND v.version = :version {_OWNED}"
)
_INSERT_AT_LABEL = sql(
    f"{_INSERT_HEAD}l.version, l.name FROM prompts p JOIN prompt_labels l "
    f"ON l.prompt_id = p.id AND l.name = :label {_OWNED}"
)
_BY_OWNER = sql(
    f"SELECT created_at, seq, {COLUMNS} FROM logs WHERE owner_id = :owner AND {AFTER} "
    "ORDER BY created_at, seq LIMIT :limit"
)
_BY_PROMPT = sql(
    f"SELECT created_at, seq, {COLUMNS} FROM logs WHERE prompt_id = :prompt_id "
    f"AND owner_id = :owner AND {AFTER} ORDER BY created_at, seq LIMIT :limit"
)
_PROMPT_OWNED = sql("SELECT owner_id = :owner FROM prompts WHERE id = :prompt_id")
_DELETE = sql("DELETE FROM logs WHERE id = :id AND owner_id = :owner RETURNING id")
_LOG_OWNED = sql("SELECT owner_id = :owner FROM logs WHERE id = :id")


async def create(
    db: Database,
    owner: str,
    prompt_id: str,
    output: str,
    model_used: str,
    notes: str | None,
    score: float | None,
    *,
    version: int | None = None,
    label: str | None = None,
) -> Row:
    """A log of the given version, or the version ``label`` names now (``latest`` or
    neither: the current one). 404 when the prompt is not the caller's or the version or
    label does not exist."""
    params = {
        "id": new_log_id(),
        "owner": owner,
        "prompt_id": prompt_id,
        "output": output,
        "model_used": model_used,
        "notes": notes,
        "score": None if score is None else float(score),
        "now": now_ms(),
    }
    if version is not None:
        query = _INSERT_AT_VERSION
        params["version"] = version if 0 < version <= MAX_VERSION else 0
    elif label is not None and label != LATEST:
        query = _INSERT_AT_LABEL
        params["label"] = label
    else:
        query = _INSERT
        params["label"] = label
    try:
        [rows] = await db.write([(query, params)])
    except ForeignKeyViolation:
        # PostgreSQL reads committed rows: the statement read the prompt, then its deletion
        # committed before the new row's key was checked. The prompt is gone, as for a 404.
        raise NotFound(PROMPT_UNAVAILABLE) from None
    if not rows:
        # Only now, after nothing was inserted, look at why.
        row = await db.fetch_one(_PROMPT_OWNED, {"owner": owner, "prompt_id": prompt_id})
        if row is None or not row[0]:
            raise NotFound(PROMPT_UNAVAILABLE)
        raise NotFound(NO_SUCH_VERSION if version is not None else NO_SUCH_LABEL)
    return rows[0]


def pages_for_owner(db: Database, owner: str) -> AsyncIterator[list[Row]]:
    return keyset_pages(db, _BY_OWNER, {"owner": owner}, PAGE)


async def check_prompt_readable(db: Database, owner: str, prompt_id: str) -> None:
    row = await db.fetch_one(_PROMPT_OWNED, {"owner": owner, "prompt_id": prompt_id})
    if row is None:
        raise NotFound(NO_SUCH_PROMPT)
    if not row[0]:
        raise Forbidden(CANNOT_LIST)


def pages_for_prompt(db: Database, owner: str, prompt_id: str) -> AsyncIterator[list[Row]]:
    """Call ``check_prompt_readable`` first: this one silently yields nothing for a stranger."""
    return keyset_pages(db, _BY_PROMPT, {"owner": owner, "prompt_id": prompt_id}, PAGE)


async def delete(db: Database, owner: str, log_id: str) -> None:
    [rows] = await db.write([(_DELETE, {"id": log_id, "owner": owner})])
    if rows:
        return
    row = await db.fetch_one(_LOG_OWNED, {"owner": owner, "id": log_id})
    if row is None:
        raise NotFound(NOT_FOUND)
    raise Forbidden(NOT_YOURS)

"""Logs: tested outputs of a prompt, owned through the prompt."""

from __future__ import annotations

from collections.abc import AsyncIterator

from promptcrafter.clock import now_ms
from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.ids import new_log_id
from promptcrafter.store.database import AFTER, Database, Row, keyset_pages, sql

COLUMNS = "id, prompt_id, output, model_used, notes, score, created_at"
ID, PROMPT, OUTPUT, MODEL_USED, NOTES, SCORE, CREATED = range(7)

PROMPT_UNAVAILABLE = "Prompt ID does not exist or is not accessible."
NO_SUCH_PROMPT = "No logs found for the specified prompt ID."
CANNOT_LIST = "User is not authorized to view logs for this prompt."
NOT_FOUND = "No log found with the specified ID."
NOT_YOURS = "Log does not belong to the authenticated user."

PAGE = 500

# The log is inserted only if the caller owns the prompt: one statement, no race.
_INSERT = sql(
    f"INSERT INTO logs (id, prompt_id, owner_id, output, model_used, notes, score, created_at) "
    "SELECT :id, p.id, p.owner_id, CAST(:output AS TEXT), CAST(:model_used AS TEXT), "
    "CAST(:notes AS TEXT), CAST(:score AS DOUBLE PRECISION), CAST(:now AS BIGINT) "
    f"FROM prompts p WHERE p.id = :prompt_id AND p.owner_id = :owner RETURNING {COLUMNS}"
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
) -> Row:
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
    [rows] = await db.write([(_INSERT, params)])
    if not rows:
        raise NotFound(PROMPT_UNAVAILABLE)
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

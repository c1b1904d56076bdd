"""The SQL behind the prompt page's logs and one log's page.

The table on the prompt page shows up to 50 logs, newest first, with outputs cut to
``PREVIEW`` characters by the database: a log may hold 500,000 characters, and fifty whole
outputs would be megabytes read only to be cut. The listing reuses the API's keyset machinery
(``store.listing``) with its own columns and order, so filters and cursors behave the same.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.store import listing, logs, prompts
from promptcrafter.store.database import Database, Row, sql

PREVIEW = 2000  # characters of an output shown in the table (about 2 kB)

# The order of ``logs.COLUMNS`` with the output cut, then the output's whole length.
_PREVIEW_COLUMNS = logs.COLUMNS.replace("output", f"substr(output, 1, {PREVIEW})", 1)
COLUMNS = f"{_PREVIEW_COLUMNS}, length(output)"
LENGTH = len(logs.COLUMNS.split(","))  # index of the whole length in a preview row

# Newest first. Both parts descend so ``ix_logs_prompt_created`` (prompt_id, created_at,
# seq) is read backwards with no sort, however many logs the prompt has.
NEWEST = "-created"
_SORTS = {
    NEWEST: (
        listing.Key("created_at", "created_at", "BIGINT", descending=True),
        listing.Key("seq", "seq", "BIGINT", descending=True),
    )
}
PREVIEWS = listing.Listing("logs", COLUMNS, _SORTS, listing.LOGS.filters)

_ONE = sql(f"SELECT owner_id = :owner, {logs.COLUMNS} FROM logs WHERE id = :id")
_VERSIONS = sql(
    "SELECT p.owner_id = :owner, v.version FROM prompts p LEFT JOIN prompt_versions v "
    "ON v.prompt_id = p.id AND p.owner_id = :owner WHERE p.id = :id "
    "ORDER BY v.version DESC LIMIT :limit"
)


async def previews(
    db: Database,
    owner: str,
    prompt_id: str,
    filters: Mapping[str, Any],
    after: Sequence[Any] | None,
    limit: int,
) -> tuple[list[Row], Sequence[Any] | None]:
    """One page of the prompt's logs, newest first (rows in ``COLUMNS`` order), and the key
    to continue from (None: no more). The caller has checked that the prompt is theirs."""
    shaped = {**filters, "prompt_id": prompt_id}
    return await listing.page(db, PREVIEWS, owner, NEWEST, shaped, after, limit)


def check_key(after: Sequence[Any] | None) -> bool:
    return listing.check_key(PREVIEWS, NEWEST, after)


async def get(db: Database, owner: str, log_id: str) -> Row:
    """One whole log (``logs.COLUMNS`` order); 404 when absent, 403 when another user's."""
    row = await db.fetch_one(_ONE, {"owner": owner, "id": log_id})
    if row is None:
        raise NotFound(logs.NOT_FOUND)
    if not row[0]:
        raise Forbidden(logs.NOT_YOURS)
    return row[1:]


async def version_numbers(db: Database, owner: str, prompt_id: str, limit: int) -> list[int]:
    """The prompt's version numbers, newest first (at most ``limit``): cheap, unlike
    ``versions.list_versions``, which reads every version's content."""
    rows = await db.fetch_all(_VERSIONS, {"owner": owner, "id": prompt_id, "limit": limit})
    if not rows:
        raise NotFound(prompts.NOT_FOUND)
    if not rows[0][0]:
        raise Forbidden(prompts.NOT_YOURS)
    return [row[1] for row in rows if row[1] is not None]

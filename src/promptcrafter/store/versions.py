"""A prompt's versions: the append-only snapshots that PATCH, restore and creation write.

Versions are written by ``store.prompts`` (in the same transaction as the prompt itself); this
module reads them. Every statement starts from the prompt row, so one round trip tells a
missing prompt from someone else's from a missing version, and a stranger's rows never leave
the database (ownership is in the join condition).
"""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.store import prompts
from promptcrafter.store.database import Database, Row, sql

LATEST = "latest"
NO_SUCH_VERSION = "No such version of this prompt."
NO_SUCH_LABEL = "No such label on this prompt."

# Column order of every version row handed to the API layer.
COLUMNS = "prompt_id, version, title, content, model, tags, variables, commit_message, created_at"
PROMPT, VERSION, TITLE, CONTENT, MODEL, TAGS, VARIABLES, COMMIT_MESSAGE, CREATED = range(9)
_V_COLUMNS = ", ".join(f"v.{name.strip()}" for name in COLUMNS.split(","))

PAGE = 100  # versions per read: up to 200,000 characters each

# A version reference is a number (:n) or a label name (:label, ``latest`` = current); the
# other one is NULL. The label's target is read in the same statement.
_TARGET = (
    "CASE WHEN CAST(:label AS TEXT) IS NULL THEN CAST(:n AS INTEGER) "
    "WHEN CAST(:label AS TEXT) = 'latest' THEN p.version "
    "ELSE (SELECT l.version FROM prompt_labels l WHERE l.prompt_id = p.id AND l.name = :label) "
    "END"
)
_GET = sql(
    f"SELECT p.owner_id = :owner, p.labels, {_V_COLUMNS} FROM prompts p "
    "LEFT JOIN prompt_versions v ON v.prompt_id = p.id AND p.owner_id = :owner "
    f"AND v.version = {_TARGET} WHERE p.id = :id"
)
# The prompt as of a version: the prompt's id, owner, creation and labels; the version's
# fields; updatedAt = when the version was made. Same column order as ``prompts.COLUMNS``.
_AS_OF = sql(
    "SELECT p.owner_id = :owner, p.id, p.owner_id, v.title, v.content, v.model, v.tags, "
    "p.created_at, v.created_at, v.version, v.variables, p.labels FROM prompts p "
    "LEFT JOIN prompt_versions v ON v.prompt_id = p.id AND p.owner_id = :owner "
    f"AND v.version = {_TARGET} WHERE p.id = :id"
)
# Newest first, below :before (a keyset: version numbers never change). The prompt row comes
# back even when no version qualifies, to tell "none left" from "no such prompt".
_PAGE = sql(
    f"SELECT p.owner_id = :owner, p.labels, {_V_COLUMNS} FROM prompts p "
    "LEFT JOIN prompt_versions v ON v.prompt_id = p.id AND p.owner_id = :owner "
    "AND v.version < :before WHERE p.id = :id ORDER BY v.version DESC LIMIT :limit"
)


Ref = int | str  # a version number, or a label name
# Version numbers are 32-bit; a larger one names no version (0 matches none either).
MAX_VERSION = 2**31 - 1


def _ref_params(owner: str, prompt_id: str, ref: Ref) -> dict[str, object]:
    if isinstance(ref, int):
        number, label = (ref if 0 < ref <= MAX_VERSION else 0), None
    else:
        number, label = None, ref
    return {"owner": owner, "id": prompt_id, "n": number, "label": label}


def _missing(ref: Ref) -> NotFound:
    return NotFound(NO_SUCH_VERSION if isinstance(ref, int) else NO_SUCH_LABEL)


def _check_owner(row: Row | None, forbidden: str) -> Row:
    if row is None:
        raise NotFound(prompts.NOT_FOUND)
    if not row[0]:
        raise Forbidden(forbidden)
    return row


@dataclass(frozen=True, slots=True)
class Version:
    row: Row  # in ``COLUMNS`` order
    labels: list[str]  # the names pointing at it, sorted


def labels_at(labels_json: str, version: int) -> list[str]:
    """The names in a prompt's ``labels`` column that point at ``version``, sorted."""
    labels: dict[str, int] = orjson.loads(labels_json)
    return sorted(name for name, target in labels.items() if target == version)


async def get_version(db: Database, owner: str, prompt_id: str, n: Ref) -> Version:
    """One version (by number, or by label name). 403/404 per the SPEC."""
    row = _check_owner(
        await db.fetch_one(_GET, _ref_params(owner, prompt_id, n)), prompts.NOT_YOURS
    )
    if row[2] is None:
        raise _missing(n)
    version_row = row[2:]
    return Version(version_row, labels_at(row[1], version_row[VERSION]))


async def restore(
    db: Database,
    owner: str,
    prompt_id: str,
    n: int,
    expected_version: int | None,
    *,
    commit_message: str | None,
    actor: str,
) -> Row:
    """A copy of version ``n`` as the new current version (nothing new when it equals the
    current one; history is never rewritten). The API's restore and the UI's both end here."""
    old = (await get_version(db, owner, prompt_id, n)).row
    changes = {
        "title": old[TITLE],
        "content": old[CONTENT],
        "model": old[MODEL],
        "tags": orjson.loads(old[TAGS]),
    }
    return await prompts.update(
        db,
        owner,
        prompt_id,
        changes,
        expected_version,
        commit_message=commit_message,
        actor=actor,
    )


async def resolve(db: Database, owner: str, prompt_id: str, ref: Ref) -> int:
    """The version number ``ref`` names now: a number that exists, a label's target, or the
    current version for ``latest``. 403/404 per the SPEC."""
    number: int = (await get_version(db, owner, prompt_id, ref)).row[VERSION]
    return number


async def prompt_as_of(
    db: Database, owner: str, prompt_id: str, ref: Ref, *, forbidden: str = prompts.NOT_YOURS
) -> Row:
    """The prompt object's row (``prompts.COLUMNS`` order) as of the version ``ref`` names.
    ``forbidden`` is the sentence for someone else's prompt (GET keeps Part 1's)."""
    row = _check_owner(await db.fetch_one(_AS_OF, _ref_params(owner, prompt_id, ref)), forbidden)
    if row[1 + prompts.VERSION] is None:
        raise _missing(ref)
    return row[1:]


@dataclass(frozen=True, slots=True)
class VersionPage:
    labels: dict[str, int]  # the prompt's labels when the page was read
    rows: list[Row]  # in ``COLUMNS`` order, newest first

    def labels_of(self, row: Row) -> list[str]:
        version = row[VERSION]
        return sorted(name for name, target in self.labels.items() if target == version)


async def list_versions(
    db: Database,
    owner: str,
    prompt_id: str,
    *,
    before: int | None = None,
    limit: int = PAGE,
) -> VersionPage:
    """Up to ``limit`` versions numbered below ``before`` (all when None), newest first.
    Walk them by passing the last row's number as the next ``before``."""
    params = {
        "owner": owner,
        "id": prompt_id,
        "before": MAX_VERSION if before is None else min(before, MAX_VERSION),
        "limit": limit,
    }
    rows = await db.fetch_all(_PAGE, params)
    _check_owner(rows[0] if rows else None, prompts.NOT_YOURS)
    labels: dict[str, int] = orjson.loads(rows[0][1])
    return VersionPage(labels, [row[2:] for row in rows if row[2] is not None])

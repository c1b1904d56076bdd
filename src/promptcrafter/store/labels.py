"""Labels: names pointing at one version of a prompt, with an append-only history.

A change is one transaction of four statements: lock the prompt row (so concurrent changes
of one prompt's labels queue up on PostgreSQL and each reads the state the previous one left),
append the history row, change ``prompt_labels``, and rewrite the prompt's denormalised
``labels`` column, which prompt reads serve without a join. The prompt's ``version`` and
``updated_at`` are never touched. Setting a label to the version it already names changes
nothing and records nothing.
"""

from __future__ import annotations

from promptcrafter.clock import now_ms
from promptcrafter.errors import Conflict, Forbidden, NotFound
from promptcrafter.store import prompts
from promptcrafter.store.database import Database, Row, sql
from promptcrafter.store.versions import MAX_VERSION, NO_SUCH_LABEL, NO_SUCH_VERSION

COLUMNS = "name, version, updated_at"
NAME, VERSION, UPDATED = range(3)
HISTORY_COLUMNS = "name, version, previous_version, changed_by, changed_at"
BUSY = "The label is being changed by other requests right now; try again."
_ATTEMPTS = 5

_OWNED = "p.id = :id AND p.owner_id = :owner"
_LOCK = sql("UPDATE prompts SET labels = labels WHERE id = :id AND owner_id = :owner")
_CURRENT_TARGET = (
    "(SELECT l.version FROM prompt_labels l WHERE l.prompt_id = p.id AND l.name = :name)"
)
_SET_HISTORY = sql(
    "INSERT INTO label_history (prompt_id, name, version, previous_version, changed_by, "
    f"changed_at) SELECT p.id, CAST(:name AS TEXT), v.version, {_CURRENT_TARGET}, "
    "CAST(:actor AS TEXT), CAST(:now AS BIGINT) FROM prompts p "
    f"JOIN prompt_versions v ON v.prompt_id = p.id AND v.version = :version WHERE {_OWNED} "
    f"AND v.version IS DISTINCT FROM {_CURRENT_TARGET}"
)
_UPSERT = sql(
    "INSERT INTO prompt_labels (prompt_id, name, version, updated_at) "
    "SELECT p.id, CAST(:name AS TEXT), v.version, CAST(:now AS BIGINT) FROM prompts p "
    f"JOIN prompt_versions v ON v.prompt_id = p.id AND v.version = :version WHERE {_OWNED} "
    "ON CONFLICT (prompt_id, name) DO UPDATE SET version = excluded.version, "
    "updated_at = excluded.updated_at WHERE prompt_labels.version <> excluded.version "
    f"RETURNING {COLUMNS}"
)
_DELETE_HISTORY = sql(
    "INSERT INTO label_history (prompt_id, name, version, previous_version, changed_by, "
    "changed_at) SELECT l.prompt_id, l.name, NULL, l.version, CAST(:actor AS TEXT), "
    "CAST(:now AS BIGINT) FROM prompt_labels l JOIN prompts p ON p.id = l.prompt_id "
    f"WHERE {_OWNED} AND l.name = :name"
)
_DELETE = sql(
    "DELETE FROM prompt_labels WHERE prompt_id = :id AND name = :name AND prompt_id IN "
    "(SELECT p.id FROM prompts p WHERE p.id = :id AND p.owner_id = :owner) RETURNING name"
)
# The labels column as compact JSON sorted by name (code point order on both engines), the
# same text on both engines.
_REWRITE = sql(
    "UPDATE prompts SET labels = (SELECT COALESCE(json_group_object(name, version), '{}') "
    "FROM (SELECT name, version FROM prompt_labels WHERE prompt_id = :id ORDER BY name)) "
    "WHERE id = :id AND owner_id = :owner",
    postgresql="UPDATE prompts SET labels = COALESCE((SELECT '{' || string_agg("
    "to_json(name)::text || ':' || version, ',' ORDER BY name COLLATE \"C\") || '}' "
    "FROM prompt_labels WHERE prompt_id = :id), '{}') WHERE id = :id AND owner_id = :owner",
)
_EXPLAIN = sql(
    "SELECT p.owner_id = :owner, "
    "EXISTS (SELECT 1 FROM prompt_versions v WHERE v.prompt_id = p.id AND v.version = :version), "
    "l.name, l.version, l.updated_at FROM prompts p "
    "LEFT JOIN prompt_labels l ON l.prompt_id = p.id AND l.name = :name WHERE p.id = :id"
)
_LIST = sql(
    "SELECT p.owner_id = :owner, l.name, l.version, l.updated_at FROM prompts p "
    "LEFT JOIN prompt_labels l ON l.prompt_id = p.id AND p.owner_id = :owner "
    "WHERE p.id = :id ORDER BY l.name",
    postgresql="SELECT p.owner_id = :owner, l.name, l.version, l.updated_at FROM prompts p "
    "LEFT JOIN prompt_labels l ON l.prompt_id = p.id AND p.owner_id = :owner "
    'WHERE p.id = :id ORDER BY l.name COLLATE "C"',
)
_HISTORY = sql(
    "SELECT p.owner_id = :owner, h.name, h.version, h.previous_version, h.changed_by, "
    "h.changed_at FROM prompts p LEFT JOIN label_history h ON h.prompt_id = p.id "
    "AND p.owner_id = :owner AND h.name = :name WHERE p.id = :id ORDER BY h.seq DESC"
)


def _owned(row: Row | None) -> Row:
    if row is None:
        raise NotFound(prompts.NOT_FOUND)
    if not row[0]:
        raise Forbidden(prompts.NOT_YOURS)
    return row


async def set_label(
    db: Database, owner: str, prompt_id: str, name: str, version: int, actor: str
) -> Row:
    """Create or move label ``name`` to ``version``; the label row in ``COLUMNS`` order.
    ``name`` must be a valid, non-reserved label (the API checks)."""
    params = {
        "id": prompt_id,
        "owner": owner,
        "name": name,
        "version": version if 0 < version <= MAX_VERSION else 0,
        "actor": actor,
        "now": now_ms(),
    }
    key = {"id": prompt_id, "owner": owner}
    for _ in range(_ATTEMPTS):
        _, _, changed, _ = await db.write(
            [(_LOCK, key), (_SET_HISTORY, params), (_UPSERT, params), (_REWRITE, key)]
        )
        if changed:
            return changed[0]
        row = _owned(await db.fetch_one(_EXPLAIN, params))
        if not row[1]:
            raise NotFound(NO_SUCH_VERSION)
        if row[3] == params["version"]:  # it named that version already: nothing to do
            return row[2:]
        # Another request moved it between our write and our look: try again.
    raise Conflict(BUSY)


async def delete_label(db: Database, owner: str, prompt_id: str, name: str, actor: str) -> None:
    params = {"id": prompt_id, "owner": owner, "name": name, "actor": actor, "now": now_ms()}
    key = {"id": prompt_id, "owner": owner}
    _, _, deleted, _ = await db.write(
        [(_LOCK, key), (_DELETE_HISTORY, params), (_DELETE, params), (_REWRITE, key)]
    )
    if deleted:
        return
    _owned(await db.fetch_one(_EXPLAIN, {**params, "version": 0}))
    raise NotFound(NO_SUCH_LABEL)


async def list_labels(db: Database, owner: str, prompt_id: str) -> list[Row]:
    """The prompt's labels sorted by name, in ``COLUMNS`` order."""
    rows = await db.fetch_all(_LIST, {"id": prompt_id, "owner": owner})
    _owned(rows[0] if rows else None)
    return [row[1:] for row in rows if row[1] is not None]


async def history(db: Database, owner: str, prompt_id: str, name: str) -> list[Row]:
    """Every change of label ``name``, newest first, in ``HISTORY_COLUMNS`` order; 404 when
    the label never existed (a deleted label's history stays)."""
    rows = await db.fetch_all(_HISTORY, {"id": prompt_id, "owner": owner, "name": name})
    _owned(rows[0] if rows else None)
    found = [row[1:] for row in rows if row[1] is not None]
    if not found:
        raise NotFound(NO_SUCH_LABEL)
    return found

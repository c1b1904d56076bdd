"""API keys: one row per key, found by its lookup id; ownership in every statement."""

from __future__ import annotations

from dataclasses import dataclass

from promptcrafter.clock import now_ms
from promptcrafter.errors import TOKEN_INVALID, NotFound, Unauthorized
from promptcrafter.ids import new_key_id
from promptcrafter.security.apikeys import NewKey
from promptcrafter.store.database import Database, ForeignKeyViolation, Row, sql
from promptcrafter.store.users import User

NOT_FOUND = "No API key found with the specified ID."
# lastUsedAt moves at most this often, so a busy script's reads stay reads.
TOUCH_EVERY_MS = 60_000

COLUMNS = "id, name, scope, lookup_id, created_at, expires_at, last_used_at"
ID, NAME, SCOPE, LOOKUP, CREATED, EXPIRES, LAST_USED = range(7)


@dataclass(frozen=True, slots=True)
class StoredKey:
    id: str
    scope: str
    secret_hash: str
    expires_at: int | None
    last_used_at: int | None
    owner: User


_INSERT = sql(
    "INSERT INTO api_keys (id, owner_id, name, scope, lookup_id, secret_hash, created_at, "
    "expires_at, last_used_at) VALUES (:id, :owner, :name, :scope, :lookup_id, :secret_hash, "
    f":now, :expires_at, NULL) RETURNING {COLUMNS}"
)
_LIST = sql(f"SELECT {COLUMNS} FROM api_keys WHERE owner_id = :owner ORDER BY created_at, id")
_DELETE = sql("DELETE FROM api_keys WHERE id = :id AND owner_id = :owner RETURNING id")
# The whole authentication of a key in one indexed lookup: the key and its owner.
_FIND = sql(
    "SELECT k.id, k.scope, k.secret_hash, k.expires_at, k.last_used_at, "
    "u.id, u.name, u.email, u.created_at "
    "FROM api_keys k JOIN users u ON u.id = k.owner_id WHERE k.lookup_id = :lookup_id"
)
# Conditional, so several workers seeing the same stale value write it once between them.
_TOUCH = sql(
    "UPDATE api_keys SET last_used_at = :now WHERE id = :id "
    "AND (last_used_at IS NULL OR last_used_at <= :stale_before)"
)


async def create(
    db: Database, owner: str, name: str, scope: str, key: NewKey, expires_at: int | None
) -> Row:
    params = {
        "id": new_key_id(),
        "owner": owner,
        "name": name,
        "scope": scope,
        "lookup_id": key.lookup_id,
        "secret_hash": key.secret_hash,
        "now": now_ms(),
        "expires_at": expires_at,
    }
    try:
        [rows] = await db.write([(_INSERT, params)])
    except ForeignKeyViolation:
        # The account was deleted after this request's credentials were checked.
        raise Unauthorized(TOKEN_INVALID) from None
    return rows[0]


async def listing(db: Database, owner: str) -> list[Row]:
    return await db.fetch_all(_LIST, {"owner": owner})


async def delete(db: Database, owner: str, key_id: str) -> None:
    [rows] = await db.write([(_DELETE, {"id": key_id, "owner": owner})])
    if not rows:
        raise NotFound(NOT_FOUND)


async def find(db: Database, lookup_id: str) -> StoredKey | None:
    row = await db.fetch_one(_FIND, {"lookup_id": lookup_id})
    if row is None:
        return None
    return StoredKey(
        id=row[0],
        scope=row[1],
        secret_hash=row[2],
        expires_at=row[3],
        last_used_at=row[4],
        owner=User(row[5], row[6], row[7], row[8]),
    )


def is_stale(key: StoredKey, now: int) -> bool:
    return key.last_used_at is None or key.last_used_at <= now - TOUCH_EVERY_MS


async def touch(db: Database, key_id: str, now: int) -> None:
    await db.write([(_TOUCH, {"id": key_id, "now": now, "stale_before": now - TOUCH_EVERY_MS})])

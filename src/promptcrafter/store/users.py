"""Accounts, credentials and the liveness of tokens."""

from __future__ import annotations

from dataclasses import dataclass

from promptcrafter.clock import now_ms
from promptcrafter.errors import Conflict
from promptcrafter.ids import new_user_id
from promptcrafter.security.tokens import Claims
from promptcrafter.store.database import Database, UniqueViolation, sql

EMAIL_TAKEN = "Email already in use."


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str
    email: str
    created_at: int


@dataclass(frozen=True, slots=True)
class Credentials:
    user_id: str
    password_hash: str
    generation: int


def email_key(email: str) -> str:
    return email.strip().lower()


_INSERT = sql(
    "INSERT INTO users (id, name, email, email_key, password_hash, token_generation, created_at) "
    "VALUES (:id, :name, :email, :email_key, :password_hash, 0, :created_at)"
)
_CREDENTIALS = sql(
    "SELECT id, password_hash, token_generation FROM users WHERE email_key = :email_key"
)
_CREDENTIALS_BY_ID = sql("SELECT id, password_hash, token_generation FROM users WHERE id = :id")
# One round trip decides whether a genuine token is still alive: the user exists, no password
# change has happened since it was issued, and it was not logged out.
_LIVE_TOKEN_OWNER = sql(
    "SELECT id, name, email, created_at FROM users "
    "WHERE id = :id AND token_generation = :generation "
    "AND NOT EXISTS (SELECT 1 FROM revoked_tokens WHERE jti = :jti)"
)
_REHASH = sql(
    "UPDATE users SET password_hash = :new_hash WHERE id = :id AND password_hash = :old_hash"
)
_CHANGE_PASSWORD = sql(
    "UPDATE users SET password_hash = :new_hash, token_generation = token_generation + 1 "
    "WHERE id = :id AND password_hash = :old_hash RETURNING token_generation"
)
_REVOKE = sql(
    "INSERT INTO revoked_tokens (jti, expires_at) VALUES (:jti, :expires_at) "
    "ON CONFLICT (jti) DO NOTHING"
)
_DELETE = sql("DELETE FROM users WHERE id = :id")
# PostgreSQL: the deletion's cascade locks the account's prompts in whatever order it meets
# them, while a label change or PATCH holds one prompt and then writes rows that hang from it;
# the two deadlocked. Taking every prompt first, in one order, leaves the others nothing of
# the deletion's to wait on while it waits on them. (SQLite has one writer: nothing to lock.)
_TAKE_PROMPTS = sql(
    "SELECT 0",
    # Counted, so that an account of 100,000 prompts sends one row back, not their ids.
    postgresql="SELECT count(*) FROM "
    "(SELECT 1 FROM prompts WHERE owner_id = :id ORDER BY id FOR UPDATE) AS taken",
)
_PURGE_REVOKED = sql("DELETE FROM revoked_tokens WHERE expires_at < :now")


async def create(db: Database, name: str, email: str, password_hash: str) -> User:
    user = User(id=new_user_id(), name=name, email=email, created_at=now_ms())
    params = {
        "id": user.id,
        "name": name,
        "email": email,
        "email_key": email_key(email),
        "password_hash": password_hash,
        "created_at": user.created_at,
    }
    try:
        await db.write([(_INSERT, params)])
    except UniqueViolation as exc:
        raise Conflict(EMAIL_TAKEN) from exc
    return user


async def credentials(db: Database, email: str) -> Credentials | None:
    row = await db.fetch_one(_CREDENTIALS, {"email_key": email_key(email)})
    return None if row is None else Credentials(row[0], row[1], row[2])


async def credentials_by_id(db: Database, user_id: str) -> Credentials | None:
    row = await db.fetch_one(_CREDENTIALS_BY_ID, {"id": user_id})
    return None if row is None else Credentials(row[0], row[1], row[2])


async def token_owner(db: Database, claims: Claims) -> User | None:
    row = await db.fetch_one(
        _LIVE_TOKEN_OWNER,
        {"id": claims.user_id, "generation": claims.generation, "jti": claims.token_id},
    )
    return None if row is None else User(row[0], row[1], row[2], row[3])


async def replace_hash(db: Database, user_id: str, old_hash: str, new_hash: str) -> None:
    """Store a re-hash made with newer parameters, unless the password changed meanwhile."""
    await db.write([(_REHASH, {"id": user_id, "old_hash": old_hash, "new_hash": new_hash})])


async def change_password(db: Database, user_id: str, old_hash: str, new_hash: str) -> bool:
    """Set a new password and end every token issued before. False if the password changed
    concurrently (the caller's check of the current password is then stale)."""
    params = {"id": user_id, "old_hash": old_hash, "new_hash": new_hash}
    [rows] = await db.write([(_CHANGE_PASSWORD, params)])
    return bool(rows)


async def revoke_token(db: Database, claims: Claims) -> None:
    # Expired entries are swept in the same transaction, so the table stays small.
    await db.write(
        [
            (_REVOKE, {"jti": claims.token_id, "expires_at": claims.expires_at}),
            (_PURGE_REVOKED, {"now": now_ms() // 1000}),
        ]
    )


async def delete(db: Database, user_id: str) -> None:
    """The account and everything it owns, in one transaction."""
    await db.write([(_TAKE_PROMPTS, {"id": user_id}), (_DELETE, {"id": user_id})])

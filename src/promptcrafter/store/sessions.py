"""Browser sessions: one row per logged-in browser, found by the hash of its cookie."""

from __future__ import annotations

from dataclasses import dataclass

from promptcrafter.errors import BAD_CREDENTIALS, Unauthorized
from promptcrafter.security.browser import new_secret, session_hash
from promptcrafter.store.database import Database, ForeignKeyViolation, sql
from promptcrafter.store.users import User

# The last-seen time moves at most this often, so browsing stays (mostly) reads; with a
# short idle limit, at a tenth of it.
TOUCH_EVERY_MS = 60_000


def touch_interval(idle_ms: int) -> int:
    """How stale ``seen_at`` may be. The idle check allows for it, so that a session ends
    after ``idle_ms`` of no use and never before (at most this much after)."""
    return min(TOUCH_EVERY_MS, max(1_000, idle_ms // 10))


@dataclass(frozen=True, slots=True)
class BrowserSession:
    id_hash: str
    user: User
    csrf: str
    created_at: int
    seen_at: int


@dataclass(frozen=True, slots=True)
class NewSession:
    session_id: str  # for the cookie; never stored
    csrf: str


_INSERT = sql(
    "INSERT INTO browser_sessions (id_hash, user_id, generation, csrf, created_at, seen_at) "
    "SELECT :id_hash, id, token_generation, :csrf, :now, :now FROM users WHERE id = :user_id"
)
# Sessions past their absolute limit are swept whenever one is made, so the table stays small.
_PURGE = sql("DELETE FROM browser_sessions WHERE created_at < :oldest")
# One round trip: the session is alive (idle and absolute limits), its user exists and has
# not changed the password since.
_FIND = sql(
    "SELECT s.id_hash, s.csrf, s.created_at, s.seen_at, u.id, u.name, u.email, u.created_at "
    "FROM browser_sessions s JOIN users u ON u.id = s.user_id "
    "AND u.token_generation = s.generation "
    "WHERE s.id_hash = :id_hash AND s.created_at >= :oldest AND s.seen_at >= :idle_since"
)
_TOUCH = sql(
    "UPDATE browser_sessions SET seen_at = :now WHERE id_hash = :id_hash AND seen_at < :now"
)
_DELETE = sql("DELETE FROM browser_sessions WHERE id_hash = :id_hash")


async def create(db: Database, user_id: str, now: int, max_age_ms: int) -> NewSession:
    """A new session for the user (at their current password generation)."""
    session_id, csrf = new_secret(), new_secret()
    params = {"id_hash": session_hash(session_id), "csrf": csrf, "now": now, "user_id": user_id}
    try:
        await db.write([(_PURGE, {"oldest": now - max_age_ms}), (_INSERT, params)])
    except ForeignKeyViolation:
        # The account was deleted after its password was checked: as for an unknown email.
        raise Unauthorized(BAD_CREDENTIALS) from None
    return NewSession(session_id, csrf)


async def find(
    db: Database, session_id: str, now: int, idle_ms: int, max_age_ms: int
) -> BrowserSession | None:
    row = await db.fetch_one(
        _FIND,
        {
            "id_hash": session_hash(session_id),
            "oldest": now - max_age_ms,
            "idle_since": now - idle_ms - touch_interval(idle_ms),
        },
    )
    if row is None:
        return None
    found = BrowserSession(row[0], User(row[4], row[5], row[6], row[7]), row[1], row[2], row[3])
    if now - found.seen_at >= touch_interval(idle_ms):
        await db.write([(_TOUCH, {"id_hash": found.id_hash, "now": now})])
    return found


async def end(db: Database, id_hash: str) -> None:
    await db.write([(_DELETE, {"id_hash": id_hash})])

"""Filtered, sorted listings of prompts and logs, walked by keyset.

Every listing is ordered by a whole key that no two rows share: the sort column, then creation
time, then ``seq`` (insertion order) for rows created in the same millisecond. A page asks for
the rows strictly after the last key of the page before, so a row written or deleted between
two pages moves nothing else. The same statement, page after page, also serves a filtered
listing asked for without ``limit`` (the whole array, streamed as in Part 1).

``title`` sorts by code point on both engines: SQLite compares UTF-8 bytes (its default
``BINARY`` collation), and PostgreSQL does the same under ``COLLATE "C"``. A missing score sorts
after every score in either direction: the key starts with "has no score".
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from promptcrafter.store import logs, prompts
from promptcrafter.store.database import Database, Params, Query, Row, sql

WALK_PAGE = 500  # rows per statement when a whole filtered listing is streamed


@dataclass(frozen=True)
class Key:
    """One part of a listing's order: an expression, its direction and its SQL type."""

    sqlite: str
    postgresql: str
    cast: str
    descending: bool = False


def _column(name: str, cast: str = "BIGINT", descending: bool = False) -> Key:
    return Key(name, name, cast, descending)


_CREATED = _column("created_at")
_SEQ = _column("seq")
_BY_CREATION = (_CREATED, _SEQ)
_NO_SCORE = _column("CASE WHEN score IS NULL THEN 1 ELSE 0 END", "INTEGER")


def _title(descending: bool) -> Key:
    return Key("title", 'title COLLATE "C"', "TEXT", descending)


def _score(descending: bool) -> Key:
    return _column("COALESCE(score, 0)", "DOUBLE PRECISION", descending)


PROMPT_SORTS: dict[str, tuple[Key, ...]] = {
    "createdAt": _BY_CREATION,
    "-createdAt": (_column("created_at", descending=True), _SEQ),
    "updatedAt": (_column("updated_at"), *_BY_CREATION),
    "-updatedAt": (_column("updated_at", descending=True), *_BY_CREATION),
    "title": (_title(False), *_BY_CREATION),
    "-title": (_title(True), *_BY_CREATION),
}
LOG_SORTS: dict[str, tuple[Key, ...]] = {
    "createdAt": _BY_CREATION,
    "-createdAt": (_column("created_at", descending=True), _SEQ),
    "score": (_NO_SCORE, _score(False), *_BY_CREATION),
    "-score": (_NO_SCORE, _score(True), *_BY_CREATION),
}

# Each filter's condition, by parameter name (given as a parameter of that name).
_PROMPT_FILTERS = {
    "tag": (
        "EXISTS (SELECT 1 FROM json_each(prompts.tags) WHERE json_each.value = :tag)",
        "CAST(prompts.tags AS jsonb) @> jsonb_build_array(CAST(:tag AS TEXT))",
    ),
    "model": ("model = :model",) * 2,
    "label": (
        "EXISTS (SELECT 1 FROM prompt_labels l WHERE l.prompt_id = prompts.id AND l.name = :label)",
    )
    * 2,
}
_LOG_FILTERS = {
    "prompt_id": ("prompt_id = :prompt_id",) * 2,
    "prompt_version": ("prompt_version = :prompt_version",) * 2,
    "model": ("model_used = :model",) * 2,
    "min_score": ("score >= :min_score",) * 2,
    "max_score": ("score <= :max_score",) * 2,
    "scored": ("(CASE WHEN score IS NULL THEN 0 ELSE 1 END) = :scored",) * 2,
}


@dataclass(frozen=True, eq=False)  # hashed by identity: statements are cached per listing
class Listing:
    table: str
    columns: str
    sorts: Mapping[str, tuple[Key, ...]]
    filters: Mapping[str, tuple[str, str]]


PROMPTS = Listing("prompts", prompts.COLUMNS, PROMPT_SORTS, _PROMPT_FILTERS)
LOGS = Listing("logs", logs.COLUMNS, LOG_SORTS, _LOG_FILTERS)


def _after(keys: Sequence[Key], engine: str) -> str:
    """Rows strictly after the key ``:k0, :k1, ...`` in the listing's order."""
    alternatives = []
    for i, key in enumerate(keys):
        parts = []
        for j, earlier in enumerate(keys[:i]):
            parts.append(f"{getattr(earlier, engine)} = CAST(:k{j} AS {earlier.cast})")
        operator = "<" if key.descending else ">"
        parts.append(f"{getattr(key, engine)} {operator} CAST(:k{i} AS {key.cast})")
        alternatives.append("(" + " AND ".join(parts) + ")")
    return "(" + " OR ".join(alternatives) + ")"


def _text(listing: Listing, sort: str, filters: tuple[str, ...], after: bool, engine: str) -> str:
    keys = listing.sorts[sort]
    selected = ", ".join(getattr(key, engine) for key in keys)
    where = ["owner_id = :owner"]
    index = 0 if engine == "sqlite" else 1
    where += [listing.filters[name][index] for name in filters]
    if after:
        where.append(_after(keys, engine))
    order = ", ".join(f"{getattr(key, engine)}{' DESC' if key.descending else ''}" for key in keys)
    return (
        f"SELECT {selected}, {listing.columns} FROM {listing.table} "
        f"WHERE {' AND '.join(where)} ORDER BY {order} LIMIT :limit"
    )


@lru_cache(maxsize=512)
def _statement(listing: Listing, sort: str, filters: tuple[str, ...], after: bool) -> Query:
    return sql(
        _text(listing, sort, filters, after, "sqlite"),
        postgresql=_text(listing, sort, filters, after, "postgresql"),
    )


def _params(owner: str, filters: Mapping[str, Any], after: Sequence[Any] | None) -> Params:
    params: dict[str, Any] = {"owner": owner, **filters}
    if "scored" in params:
        params["scored"] = int(params["scored"])
    for i, value in enumerate(after or ()):
        params[f"k{i}"] = value
    return params


def check_key(listing: Listing, sort: str, after: Sequence[Any] | None) -> bool:
    """Whether a key read from a cursor has the shape of this listing's keys."""
    if after is None:
        return True
    keys = listing.sorts[sort]
    if len(after) != len(keys):
        return False
    for key, value in zip(keys, after, strict=True):
        expected: type | tuple[type, ...] = int
        if key.cast == "TEXT":
            expected = str
        elif key.cast == "DOUBLE PRECISION":
            expected = (int, float)
        if isinstance(value, bool) or not isinstance(value, expected):
            return False
    return True


async def page(
    db: Database,
    listing: Listing,
    owner: str,
    sort: str,
    filters: Mapping[str, Any],
    after: Sequence[Any] | None,
    limit: int,
) -> tuple[list[Row], Sequence[Any] | None]:
    """Up to ``limit`` rows after ``after``, and the key to continue from (None: no more)."""
    query = _statement(listing, sort, tuple(sorted(filters)), after is not None)
    params = {**_params(owner, filters, after), "limit": limit + 1}
    rows = await db.fetch_all(query, params)
    width = len(listing.sorts[sort])
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1][:width] if more else None
    return [row[width:] for row in rows], last


async def walk(
    db: Database, listing: Listing, owner: str, sort: str, filters: Mapping[str, Any]
) -> AsyncIterator[list[Row]]:
    """Every row of a filtered listing, a page (one fresh statement) at a time."""
    after: Sequence[Any] | None = None
    while True:
        rows, after = await page(db, listing, owner, sort, filters, after, WALK_PAGE)
        if rows:
            yield rows
        if after is None:
            return

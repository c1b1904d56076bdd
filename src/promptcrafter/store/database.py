"""What the repositories need from an engine, and the SQL text they hand it.

Every statement is written once with ``:name`` parameters. SQLite takes that form natively;
for asyncpg it is compiled once, at import, to ``$1, $2, ...``. Where the engines really
differ (full-text search), a query carries one text per engine.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

Row = Sequence[Any]
Params = Mapping[str, Any]

_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@dataclass(frozen=True)
class Query:
    sqlite: str
    postgresql: str
    pg_names: tuple[str, ...] = field(default=())

    def pg_args(self, params: Params) -> list[Any]:
        return [params[name] for name in self.pg_names]


def sql(text: str, *, postgresql: str | None = None) -> Query:
    """A statement for both engines (or, with ``postgresql=``, a separate PostgreSQL text)."""
    pg_text, names = _to_numbered(postgresql if postgresql is not None else text)
    return Query(sqlite=text, postgresql=pg_text, pg_names=names)


def _to_numbered(text: str) -> tuple[str, tuple[str, ...]]:
    order: list[str] = []

    def number(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in order:
            order.append(name)
        return f"${order.index(name) + 1}"

    return _NAMED.sub(number, text), tuple(order)


class StoreError(Exception):
    """Base of the engine-neutral errors the repositories translate into domain errors."""


class UniqueViolation(StoreError):
    pass


class ForeignKeyViolation(StoreError):
    pass


class DatabaseUnavailable(StoreError):
    """The engine cannot be reached or is too busy to answer in time."""


Statement = tuple[Query, Params]


class Database(Protocol):
    engine: str

    async def fetch_one(self, query: Query, params: Params) -> Row | None: ...

    async def fetch_all(self, query: Query, params: Params, *, slow: bool = False) -> list[Row]:
        """``slow=True`` marks a statement that may scan many rows: an engine that reads on
        the event loop runs it elsewhere, so it cannot stall other requests."""
        ...

    async def write(self, statements: Sequence[Statement]) -> list[list[Row]]:
        """Run the statements in one transaction; return each statement's rows."""
        ...

    async def ping(self) -> bool: ...

    def stats(self) -> dict[str, float]:
        """Gauges for metrics, read only when they are published: ``<pool>_size`` and
        ``<pool>_idle`` for connection pools, ``write_queue`` for writes waiting."""
        ...

    async def close(self) -> None: ...


# Listings are ordered by (created_at, seq): creation time, then insertion order for ties.
AFTER = "(created_at > :after_created OR (created_at = :after_created AND seq > :after_seq))"


async def keyset_pages(
    db: Database, query: Query, params: Params, page_size: int
) -> AsyncIterator[list[Row]]:
    """Walk a listing a page at a time. ``query`` selects ``created_at, seq`` first, filters
    with ``AFTER`` and ends ``ORDER BY created_at, seq LIMIT :limit``. Each page is a fresh
    statement, so no cursor (or snapshot) stays open while the caller streams the previous
    page to a slow client."""
    after_created, after_seq = -1, 0
    while True:
        rows = await db.fetch_all(
            query,
            {**params, "after_created": after_created, "after_seq": after_seq, "limit": page_size},
        )
        if not rows:
            return
        yield [row[2:] for row in rows]
        if len(rows) < page_size:
            return
        after_created, after_seq = rows[-1][0], rows[-1][1]

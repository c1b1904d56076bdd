"""The SQL of score analytics: the database groups and counts, Python never sees a log.

Each group comes back with its count, its first and last ``created_at`` and, for the
statistics, its distinct scores with how many logs have each. ``promptcrafter.stats`` derives
every figure exactly from those pairs. The index ``ix_logs_prompt_stats`` (prompt_id,
prompt_version, model_used, score, created_at) covers the statements, so both engines read
only the index: SQLite ``SEARCH logs USING COVERING INDEX ix_logs_prompt_stats``,
PostgreSQL an Index Only Scan (no heap fetches once vacuumed).

PostgreSQL groups by the keys asked for and score: the default grouping follows the index
order (a streamed GroupAggregate), ``by=version`` or ``by=model`` a HashAggregate of a few
thousand rows; a second, small aggregation folds those rows into one per group (see
``_stats_query``). SQLite always reads the (version, model) groups, one range scan each (see
``sqlite_groups``), and Python merges them when fewer keys are asked for: the counts and the
first and last times of a merged group are exact sums, minima and maxima of its parts.

Ownership is an uncorrelated ``EXISTS`` on the prompt (evaluated once: a one-time filter on
PostgreSQL) rather than ``logs.owner_id``, which is not in the index and
would cost a table row per log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import orjson

from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.store import prompts, sqlite_groups
from promptcrafter.store.database import Database, Query, Row, sql

# The grouping keys a caller may ask for, and their columns.
COLUMN_OF = {"version": "prompt_version", "model": "model_used"}

_OWNED = "EXISTS (SELECT 1 FROM prompts p WHERE p.id = :id AND p.owner_id = :owner)"
_OWNER = sql("SELECT owner_id = :owner FROM prompts WHERE id = :id")


def _stats_query(by: Sequence[str]) -> Query:
    keys = ", ".join(COLUMN_OF[name] for name in by)
    per_score = (
        f"SELECT {keys}, score, COUNT(*) AS n, MIN(created_at) AS first_at, "
        f"MAX(created_at) AS last_at FROM logs WHERE prompt_id = :id AND {_OWNED} "
        f"GROUP BY {keys}, score"
    )
    # PostgreSQL folds the per-score rows into one row per group with two arrays (scores and
    # their counts): asyncpg decodes an array in C, so Python handles a hundred rows instead
    # of ten thousand (about 10 ms of the request's CPU at 100,000 logs).
    per_group = (
        f"SELECT {keys}, CAST(SUM(n) AS BIGINT), MIN(first_at), MAX(last_at), "
        "array_agg(score) FILTER (WHERE score IS NOT NULL), "
        "array_agg(n) FILTER (WHERE score IS NOT NULL) "
        f"FROM ({per_score}) AS s GROUP BY {keys}"
    )
    # SQLite's statement is the same for every grouping: see the module's docstring.
    return sql(sqlite_groups.STATEMENT, postgresql=per_group)


# Built once at import, like every statement: the groupings are a closed set.
_STATS = {
    ("version",): _stats_query(["version"]),
    ("model",): _stats_query(["model"]),
    ("version", "model"): _stats_query(["version", "model"]),
}
_COMPARE = sql(
    "SELECT prompt_version, score, COUNT(*) FROM logs "
    f"WHERE prompt_id = :id AND {_OWNED} AND prompt_version IN (:a, :b) "
    "AND score IS NOT NULL AND (CAST(:model AS TEXT) IS NULL OR model_used = :model) "
    "GROUP BY prompt_version, score"
)

GroupKey = tuple[int | str | None, ...]


@dataclass
class Group:
    """One group's logs: how many, the counts of each score, and when the first and last
    were written."""

    count: int = 0
    scores: dict[float, int] = field(default_factory=dict)
    first_at: int | None = None
    last_at: int | None = None

    def absorb(self, other: Group) -> None:
        """Count ``other``'s logs in this group too (for the total)."""
        self.count += other.count
        # The total absorbs every group: ten thousand pairs at 100,000 logs, hence the locals.
        scores = self.scores
        get = scores.get
        for score, count in other.scores.items():
            scores[score] = get(score, 0) + count
        if other.first_at is not None and other.last_at is not None:
            self.first_at = (
                other.first_at if self.first_at is None else min(self.first_at, other.first_at)
            )
            self.last_at = (
                other.last_at if self.last_at is None else max(self.last_at, other.last_at)
            )


async def _explain_miss(db: Database, owner: str, prompt_id: str) -> None:
    """Nothing came back: no such prompt (404), someone else's (403), or no logs yet."""
    row = await db.fetch_one(_OWNER, {"owner": owner, "id": prompt_id})
    if row is None:
        raise NotFound(prompts.NOT_FOUND)
    if not row[0]:
        raise Forbidden(prompts.NOT_YOURS)


async def groups(
    db: Database, owner: str, prompt_id: str, by: tuple[str, ...]
) -> dict[GroupKey, Group]:
    """The prompt's logs grouped by ``by`` (a key of ``_STATS``); 403/404 per the SPEC."""
    rows = await db.fetch_all(_STATS[by], {"owner": owner, "id": prompt_id}, slow=True)
    if not rows:
        await _explain_miss(db, owner, prompt_id)
    width = len(by)
    if db.engine == "postgresql":
        return {
            tuple(row[:width]): Group(
                row[width],
                dict(zip(row[width + 3] or (), row[width + 4] or (), strict=True)),
                row[width + 1],
                row[width + 2],
            )
            for row in rows
        }
    found = _decode(rows)
    if width == 2:
        return found
    # One key of (version, model): merge the groups that share it.
    at = 0 if by == ("version",) else 1
    merged: dict[GroupKey, Group] = {}
    for key, group in found.items():
        into = merged.get(key[at : at + 1])
        if into is None:
            merged[key[at : at + 1]] = group
        else:
            into.absorb(group)
    return merged


def _decode(rows: Sequence[Row]) -> dict[GroupKey, Group]:
    """The (version, model) groups of ``sqlite_groups.STATEMENT``'s rows: a key and the
    text ``[count, first_at, last_at, score, n, score, n, ...]``."""
    found: dict[GroupKey, Group] = {}
    for version, model, folded in rows:
        values = orjson.loads(folded)
        pairs = values[3:]
        # ``float`` guards a score stored with integer affinity (printed without a point).
        scores = dict(zip(map(float, pairs[0::2]), pairs[1::2], strict=True))
        found[(version, model)] = Group(values[0], scores, values[1], values[2])
    return found


async def scores_of(
    db: Database, owner: str, prompt_id: str, a: int, b: int, model: str | None
) -> tuple[dict[float, int], dict[float, int]]:
    """The score counts of versions ``a`` and ``b`` (of ``model`` only, when given). The
    versions were resolved for this owner just before; the ownership test stays anyway."""
    params = {"owner": owner, "id": prompt_id, "a": a, "b": b, "model": model}
    rows = await db.fetch_all(_COMPARE, params, slow=True)
    of_a: dict[float, int] = {}
    of_b: dict[float, int] = {}
    for version, score, count in rows:
        if version == a:
            of_a[float(score)] = count
        if version == b:
            of_b[float(score)] = count
    return of_a, of_b

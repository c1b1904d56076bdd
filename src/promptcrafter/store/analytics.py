"""The SQL of score analytics: the database groups and counts, Python never sees a log.

Each statement answers one row per distinct (group, score): its count and, for the
statistics, its first and last ``created_at``. ``promptcrafter.stats`` derives every figure
exactly from those pairs. The index ``ix_logs_prompt_stats`` (prompt_id, prompt_version,
model_used, score, created_at) covers the statements, so both engines read only the index:
SQLite ``SEARCH logs USING COVERING INDEX ix_logs_prompt_stats (prompt_id=?)``, PostgreSQL an
Index Only Scan (no heap fetches once vacuumed). The default grouping follows the index
order (SQLite needs no temporary b-tree, PostgreSQL streams a GroupAggregate); ``by=version``
or ``by=model`` group in a temporary b-tree or a HashAggregate of a few thousand rows. On
PostgreSQL a second, small aggregation folds those rows into one per group (see
``_stats_query``).
Ownership is an uncorrelated ``EXISTS`` on the prompt (evaluated once: a one-time filter on
PostgreSQL) rather than ``logs.owner_id``, which is not in the index and
would cost a table row per log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from promptcrafter.errors import Forbidden, NotFound
from promptcrafter.store import prompts
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
    # of ten thousand (about 10 ms of the request's CPU at 100,000 logs). SQLite keeps the
    # per-score rows: its JSON arrays print a REAL with 15 digits, which would round scores.
    per_group = (
        f"SELECT {keys}, CAST(SUM(n) AS BIGINT), MIN(first_at), MAX(last_at), "
        "array_agg(score) FILTER (WHERE score IS NOT NULL), "
        "array_agg(n) FILTER (WHERE score IS NOT NULL) "
        f"FROM ({per_score}) AS s GROUP BY {keys}"
    )
    return sql(per_score, postgresql=per_group)


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
        for score, count in other.scores.items():
            self.scores[score] = self.scores.get(score, 0) + count
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
    return _fold(rows, width)


def _fold(rows: Sequence[Row], width: int) -> dict[GroupKey, Group]:
    """One group per key from SQLite's (key..., score, count, first, last) rows. This loop
    runs once per distinct score of every group (ten thousand times for 20 versions x 5
    models), so it keeps to local names and plain dict operations."""
    found: dict[GroupKey, Group] = {}
    get = found.get
    for row in rows:
        key = tuple(row[:width])
        score, count, first, last = row[width:]
        group = get(key)
        if group is None:
            group = found[key] = Group(0, {}, first, last)
        group.count += count
        if score is not None:
            # SQLite hands back a REAL column's whole numbers as float already; ``float`` only
            # guards a value stored with integer affinity.
            value = float(score)
            group.scores[value] = group.scores.get(value, 0) + count
        if first < group.first_at:
            group.first_at = first
        if last > group.last_at:
            group.last_at = last
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

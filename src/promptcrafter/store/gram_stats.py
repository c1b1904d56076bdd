"""PostgreSQL: which index pieces are worth asking for, from the statistics ANALYZE keeps.

A search narrows its rows with the pieces index (migration 0011). A piece held by a third of
all prompts (``age``, ``int``) narrows almost nothing, yet the index must still walk its long
list of rows: ``vintage pasogik`` took 0.81 ms with all ten pieces and 0.07 ms with the six
rare ones (``python -m bench.search_lab explain``, 100,000 prompts). And when every piece is
common (the term ``e``), the index cannot help at all: checking ``LIKE`` on the owner's rows
is the fastest plan, and the planner must not be offered the index condition.

ANALYZE records, for the index expression, the most common elements (pieces by their numbers)
and the share of rows holding each (``pg_stats.most_common_elems``); PostgreSQL's planner uses
the same numbers.
This module reads them when a process first searches, then every ``REFRESH_S`` seconds in
the background. ``LIKE`` still checks every term, so answers never depend on these
statistics, only the work does.

Why this matters beyond speed: when PostgreSQL knows a piece is in most rows, a plan that
checks ``@>`` row by row costs it no more than the index does, and it may pick it: with the
index of migration 0005, whose check ran an SQL function per row, ``e`` over 100,000 prompts
then took 14 s instead of 0.15 s.
So a piece is never sent when these statistics call it common, and a single letter or digit
is never sent at all: it is in most prompts of any real library, it is what a
search-as-you-type box sends first, and this way it is safe even in the seconds between an
ANALYZE and the next refresh here. (A longer piece that an ANALYZE has just found common,
such as ``the``, can still get the slow plan in that window.)
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Mapping
from weakref import WeakKeyDictionary

from promptcrafter.grams import code
from promptcrafter.store.database import Database, Row, sql

INDEX = "ix_prompts_search_pieces"  # migration 0011

COMMON = 0.05  # a piece in more than 5% of prompts is only asked for...
ENOUGH = 0.01  # ...while the rarer ones are expected to leave more than 1% of the rows
WORTH = 0.2  # the index is used only if it is expected to leave at most 20% of the rows
REFRESH_S = 15.0

STATS = sql(
    "SELECT most_common_elems::text::integer[], most_common_elem_freqs FROM pg_stats "
    f"WHERE schemaname = current_schema() AND tablename = '{INDEX}'"
)


def shares(row: Row | None) -> dict[int, float]:
    """The share of prompts holding each listed piece (by its number), from the row ``STATS``
    returns."""
    # The frequency list ends with three summary numbers; zip stops before them.
    return dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}


class GramStats:
    """The share of prompts holding each common piece."""

    def __init__(self, share: Mapping[int, float] | Mapping[str, float] | None = None) -> None:
        self.loaded_at = -REFRESH_S
        self.task: asyncio.Task[None] | None = None
        self._use(share or {})

    def _use(self, share: Mapping[int, float] | Mapping[str, float]) -> None:
        # Pieces are known by their numbers (promptcrafter/grams.py); tests may name them.
        self.share = {key if isinstance(key, int) else code(key): v for key, v in share.items()}
        # A piece missing from the list is rarer than every listed one.
        self.floor = min(share.values(), default=0.0)

    async def refresh(self, db: Database) -> None:
        try:
            self._use(shares(await db.fetch_one(STATS, {})))
        except Exception:
            # Statistics only make searches cheaper; without them every piece is asked for.
            self._use({})
        finally:
            self.loaded_at = time.monotonic()

    def selective(self, grams: Iterable[str]) -> list[str]:
        """The pieces to ask the index for (rarest first); empty when the index is not worth
        using. With no statistics, every piece but single letters and digits, sorted."""
        grams = {gram for gram in grams if not (len(gram) == 1 and gram.isalnum())}
        if not self.share:
            return sorted(grams)
        ranked = sorted((self.share.get(code(gram), self.floor), gram) for gram in grams)
        kept: list[str] = []
        estimate = 1.0  # share of prompts holding every kept piece, taken as independent
        for share, gram in ranked:
            if share > COMMON and estimate <= ENOUGH:
                break
            kept.append(gram)
            estimate *= share
        return kept if estimate <= WORTH else []

    def at_most(self, grams: Iterable[str]) -> float:
        """An upper bound on the share of prompts holding all of ``grams``: that of the rarest
        (0 without statistics, or for a piece rarer than every listed one)."""
        if not self.share:
            return 0.0
        return min((self.share.get(code(gram), 0.0) for gram in grams), default=0.0)


_BY_DATABASE: WeakKeyDictionary[Database, GramStats] = WeakKeyDictionary()


async def for_database(db: Database) -> GramStats:
    """This database's statistics. The first search of a process waits for them; later a
    stale copy is refreshed in the background, so no search waits."""
    stats = _BY_DATABASE.get(db)
    if stats is None:
        stats = _BY_DATABASE[db] = GramStats()
    task = stats.task
    if task is None or (task.done() and time.monotonic() - stats.loaded_at >= REFRESH_S):
        task = stats.task = asyncio.get_running_loop().create_task(stats.refresh(db))
    if stats.loaded_at < 0:
        await asyncio.shield(task)  # one shared load; a cancelled search does not cancel it
    return stats

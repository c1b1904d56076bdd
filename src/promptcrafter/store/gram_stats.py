"""PostgreSQL: which index pieces are worth asking for, from the statistics ANALYZE keeps.

A search narrows its rows with the grams index (migration 0005). A piece held by a third of
all prompts (``age``, ``int``) narrows almost nothing, yet the index must still walk its long
list of rows: ``vintage pasogik`` took 0.8 ms with all ten pieces and 0.26 ms with the five
rare ones of ``pasogik``. And when every piece is common (the term ``e``), the index cannot
help at all: checking ``LIKE`` on the owner's rows is the fastest plan, and the planner must
not be offered the index condition, whose per-row check would run the grams function.

ANALYZE records, for the index expression, the most common elements and the share of rows
holding each (``pg_stats.most_common_elems``); PostgreSQL's planner uses the same numbers.
This module reads them at most once a minute per process, in the background. ``LIKE`` still
checks every term, so answers never depend on these statistics, only the work does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from weakref import WeakKeyDictionary

from promptcrafter.store.database import Database, sql

COMMON = 0.05  # a piece in more than 5% of prompts is only asked for...
ENOUGH = 0.01  # ...while the rarer ones are expected to leave more than 1% of the rows
WORTH = 0.2  # the index is used only if it is expected to leave at most 20% of the rows
REFRESH_S = 60.0

_STATS = sql(
    "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
    "WHERE schemaname = current_schema() AND tablename = 'ix_prompts_search_grams'"
)


class GramStats:
    """The share of prompts holding each common piece, refreshed lazily."""

    def __init__(self) -> None:
        self.share: dict[str, float] = {}
        self.loaded_at = -REFRESH_S
        self.refreshing = False

    async def refresh(self, db: Database) -> None:
        try:
            row = await db.fetch_one(_STATS, {})
            # The frequency list ends with three summary numbers; zip stops before them.
            self.share = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
        except Exception:
            # Statistics only make searches cheaper; without them every piece is asked for.
            self.share = {}
        finally:
            self.loaded_at = time.monotonic()
            self.refreshing = False

    def selective(self, grams: Iterable[str]) -> list[str]:
        """The pieces to ask the index for, rarest first; empty when the index is not worth
        using. With no statistics yet, every piece."""
        if not self.share:
            return sorted(grams)
        # A piece missing from the list is rarer than every listed one.
        floor = min(self.share.values())
        ranked = sorted((self.share.get(gram, floor), gram) for gram in set(grams))
        kept: list[str] = []
        estimate = 1.0  # share of prompts holding every kept piece, taken as independent
        for share, gram in ranked:
            if share > COMMON and estimate <= ENOUGH:
                break
            kept.append(gram)
            estimate *= share
        return kept if estimate <= WORTH else []


_BY_DATABASE: WeakKeyDictionary[Database, GramStats] = WeakKeyDictionary()
_refresh_tasks: set[asyncio.Task[None]] = set()


def for_database(db: Database) -> GramStats:
    """This database's statistics; a stale copy is refreshed in the background, so no search
    waits for it."""
    stats = _BY_DATABASE.get(db)
    if stats is None:
        stats = _BY_DATABASE[db] = GramStats()
    if not stats.refreshing and time.monotonic() - stats.loaded_at >= REFRESH_S:
        stats.refreshing = True
        task = asyncio.get_running_loop().create_task(stats.refresh(db))
        _refresh_tasks.add(task)  # keep a reference until it is done
        task.add_done_callback(_refresh_tasks.discard)
    return stats

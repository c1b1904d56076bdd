"""PostgreSQL: every prompt's search entry holds each two-character piece of its words again.

Migration 0014, as first released, left out each pair that a three-character piece starts,
and a two-character search term asked for any number of a 1,024-number span instead. Such a
search read the whole table (see 0014): a rare pair took 19.6 s on 100,000 prompts. Entries
are computed again here, in batches, by the function the server uses (promptcrafter/grams.py),
so a pair asks the index for its own number, as it did before 0014. An upgrade from 0013 does
this work once more for entries that already held every pair; the answer is the same. On the
benchmark's library of 100,000 prompts the upgrade took 36 s, after which the rare pairs ``zq``
and ``xv`` took 0.26 and 0.18 ms (EXPLAIN ANALYZE through ``bench.search_lab explain``).

The downgrade keeps the entries: 0014 no longer changes them either.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import importlib

from alembic import op

from promptcrafter import grams

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_PIECES = importlib.import_module(
    "promptcrafter.store.migrations.versions.0011_prompt_search_pieces"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _PIECES.backfill(grams.entry)
        # The statistics that decide which pieces a search asks for (store/gram_stats.py)
        # describe the entries: made from those without pairs, a common pair would look rare
        # until autovacuum came round.
        op.execute("ANALYZE prompts")


def downgrade() -> None:
    pass  # see the docstring

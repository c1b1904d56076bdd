"""PostgreSQL: once left the pairs out of the search index; now does nothing (see 0015).

As first released, this migration kept only a word's last two-character piece, so that a
search for a pair would ask for any number of its span (the pair followed by any character)
instead; a changed prompt wrote half as many index entries. But PostgreSQL cannot plan such a
search: it counts 1,024 numbers as matching most rows and reads the whole table, comparing
every row's entry with all of them. EXPLAIN ANALYZE of the statement that release sent for the
term ``zq``, on ``bench.search_lab``'s 100,000 prompts (2026-12-03): 19.6 s; made to use the
index (the array hidden from the planner in a sub-select), 16-21 ms for the 1,024 look-ups;
after 0015, 0.26 ms. That release's ``bench.search_lab explain`` did not ask for the span,
which is how this went unseen. Migration 0015 computes every entry again with every pair; an
upgrade from 0013 passes through here without work.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # see the docstring: 0015 puts back what this once left out


def downgrade() -> None:
    pass  # entries with every pair serve the search of 0013 as they are

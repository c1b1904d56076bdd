"""PostgreSQL: the search index leaves out the pairs a search no longer asks for.

Until now every prompt's entry held each two-character piece of each word. A pair of usual
characters followed by another one in its word is the start of a three-character piece whose
number is the pair's plus that character's code (promptcrafter/grams.py), so a search for a
two-character term can ask for any number of that span (``&&``, store/search.py) and find the
same rows. Only a word's last pair, and pairs next to other characters, stay: an entry is
about half as long (216 numbers to 116 for the benchmark's PATCH text), and a changed prompt
writes half as many index entries. ``python -m bench.pieces_lab`` style replay (pgbench, the
server's PATCH statement, 16 clients, 1 MB pending list, six 8-second runs a side,
2026-12-02): 2,300 changing PATCHes a second on average with every pair, 2,670 without.

Existing rows are computed again here, in batches; the downgrade puts every pair back, as the
search of 0013 needs them.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""

from __future__ import annotations

import importlib

from alembic import op

from promptcrafter import grams

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_PIECES = importlib.import_module(
    "promptcrafter.store.migrations.versions.0011_prompt_search_pieces"
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _PIECES.backfill(grams.entry)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _PIECES.backfill(lambda text: grams.entry(text, every_pair=True))

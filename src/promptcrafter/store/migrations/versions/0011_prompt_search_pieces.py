"""PostgreSQL: the search index holds numbered pieces stored with each prompt, not pieces an
SQL function computes.

Migration 0005 indexed ``promptcrafter_search_grams(title || tags || content)``: PostgreSQL
ran that function for every row written, 0.3-0.9 ms of the database's time for a
280-character prompt, and its GIN index compared text keys. A changing ``PATCH`` spent most of
its database time there (pgbench replaying that statement on 1,000 prompts, 16 clients, 2
cores: 1,085 transactions a second with the index, 4,028 without it). Now the application
computes each search field's pieces as integers (promptcrafter/grams.py) and stores them in
three columns, so a ``PATCH`` of the title alone keeps the content's pieces as stored; the
index is over their concatenation (GIN drops the duplicates). Through the API (wrk, 32
connections, same run): 721-763 changing ``PATCH``es a second before, 1,156-1,353 after.

The pieces are the same as before, minus single letters and digits, which no search asks for
(store/gram_stats.py). Existing rows are filled here, in batches, from their folded copies.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

from promptcrafter import grams
from promptcrafter.store.folding import PAD

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

INDEX = "ix_prompts_search_pieces"
PIECES = "(grams_title || grams_tags || grams_content)"
_FIELDS = ("title", "tags", "content")
_BATCH = 500


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for field in _FIELDS:
        op.execute(
            f"ALTER TABLE prompts ADD COLUMN grams_{field} integer[] NOT NULL DEFAULT '{{}}'"
        )
    backfill(grams.entry)
    # A small pending list, as in 0005: every search reads all of it.
    op.execute(
        f"CREATE INDEX {INDEX} ON prompts USING gin ({PIECES}) WITH (gin_pending_list_limit = 64)"
    )
    op.execute("DROP INDEX IF EXISTS ix_prompts_search_grams")
    op.execute("DROP FUNCTION IF EXISTS promptcrafter_search_grams(text)")


def backfill(entry: Callable[[str], list[int]]) -> None:
    """Compute every prompt's three columns again with ``entry`` (also used by 0015)."""
    bind = op.get_bind()
    read = sa.text(
        "SELECT seq, search_title, search_tags, search_content FROM prompts "
        "WHERE seq > :last ORDER BY seq LIMIT :limit"
    )
    write = sa.text(
        "UPDATE prompts SET grams_title = :t, grams_tags = :g, grams_content = :c WHERE seq = :seq"
    ).bindparams(
        sa.bindparam("t", type_=sa.ARRAY(sa.Integer())),
        sa.bindparam("g", type_=sa.ARRAY(sa.Integer())),
        sa.bindparam("c", type_=sa.ARRAY(sa.Integer())),
    )
    last = 0
    while rows := bind.execute(read, {"last": last, "limit": _BATCH}).all():
        bind.execute(
            write,
            [
                {
                    "seq": seq,
                    **{
                        key: entry(text.rstrip(PAD)) for key, text in zip("tgc", texts, strict=True)
                    },
                }
                for seq, *texts in rows
            ],
        )
        last = rows[-1][0]


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    before = importlib.import_module(
        "promptcrafter.store.migrations.versions.0005_prompt_search_grams"
    )
    op.execute(before._CREATE_FUNCTION)
    op.execute(
        f"CREATE INDEX ix_prompts_search_grams ON prompts USING gin "
        f"({before.FUNCTION}({before.HAYSTACK})) WITH (gin_pending_list_limit = 64)"
    )
    op.execute(f"DROP INDEX IF EXISTS {INDEX}")
    for field in _FIELDS:
        op.execute(f"ALTER TABLE prompts DROP COLUMN grams_{field}")

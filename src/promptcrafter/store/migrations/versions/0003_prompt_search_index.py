"""Index-backed substring search over prompts, and optimistic-concurrency versions.

Search runs over lower-cased copies of title, tags and content, folded in Python so both
engines fold case identically (SQLite's lower() is ASCII-only; PostgreSQL's depends on the
database locale). Existing prompts are backfilled here, in batches.

SQLite indexes the copies with an FTS5 trigram table kept in step by triggers; PostgreSQL
with a pg_trgm GIN index. Both answer ``LIKE '%term%'``-style substring queries from the index.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from promptcrafter.store.folding import fold_content, fold_tags, fold_title

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    with op.batch_alter_table("prompts") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        for name in ("search_title", "search_tags", "search_content"):
            batch.add_column(sa.Column(name, sa.Text(), nullable=False, server_default=""))
    _backfill()
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_fts()
    else:
        _postgres_trigram()


def _backfill() -> None:
    bind = op.get_bind()
    prompts = sa.table(
        "prompts",
        sa.column("seq", sa.Integer()),
        sa.column("title", sa.Text()),
        sa.column("content", sa.Text()),
        sa.column("tags", sa.Text()),
        sa.column("search_title", sa.Text()),
        sa.column("search_tags", sa.Text()),
        sa.column("search_content", sa.Text()),
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(prompts.c.seq, prompts.c.title, prompts.c.content, prompts.c.tags)
            .where(prompts.c.seq > last)
            .order_by(prompts.c.seq)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for seq, title, content, tags in rows:
            bind.execute(
                prompts.update()
                .where(prompts.c.seq == seq)
                .values(
                    search_title=fold_title(title),
                    search_tags=fold_tags(orjson.loads(tags)),
                    search_content=fold_content(content),
                )
            )
        last = rows[-1][0]


def _sqlite_fts() -> None:
    op.execute(
        "CREATE VIRTUAL TABLE prompt_search USING fts5("
        "search_title, search_tags, search_content, "
        "content='prompts', content_rowid='seq', tokenize='trigram case_sensitive 1')"
    )
    op.execute("INSERT INTO prompt_search(prompt_search) VALUES ('rebuild')")
    # The index's own list of trigrams: short terms are looked up in it (see store/search.py).
    op.execute("CREATE VIRTUAL TABLE prompt_search_vocab USING fts5vocab(prompt_search, 'row')")
    columns = "search_title, search_tags, search_content"
    old = "old.search_title, old.search_tags, old.search_content"
    new = "new.search_title, new.search_tags, new.search_content"
    op.execute(
        "CREATE TRIGGER prompts_search_insert AFTER INSERT ON prompts BEGIN "
        f"INSERT INTO prompt_search(rowid, {columns}) VALUES (new.seq, {new}); END"
    )
    op.execute(
        "CREATE TRIGGER prompts_search_delete AFTER DELETE ON prompts BEGIN "
        f"INSERT INTO prompt_search(prompt_search, rowid, {columns}) "
        f"VALUES ('delete', old.seq, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER prompts_search_update AFTER UPDATE OF {columns} ON prompts BEGIN "
        f"INSERT INTO prompt_search(prompt_search, rowid, {columns}) "
        f"VALUES ('delete', old.seq, {old}); "
        f"INSERT INTO prompt_search(rowid, {columns}) VALUES (new.seq, {new}); END"
    )


def _postgres_trigram() -> None:
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(
        "CREATE INDEX ix_prompts_search_trgm ON prompts USING gin "
        "((search_title || chr(10) || search_tags || chr(10) || search_content) gin_trgm_ops)"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS prompts_search_{trigger}")
        op.execute("DROP TABLE IF EXISTS prompt_search_vocab")
        op.execute("DROP TABLE IF EXISTS prompt_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_prompts_search_trgm")
    with op.batch_alter_table("prompts") as batch:
        for name in ("search_content", "search_tags", "search_title", "version"):
            batch.drop_column(name)

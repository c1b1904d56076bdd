"""The prompt registry: versions, labels, label history, and logs tied to a version.

Every existing prompt gets one version row carrying the number it has now, so ETags already
handed out stay valid; its history starts there (earlier numbers answer 404). Its template
variables are computed here, in Python with the same parser the server uses, a page of
prompts at a time. Stored tags are rewritten in orjson's compact form on the way (rows
written before 0003 may hold ``["a", "b"]``), because "unchanged" is decided by comparing
the stored JSON text. Existing logs keep ``prompt_version`` NULL: nobody knows which text
produced them.

Columns are added and dropped with plain ``ALTER TABLE`` on both engines, not a batch
rebuild: rebuilding ``prompts`` on SQLite would drop the search triggers of 0003.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from promptcrafter.templates import variables

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_BATCH = 500


def upgrade() -> None:
    op.add_column("prompts", sa.Column("variables", sa.Text(), nullable=False, server_default="[]"))
    op.add_column("prompts", sa.Column("labels", sa.Text(), nullable=False, server_default="{}"))
    op.add_column("logs", sa.Column("prompt_version", sa.Integer(), nullable=True))
    op.add_column("logs", sa.Column("label", sa.Text(), nullable=True))
    # For the statistics: one prompt's logs grouped by version and model, scores at hand.
    op.create_index(
        "ix_logs_prompt_version_model_score",
        "logs",
        ["prompt_id", "prompt_version", "model_used", "score"],
    )
    op.create_table(
        "prompt_versions",
        sa.Column(
            "prompt_id",
            sa.Text(),
            sa.ForeignKey("prompts.id", ondelete="CASCADE", name="fk_prompt_versions_prompt"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("variables", sa.Text(), nullable=False),
        sa.Column("commit_message", sa.Text(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Text(), nullable=True),
        # The database, not the application, makes each (prompt, version) unique.
        sa.PrimaryKeyConstraint("prompt_id", "version", name="pk_prompt_versions"),
    )
    op.create_table(
        "prompt_labels",
        sa.Column(
            "prompt_id",
            sa.Text(),
            sa.ForeignKey("prompts.id", ondelete="CASCADE", name="fk_prompt_labels_prompt"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("prompt_id", "name", name="pk_prompt_labels"),
        sa.ForeignKeyConstraint(
            ["prompt_id", "version"],
            ["prompt_versions.prompt_id", "prompt_versions.version"],
            name="fk_prompt_labels_version",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "label_history",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "prompt_id",
            sa.Text(),
            sa.ForeignKey("prompts.id", ondelete="CASCADE", name="fk_label_history_prompt"),
            nullable=False,
        ),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("previous_version", sa.Integer(), nullable=True),
        sa.Column("changed_by", sa.Text(), nullable=False),
        sa.Column("changed_at", sa.BigInteger(), nullable=False),
    )
    op.create_index(
        "ix_label_history_prompt_name_seq", "label_history", ["prompt_id", "name", "seq"]
    )
    _backfill()


def _backfill() -> None:
    bind = op.get_bind()
    prompts = sa.table(
        "prompts",
        sa.column("seq", sa.Integer()),
        sa.column("content", sa.Text()),
        sa.column("tags", sa.Text()),
        sa.column("variables", sa.Text()),
    )
    update = (
        prompts.update()
        .where(prompts.c.seq == sa.bindparam("row_seq"))
        .values(variables=sa.bindparam("new_variables"), tags=sa.bindparam("new_tags"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(prompts.c.seq, prompts.c.content, prompts.c.tags)
            .where(prompts.c.seq > last)
            .order_by(prompts.c.seq)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        changes = []
        for seq, content, tags in rows:
            names = orjson.dumps(variables(content)).decode()
            compact = orjson.dumps(orjson.loads(tags)).decode()
            if names != "[]" or compact != tags:  # most rows need no rewrite
                changes.append({"row_seq": seq, "new_variables": names, "new_tags": compact})
        if changes:
            bind.execute(update, changes)
        last = rows[-1][0]
    # Then every prompt's current state becomes its first recorded version, in one statement.
    op.execute(
        "INSERT INTO prompt_versions (prompt_id, version, title, content, model, tags, "
        "variables, commit_message, created_at, created_by) "
        "SELECT id, version, title, content, model, tags, variables, NULL, updated_at, NULL "
        "FROM prompts"
    )


def _drop_column(table: str, column: str) -> None:
    op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade() -> None:
    op.drop_index("ix_label_history_prompt_name_seq", table_name="label_history")
    op.drop_table("label_history")
    op.drop_table("prompt_labels")
    op.drop_table("prompt_versions")
    op.drop_index("ix_logs_prompt_version_model_score", table_name="logs")
    for table, column in (
        ("logs", "label"),
        ("logs", "prompt_version"),
        ("prompts", "labels"),
        ("prompts", "variables"),
    ):
        _drop_column(table, column)

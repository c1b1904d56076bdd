"""Users, prompts and logs.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _seq() -> sa.Column[int]:
    # An integer key breaks ties between equal creation times and, on SQLite, is a stable
    # rowid for the full-text index. The public id is a separate unique column.
    # BIGSERIAL on PostgreSQL; INTEGER PRIMARY KEY (the rowid itself) on SQLite.
    return sa.Column(
        "seq",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        primary_key=True,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Text(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        # Lower-cased copy: the database itself keeps emails unique case-insensitively.
        sa.Column("email_key", sa.Text(), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "prompts",
        _seq(),
        sa.Column("id", sa.Text(), nullable=False, unique=True),
        sa.Column(
            "owner_id",
            sa.Text(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("model", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        # Lets logs reference (prompt, owner) so a log can never belong to someone else.
        sa.UniqueConstraint("id", "owner_id", name="uq_prompts_id_owner"),
    )
    # Listings walk these: oldest first by creation time, insertion order breaking ties.
    op.create_index("ix_prompts_owner_created", "prompts", ["owner_id", "created_at", "seq"])
    op.create_table(
        "logs",
        _seq(),
        sa.Column("id", sa.Text(), nullable=False, unique=True),
        sa.Column("prompt_id", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Text(), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
        sa.Column("model_used", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["prompt_id", "owner_id"],
            ["prompts.id", "prompts.owner_id"],
            name="fk_logs_prompt_owner",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint("score IS NULL OR (score >= 0 AND score <= 10)", name="ck_logs_score"),
    )
    op.create_index("ix_logs_owner_created", "logs", ["owner_id", "created_at", "seq"])
    op.create_index("ix_logs_prompt_created", "logs", ["prompt_id", "created_at", "seq"])


def downgrade() -> None:
    op.drop_table("logs")
    op.drop_table("prompts")
    op.drop_table("users")

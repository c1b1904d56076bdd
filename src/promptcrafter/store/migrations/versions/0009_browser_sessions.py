"""Browser sessions of the UI, kept server-side so logging out or changing the password ends
them on every worker at once.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "browser_sessions",
        # SHA-256 of the cookie's random id: a copy of the table opens no session.
        sa.Column("id_hash", sa.Text(), primary_key=True),
        sa.Column(
            "user_id",
            sa.Text(),
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
        ),
        # The user's token generation at log-in: a password change moves it and so ends the
        # session, as it ends tokens.
        sa.Column("generation", sa.Integer(), nullable=False),
        sa.Column("csrf", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("seen_at", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_browser_sessions_user", "browser_sessions", ["user_id"])
    op.create_index("ix_browser_sessions_created", "browser_sessions", ["created_at"])


def downgrade() -> None:
    op.drop_table("browser_sessions")

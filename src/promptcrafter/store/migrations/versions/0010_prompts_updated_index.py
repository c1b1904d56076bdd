"""The library's default order read from an index: most recently updated prompts first.

The browser UI's library (``/ui/``) lists a user's prompts by ``updated_at`` descending, ties
by creation (``store/listing.py``: ``updated_at DESC, created_at, seq``), as
``GET /prompts?sort=-updatedAt`` does. Only ``(owner_id, created_at, seq)`` was indexed, so
both engines read and sorted all of a user's prompts for every page: at 10,000 prompts 63 ms
per page on SQLite (its LIMIT sorter does the most work exactly when rows arrive oldest
first), 0.15 ms with this index, which holds the order as the statement asks for it (a
descending first column, then ascending ones). ``sort=updatedAt`` gains too: the index gives
the first column's order and only ties are sorted. Measured before this change on a copy of
a 10,000-prompt library.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_NAME = "ix_prompts_owner_updated"


def upgrade() -> None:
    op.create_index(_NAME, "prompts", ["owner_id", sa.text("updated_at DESC"), "created_at", "seq"])


def downgrade() -> None:
    op.drop_index(_NAME, table_name="prompts")

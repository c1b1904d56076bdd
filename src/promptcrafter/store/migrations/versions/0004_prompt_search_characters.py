"""PostgreSQL: an index of the characters each prompt's folded text holds.

pg_trgm ignores every character that is not a letter or digit, and needs three of them, so
search terms such as ``(``, ``%`` or ``ai`` could only be answered by reading the whole library.
This GIN index over the set of characters lets those terms narrow the rows first (every
character of a term must be present); the LIKE check then decides. SQLite answers short terms
from its FTS5 vocabulary instead (see store/search.py), so nothing changes there.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

HAYSTACK = "search_title || chr(10) || search_tags || chr(10) || search_content"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_prompts_search_chars ON prompts "
            f"USING gin (string_to_array({HAYSTACK}, NULL))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_prompts_search_chars")

"""PostgreSQL: the search index's pending list may hold 1 MB instead of 64 kB.

A GIN index with fast update collects new entries in a pending list and merges them into the
index proper once the list passes ``gin_pending_list_limit``. Merging sorts the list's
entries by key and adds each key's row pointers in one go, so a longer list is cheaper per
entry; a changing ``PATCH`` writes about two hundred entries (every piece of the prompt's
new row). Migrations 0005 and 0011 chose the smallest limit, 64 kB, because every search also
reads the whole list.

Measured with ``python -m bench.pieces_lab --rounds 1 --seconds 6`` (pgbench replaying the
server's ``PATCH`` statement on 1,000 prompts, 16 clients; 2-core machine, 2026-12-02):

| limit | changing PATCHes a second | one search, list full / empty |
|---|---|---|
| 64 kB | 2,995 | 0.122 / 0.114 ms (7 pending pages) |
| 256 kB | 3,205 | 0.145 / 0.109 ms |
| 512 kB | 3,332 | 0.168 / 0.121 ms |
| 1 MB | 3,504 | 0.213 / 0.114 ms (103 pending pages) |
| 2 MB | 3,571 | 0.321 / 0.115 ms |
| 4 MB | 3,592 | 0.558 / 0.122 ms |

1 MB takes most of the gain (+17%) for a tenth of a millisecond, at worst, per search.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

INDEX = "ix_prompts_search_pieces"  # migration 0011
LIMIT_KB = 1024
_BEFORE_KB = 64


def _set_limit(kilobytes: int) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = {kilobytes})")


def upgrade() -> None:
    _set_limit(LIMIT_KB)


def downgrade() -> None:
    _set_limit(_BEFORE_KB)

"""SQLite: a prompt is re-indexed for search only when a searched field changed.

The trigger of migration 0003 ran for every UPDATE that set the folded search copies, and a
``PATCH`` sets all three (each to itself when its field is absent), so changing only the
model, or only a title that folds to the same text, deleted and re-inserted every trigram of
the prompt in the full-text index. The trigger now has a ``WHEN`` clause comparing the old and
new copies. ``IS NOT`` rather than ``<>``: the copies are never NULL, but the comparison should
not depend on it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_COLUMNS = ("search_title", "search_tags", "search_content")
_CHANGED = " OR ".join(f"old.{name} IS NOT new.{name}" for name in _COLUMNS)


def _trigger(when: str) -> str:
    columns = ", ".join(_COLUMNS)
    old = ", ".join(f"old.{name}" for name in _COLUMNS)
    new = ", ".join(f"new.{name}" for name in _COLUMNS)
    return (
        f"CREATE TRIGGER prompts_search_update AFTER UPDATE OF {columns} ON prompts {when}"
        "BEGIN "
        f"INSERT INTO prompt_search(prompt_search, rowid, {columns}) "
        f"VALUES ('delete', old.seq, {old}); "
        f"INSERT INTO prompt_search(rowid, {columns}) VALUES (new.seq, {new}); END"
    )


def _replace(when: str) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP TRIGGER prompts_search_update")
    op.execute(_trigger(when))


def upgrade() -> None:
    _replace(f"WHEN {_CHANGED} ")


def downgrade() -> None:
    _replace("")

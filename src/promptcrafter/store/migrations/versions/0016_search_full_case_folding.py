"""Search folds case fully (``str.casefold``), not by lower-casing.

``str.lower`` gives a word-final capital sigma its final form (``ΚΟΣΜΟΣ`` -> ``κοσμος``) and
keeps ``ß``, so ``ΚΟΣ`` missed ``ΚΟΣΜΟΣ`` and ``STRASSE`` missed ``Straße``, though search
is case-insensitive. ``store/folding.py`` now folds with ``casefold`` on both sides; here every
stored copy that folds differently is computed again, in batches (most text, ASCII included,
folds as before and is left alone). On SQLite the update trigger of 0013 re-indexes exactly
the changed rows; on PostgreSQL their grams (promptcrafter/grams.py) are computed again too.

The downgrade keeps the copies: a fuller fold only finds more, and the server of 0015 reads
them the same way.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from __future__ import annotations

import orjson
import sqlalchemy as sa
from alembic import op

from promptcrafter import grams
from promptcrafter.store.folding import PAD, fold_content, fold_tags, fold_title

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_BATCH = 500
_READ = sa.text(
    "SELECT seq, title, tags, content, search_title, search_tags, search_content FROM prompts "
    "WHERE seq > :last ORDER BY seq LIMIT :limit"
)
_WRITE = (
    "UPDATE prompts SET search_title = :st, search_tags = :sg, search_content = :sc{grams} "
    "WHERE seq = :seq"
)
_GRAMS = ", grams_title = :t, grams_tags = :g, grams_content = :c"


def upgrade() -> None:
    bind = op.get_bind()
    postgres = bind.dialect.name == "postgresql"
    write = sa.text(_WRITE.format(grams=_GRAMS if postgres else ""))
    if postgres:
        write = write.bindparams(
            *(sa.bindparam(name, type_=sa.ARRAY(sa.Integer())) for name in ("t", "g", "c"))
        )
    last = 0
    while rows := bind.execute(_READ, {"last": last, "limit": _BATCH}).all():
        changed = []
        for seq, title, tags, content, *stored in rows:
            folded = [fold_title(title), fold_tags(orjson.loads(tags)), fold_content(content)]
            if folded == list(stored):
                continue
            values = {"seq": seq, "st": folded[0], "sg": folded[1], "sc": folded[2]}
            if postgres:
                for key, text in zip("tgc", folded, strict=True):
                    values[key] = grams.entry(text.rstrip(PAD))
            changed.append(values)
        if changed:
            bind.execute(write, changed)
        last = rows[-1][0]


def downgrade() -> None:
    pass  # see the docstring

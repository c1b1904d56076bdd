"""PostgreSQL: one GIN index of the short pieces ("grams") of every word, for all of search.

Why the indexes of 0003 and 0004 go:
- pg_trgm only indexes runs of letters and digits. A term such as ``a%e``, ``it's`` or
  ``[a-z]`` could not use it, and ``(write`` was narrowed by ``write`` alone (in thousands
  of prompts). On a 100,000-prompt library these took 34 ms at the median.
- The index of the characters a prompt holds (0004) narrowed little: common letters are in
  every prompt.
- Even for plain fragments, asking the pg_trgm index for ``%pasogik%`` read 192 index pages
  (0.5 ms); the same five trigrams in this index read 20 (0.15 ms).

What is indexed: for every word of the folded text (split on ASCII white space), each of its
one-, two- and three-character pieces. A search term never contains white space, so it lies
inside one word, and every piece store/search.py asks for (the term itself when it is
shorter than three characters, else some of its three-character pieces) is present in any
prompt holding the term. Matching is still decided by ``LIKE`` on the folded text; the index
only narrows the rows.

A word longer than 64 characters is cut into 64-character chunks twice, the second time
starting 32 characters in, so every piece of up to three characters lies wholly inside some
chunk. This keeps the function linear in the text's length: ``substr`` must walk a UTF-8 text
from its start, so taking every piece of a 200,000-character word directly never finished;
chunked, it takes 0.4 s.

The function is IMMUTABLE (an index expression must be). It switches JIT off, because the
planner overestimates its row counts and would compile it on every call. Its COST is set
high: evaluating it takes about 0.2 ms per row, so the planner must treat the index, not a
per-row check, as the way to answer ``@>``.

New rows wait in the index's pending list until it is merged into the index proper, and every
search reads that whole list. With the default limit (4 MB, about 500 pages here) a
100,000-prompt library searched at 1,264 a second instead of 3,000; at the smallest limit
(64 kB) an insert costs about 0.2 ms more (3,000 rows: 1.9 s instead of 1.2 s) and searches
stay fast.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

HAYSTACK = "search_title || chr(10) || search_tags || chr(10) || search_content"
FUNCTION = "promptcrafter_search_grams"

_CREATE_FUNCTION = f"""
CREATE FUNCTION {FUNCTION}(haystack text) RETURNS text[]
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE COST 100000 SET jit = off AS $$
    SELECT coalesce(array_agg(DISTINCT substr(piece, i, n)), '{{}}')
    FROM regexp_split_to_table(haystack, '[ \\t\\n\\r\\f\\v]+') AS word,
         LATERAL (
             SELECT word WHERE length(word) <= 64
             UNION ALL
             SELECT m[1] FROM regexp_matches(word, '.{{1,64}}', 'g') AS m
             WHERE length(word) > 64
             UNION ALL
             SELECT m[1] FROM regexp_matches(substr(word, 33), '.{{1,64}}', 'g') AS m
             WHERE length(word) > 64
         ) AS chunks(piece),
         generate_series(1, length(piece)) AS i,
         generate_series(1, 3) AS n
    WHERE piece <> ''
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(_CREATE_FUNCTION)
    op.execute(
        f"CREATE INDEX ix_prompts_search_grams ON prompts USING gin ({FUNCTION}({HAYSTACK})) "
        "WITH (gin_pending_list_limit = 64)"
    )
    op.execute("DROP INDEX IF EXISTS ix_prompts_search_chars")
    op.execute("DROP INDEX IF EXISTS ix_prompts_search_trgm")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE INDEX ix_prompts_search_trgm ON prompts USING gin (({HAYSTACK}) gin_trgm_ops)"
    )
    op.execute(
        "CREATE INDEX ix_prompts_search_chars ON prompts "
        f"USING gin (string_to_array({HAYSTACK}, NULL))"
    )
    op.execute("DROP INDEX IF EXISTS ix_prompts_search_grams")
    op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(text)")

"""SQLite's statement for ``/stats``: every (version, model) group of a prompt's logs, each
folded inside SQLite into one row of text.

The plain statement (``GROUP BY prompt_version, model_used, score``) handed Python one row per
distinct score of every group, ten thousand for 20 versions x 5 models, and SQLite compared
three key columns on every log to find where each group ends. Measured in-process at 100,000
logs (callgrind, one request): 327 M instructions in SQLite and the row fetch, and 30 M more in
Python folding the rows into groups. This statement costs 226 M, fetch included:

* The groups are found by a skip-scan of ``ix_logs_prompt_stats`` (prompt_id, prompt_version,
  model_used, score, created_at): a recursive CTE seeks from each (version, model) to the next
  one, a few ``MIN`` lookups on the index per group (3 M instructions for 100 groups), never
  a scan.
* Each group is then read by its own range scan of the index (``prompt_version IS :v AND
  model_used = :m``), grouped by score alone: SQLite ends the range by the index key and
  compares one column per log instead of three, and no temporary b-tree is needed.
* The group's rows become one JSON array ``[count, first_at, last_at, score, n, score, n,
  ...]`` built by ``printf`` and ``group_concat``, so Python decodes a hundred short texts
  (orjson, in C) instead of fetching ten thousand rows column by column.

Scores are printed with ``%!.17g``: seventeen significant digits name every double exactly
(SQLite's JSON functions print fifteen, which would round scores), and the test suite checks
the round trip on this SQLite. A score of NULL counts in the group's ``count`` but is left
out of the pairs.

``MAX(created_at)`` comes before ``MIN(created_at)`` on purpose: SQLite reloads the row's other
columns (here ``score``) whenever the *last* min/max aggregate of the row takes a new value,
and within a score the index yields ``created_at`` ascending, so ``MIN`` changes once per
score where ``MAX`` would change on every log (9 M instructions at 100,000 logs).

Ownership is checked once, on the first group: no group is found for someone else's prompt.
"""

from __future__ import annotations

_OWNED = "EXISTS (SELECT 1 FROM prompts p WHERE p.id = :id AND p.owner_id = :owner)"
_LOGS = "FROM logs WHERE prompt_id = :id"

# From the group (g.v, g.m) to the next one in index order. Logs from before versions
# existed have a NULL version and come first; ``IS`` matches them and still seeks the index.
_NEXT_MODEL = f"(SELECT MIN(model_used) {_LOGS} AND prompt_version IS g.v AND model_used > g.m)"
_NEXT_VERSION = (
    f"(CASE WHEN g.v IS NULL THEN (SELECT MIN(prompt_version) {_LOGS}) "
    f"ELSE (SELECT MIN(prompt_version) {_LOGS} AND prompt_version > g.v) END)"
)
_FIRST_MODEL_OF_NEXT = f"(SELECT MIN(model_used) {_LOGS} AND prompt_version = {_NEXT_VERSION})"

# Past the last group the step yields (NULL, NULL); model_used is never NULL in a log, so a
# NULL model ends the walk.
_GROUPS = (
    "WITH RECURSIVE g(v, m) AS ("
    f"SELECT * FROM (SELECT prompt_version, model_used {_LOGS} AND {_OWNED} "
    "ORDER BY prompt_version, model_used LIMIT 1) "
    f"UNION ALL SELECT CASE WHEN {_NEXT_MODEL} IS NULL THEN {_NEXT_VERSION} ELSE g.v END, "
    f"COALESCE({_NEXT_MODEL}, {_FIRST_MODEL_OF_NEXT}) FROM g WHERE g.m IS NOT NULL)"
)
_PER_SCORE = (
    "SELECT score, COUNT(*) AS n, MAX(created_at) AS last_at, MIN(created_at) AS first_at "
    f"{_LOGS} AND prompt_version IS g.v AND model_used = g.m GROUP BY score"
)
_FOLDED = (
    "(SELECT printf('[%d,%d,%d%s]', SUM(n), MIN(first_at), MAX(last_at), "
    "',' || group_concat(CASE WHEN score IS NOT NULL THEN printf('%!.17g,%d', score, n) END)) "
    f"FROM ({_PER_SCORE}))"
)

STATEMENT = f"{_GROUPS} SELECT v, m, {_FOLDED} FROM g WHERE m IS NOT NULL"
"""Rows of (version, model, folded text), one per group; none when the prompt has no logs
or is not the caller's."""

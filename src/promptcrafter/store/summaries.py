"""Per-prompt log figures for the library table: how many logs, and their mean score.

One statement for a page of prompts, grouped by prompt. It starts from ``prompts``, where
the owner check is: the ids asked for, each looked up by its unique index, and kept when
``owner_id = :owner``. It joins ``logs`` through ``ix_logs_prompt_stats`` (prompt_id,
prompt_version, model_used, score, created_at): ``prompt_id`` leads it and it holds
``score``, so both engines count and average from the index alone, never a log row
(SQLite ``SEARCH l USING COVERING INDEX``, PostgreSQL an Index Only Scan). ``logs.owner_id``
is not needed: a log's owner is its prompt's (the foreign key covers both columns).

The ids travel as one JSON array parameter, so the statement text is the same whatever the
page size (compiled once, like every statement): ``json_each`` on SQLite,
``jsonb_array_elements_text`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from promptcrafter.store.database import Database, sql

_SELECT = "SELECT p.id, COUNT(l.prompt_id), AVG(l.score) FROM prompts p "
_REST = "LEFT JOIN logs l ON l.prompt_id = p.id WHERE p.owner_id = :owner AND {ids} GROUP BY p.id"
_SUMMARIES = sql(
    _SELECT + _REST.format(ids="p.id IN (SELECT value FROM json_each(:ids))"),
    # ARRAY(...) is computed once (an InitPlan), so the prompts are looked up by id in the
    # unique index; an IN (subquery) let the planner walk all of the owner's prompts instead.
    postgresql=_SELECT
    + _REST.format(ids="p.id = ANY(ARRAY(SELECT jsonb_array_elements_text(CAST(:ids AS jsonb))))"),
)


@dataclass(frozen=True, slots=True)
class Summary:
    """``logs``: every log of the prompt; ``mean_score``: the mean over its scored logs, None
    when none is scored."""

    logs: int
    mean_score: float | None


async def log_summaries(db: Database, owner: str, prompt_ids: Sequence[str]) -> dict[str, Summary]:
    """``{prompt_id: Summary}`` for each of ``prompt_ids`` that ``owner`` owns (a prompt
    without logs is there with 0 and None; someone else's or a missing id is absent)."""
    ids = list(dict.fromkeys(prompt_ids))
    if not ids:
        return {}
    rows = await db.fetch_all(_SUMMARIES, {"owner": owner, "ids": json.dumps(ids)})
    return {
        str(row[0]): Summary(int(row[1]), None if row[2] is None else float(row[2])) for row in rows
    }

"""Substring search over a user's prompts, backed by a trigram index on either engine.

Terms are AND-ed; each must occur (case-insensitively, as literal text) in the title, the
content or one tag. Terms of three or more characters are looked up in the index (SQLite FTS5
trigram, PostgreSQL pg_trgm); shorter ones cannot be, and are checked row by row on what the
longer terms left (or on the whole library when no term is long enough).

Ranking: a prompt whose title contains a term comes first, then one whose tags contain a term,
then content-only matches; newest first within each group.
"""

from __future__ import annotations

from functools import lru_cache

from promptcrafter.store.database import Database, Query, Row, sql
from promptcrafter.store.folding import fold
from promptcrafter.store.prompts import COLUMNS

MIN_INDEXED = 3  # a trigram index can only serve terms of at least three characters
# Bounds on one query's work (and on SQLite's expression depth, 1000): far above what a person
# types, low enough that no query string can make a statement the engine refuses.
MAX_TERMS = 200
MAX_QUERY = 8000

_SQLITE_COLUMNS = ", ".join(f"p.{name.strip()}" for name in COLUMNS.split(","))
_PG_HAYSTACK = "(p.search_title || chr(10) || p.search_tags || chr(10) || p.search_content)"


def terms_of(query: str) -> list[str]:
    """Distinct folded terms, in order of first appearance."""
    return list(dict.fromkeys(fold(term) for term in query.split()))


def _fts_phrase(term: str) -> str:
    # Inside double quotes FTS5 reads everything literally; a quote is escaped by doubling it.
    return '"' + term.replace('"', '""') + '"'


def _like_literal(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rank(position: str, names: list[str]) -> str:
    in_title = " OR ".join(f"{position}(p.search_title, :{n}) > 0" for n in names)
    in_tags = " OR ".join(f"{position}(p.search_tags, :{n}) > 0" for n in names)
    return f"CASE WHEN {in_title} THEN 0 WHEN {in_tags} THEN 1 ELSE 2 END"


def _sqlite_text(names: list[str], indexed: list[bool], owner_param: str) -> str:
    contains = [
        f"(instr(p.search_title, :{n}) > 0 OR instr(p.search_tags, :{n}) > 0 "
        f"OR instr(p.search_content, :{n}) > 0)"
        for n, is_indexed in zip(names, indexed, strict=True)
        if not is_indexed
    ]
    where = [f"p.owner_id = :{owner_param}", *contains]
    if any(indexed):
        source = "prompt_search JOIN prompts p ON p.seq = prompt_search.rowid"
        where.insert(0, "prompt_search MATCH :fts")
    else:
        source = "prompts p"
    return (
        f"SELECT {_SQLITE_COLUMNS} FROM {source} WHERE {' AND '.join(where)} "
        f"ORDER BY {_rank('instr', names)}, p.created_at DESC, p.seq DESC"
    )


def _postgres_text(names: list[str], owner_param: str) -> str:
    where = [f"p.owner_id = :{owner_param}"]
    where += [f"{_PG_HAYSTACK} LIKE :like_{n} ESCAPE '\\'" for n in names]
    return (
        f"SELECT {_SQLITE_COLUMNS} FROM prompts p WHERE {' AND '.join(where)} "
        f"ORDER BY {_rank('strpos', names)}, p.created_at DESC, p.seq DESC"
    )


@lru_cache(maxsize=256)
def _statement(engine: str, indexed: tuple[bool, ...]) -> Query:
    """One statement per shape of query (engine, and which terms the index can serve)."""
    names = [f"t{i}" for i in range(len(indexed))]
    if engine == "sqlite":
        return sql(_sqlite_text(names, list(indexed), "owner"))
    return sql(_postgres_text(names, "owner"))


async def search(db: Database, owner: str, terms: list[str]) -> list[Row]:
    names = [f"t{i}" for i in range(len(terms))]
    indexed = [len(term) >= MIN_INDEXED for term in terms]
    query = _statement(db.engine, tuple(indexed))
    params: dict[str, object] = {"owner": owner}
    params.update(zip(names, terms, strict=True))
    if db.engine == "sqlite":
        params["fts"] = " AND ".join(
            _fts_phrase(t) for t, is_indexed in zip(terms, indexed, strict=True) if is_indexed
        )
    else:
        params.update(
            {f"like_{n}": f"%{_like_literal(t)}%" for n, t in zip(names, terms, strict=True)}
        )
    # Without a term the index can serve, the statement reads the caller's whole library.
    return await db.fetch_all(query, params, slow=not any(indexed))

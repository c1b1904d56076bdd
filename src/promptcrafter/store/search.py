"""Substring search over a user's prompts, backed by a trigram index on either engine.

Terms are AND-ed; each must occur (case-insensitively, as literal text) in the title, the
content or one tag.

SQLite (FTS5, trigram tokenizer): terms of three or more characters are phrase queries, which
decide by themselves: a phrase of trigrams is the substring. Except where the tokenizer makes
two characters one: it reads U+FFFE and U+FFFF (the pad below) as U+FFFD, so a term holding
any of them is also checked against the folded columns, like a short term. When
every term is shorter, the index can still narrow the rows: each folded field ends with two pad
characters, so every occurrence of a short term starts some indexed trigram, and the index's
vocabulary lists those trigrams (a range lookup). The candidates are the rows holding any of
them. Only a term so common that it starts very many trigrams falls back to a scan, which runs
off the event loop.

PostgreSQL (GIN index of numbered pieces, migration 0011): each prompt stores, as integers
(promptcrafter/grams.py), every one-, two- and three-character piece of each word of its folded
fields, and the index holds them. A term asks for itself when shorter than three characters,
else for some of its three-character pieces; ``LIKE '%term%'`` on the folded fields then
decides. Unlike pg_trgm, the pieces keep punctuation, so ``a%e``, ``it's``
or ``[a-z]`` narrow as well as plain words do. Pieces that most prompts hold are left out
(store/gram_stats.py, from the statistics ANALYZE keeps); if nothing selective remains, the
statement has no index condition at all.

Ranking: a prompt whose title contains a term comes first, then one whose tags contain a term,
then content-only matches; newest first within each group.

Paging (``search_page``): the groups are read one after the other, each newest first, and the
walk stops when the page is full, so a page never ranks every match. A page of a term that
many prompts hold reads the owner's prompts newest first and checks each (a few hundred rows
fill it); a rarer term's page reads the index's matches and sorts them. The choice comes from
the same statistics on PostgreSQL (``RECENT_SHARE``) and from a capped count of the
full-text matches on SQLite (``FEW``); either way the answer is the same, only the work is not.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from promptcrafter.grams import codes
from promptcrafter.store import gram_stats
from promptcrafter.store.database import Database, Query, Row, sql
from promptcrafter.store.folding import fold
from promptcrafter.store.prompts import COLUMNS

MIN_INDEXED = 3  # a trigram index serves terms of at least three characters directly
# What SQLite's trigram tokenizer reads as U+FFFD (as it reads invalid UTF-8): the index
# cannot tell these three apart, so it only narrows for a term that holds one.
_ONE_TO_THE_INDEX = str.maketrans({"\ufffe": "\ufffd", "\uffff": "\ufffd"})
_CONFLATED = frozenset("\ufffd\ufffe\uffff")
MAX_EXPANSION = 256  # trigrams a short term may expand to before a scan is cheaper
MAX_GRAMS = 8  # PostgreSQL: index pieces asked for one term
# Bounds on one query's work (and on SQLite's expression depth, 1000): far above what a person
# types, low enough that no query string can make a statement the engine refuses.
MAX_TERMS = 200
MAX_QUERY = 8000

_COLUMNS = ", ".join(f"p.{name.strip()}" for name in COLUMNS.split(","))
_PG_HAYSTACK = "(p.search_title || chr(10) || p.search_tags || chr(10) || p.search_content)"
_PG_GRAMS = "(p.grams_title || p.grams_tags || p.grams_content)"  # as indexed by migration 0011
_VOCABULARY = sql(
    "SELECT term FROM prompt_search_vocab WHERE term >= :low AND term < :high LIMIT :limit"
)


def _pg_grams(term: str) -> list[str]:
    """Pieces of ``term`` that the grams index holds for every text containing it.

    A long term is narrowed well enough by a few of its pieces; each extra one costs an index
    lookup, so at most ``MAX_GRAMS`` are taken, spread from its start to its end.
    """
    if len(term) < MIN_INDEXED:
        return [term]
    last = len(term) - 3
    step = max(1, -(-last // (MAX_GRAMS - 1)))  # ceiling division
    return list(dict.fromkeys(term[i : i + 3] for i in (*range(0, last, step), last)))


def terms_of(query: str) -> list[str]:
    """Distinct folded terms, in order of first appearance."""
    return [term for term in dict.fromkeys(fold(word) for word in query.split()) if term]


def _fts_phrase(term: str) -> str:
    # Inside double quotes FTS5 reads everything literally; a quote is escaped by doubling it.
    return '"' + term.replace('"', '""') + '"'


def _like_literal(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rank(position: str, names: list[str]) -> str:
    in_title = " OR ".join(f"{position}(p.search_title, :{n}) > 0" for n in names)
    in_tags = " OR ".join(f"{position}(p.search_tags, :{n}) > 0" for n in names)
    return f"CASE WHEN {in_title} THEN 0 WHEN {in_tags} THEN 1 ELSE 2 END"


def _contains(name: str) -> str:
    return (
        f"(instr(p.search_title, :{name}) > 0 OR instr(p.search_tags, :{name}) > 0 "
        f"OR instr(p.search_content, :{name}) > 0)"
    )


def _tier(position: str, names: list[str], tier: int) -> str:
    """The rows of one ranking group, written out so that the planner sees plain tests."""
    in_title = " OR ".join(f"{position}(p.search_title, :{n}) > 0" for n in names)
    in_tags = " OR ".join(f"{position}(p.search_tags, :{n}) > 0" for n in names)
    groups = [
        f"({in_title})",
        f"NOT ({in_title}) AND ({in_tags})",
        f"NOT ({in_title}) AND NOT ({in_tags})",
    ]
    return groups[tier]


# A page of one group resumes below the last row shown (groups list newest first).
_BELOW = "(p.created_at, p.seq) < (CAST(:k_created AS BIGINT), CAST(:k_seq AS BIGINT))"


def _select(where: list[str], source: str, order: str, tier: int | None, after: bool) -> str:
    """The whole ranked answer (``tier`` None), or one group's next rows with their keys."""
    if tier is None:
        return f"SELECT {_COLUMNS} FROM {source} WHERE {' AND '.join(where)} ORDER BY {order}"
    where = [*where, *([_BELOW] if after else [])]
    return (
        f"SELECT p.created_at, p.seq, {_COLUMNS} FROM {source} WHERE {' AND '.join(where)} "
        "ORDER BY p.created_at DESC, p.seq DESC LIMIT :limit"
    )


# PostgreSQL, a page of a common term: the owner's prompts newest first (the listing index
# read backwards), checked one by one until the page is full. OFFSET 0 keeps the planner from
# pushing the checks into the scan, where its estimate of their selectivity would make it
# choose to find every match and sort them (see RECENT_SHARE).
_RECENT = (
    "(SELECT * FROM prompts p WHERE p.owner_id = :owner{below} "
    "ORDER BY p.created_at DESC, p.seq DESC OFFSET 0) p"
)


def _pg_recent(names: list[str], tier: int, after: bool) -> Query:
    source = _RECENT.format(below=f" AND {_BELOW}" if after else "")
    where = [f"{_PG_HAYSTACK} LIKE :like_{n} ESCAPE '\\'" for n in names]
    where.append(_tier("strpos", names, tier))
    return sql(_select(where, source, "", tier, False))


@lru_cache(maxsize=256)
def _pg_statement(
    count: int, use_index: bool, tier: int | None = None, after: bool = False, recent: bool = False
) -> Query:
    """PostgreSQL: one statement per number of terms, with or without the grams index (and,
    for a page, per ranking group, found through the index or by reading newest first)."""
    names = [f"t{i}" for i in range(count)]
    if recent and tier is not None:
        return _pg_recent(names, tier, after)
    where = ["p.owner_id = :owner"]
    if use_index:
        where.append(f"{_PG_GRAMS} @> :grams")
    where += [f"{_PG_HAYSTACK} LIKE :like_{n} ESCAPE '\\'" for n in names]
    if tier is not None:
        where.append(_tier("strpos", names, tier))
    order = f"{_rank('strpos', names)}, p.created_at DESC, p.seq DESC"
    return sql(_select(where, "prompts p", order, tier, after))


@lru_cache(maxsize=256)
def _sqlite_statement(
    checked: tuple[bool, ...],
    use_index: bool,
    tier: int | None = None,
    after: bool = False,
    few: bool = True,
) -> Query:
    """SQLite: one statement per shape: which terms the trigram index cannot decide, and
    whether the full-text index narrows the rows first (and, for a page, the group, and
    whether the index's matches are ``few``: then they are read first and sorted; else the
    prompts are read newest first, each checked against the index, until the page is full)."""
    names = [f"t{i}" for i in range(len(checked))]
    where = ["p.owner_id = :owner"]
    where += [_contains(n) for n, by_row in zip(names, checked, strict=True) if by_row]
    source = "prompts p"
    if use_index:
        join = "CROSS JOIN" if few and tier is not None else "JOIN"  # CROSS: index first
        source = f"prompt_search {join} prompts p ON p.seq = prompt_search.rowid"
        where.insert(0, "prompt_search MATCH :fts")
    if tier is not None:
        where.append(_tier("instr", names, tier))
    order = f"{_rank('instr', names)}, p.created_at DESC, p.seq DESC"
    return sql(_select(where, source, order, tier, after))


def _checked_by_row(term: str) -> bool:
    """SQLite: whether rows the index finds for ``term`` must be checked against the text."""
    return len(term) < MIN_INDEXED or not _CONFLATED.isdisjoint(term)


async def _trigrams_starting(db: Database, term: str) -> list[str] | None:
    """The indexed trigrams that start with ``term``, as the index spells it; None if they
    cannot be listed."""
    term = term.translate(_ONE_TO_THE_INDEX)
    if ord(term[-1]) >= 0x10FFFF:
        return None  # no character sorts after it to bound the range with
    high = term[:-1] + chr(ord(term[-1]) + 1)
    rows = await db.fetch_all(_VOCABULARY, {"low": term, "high": high, "limit": MAX_EXPANSION + 1})
    return [row[0] for row in rows]


async def _short_term_filter(db: Database, terms: list[str]) -> str | None:
    """An FTS query matching every row that can hold all the (short) terms, from the rarest
    term's trigrams; "" when some term starts no trigram at all (nothing can match); None
    when every term is too common to be worth it."""
    best: list[str] | None = None
    for term in terms:
        trigrams = await _trigrams_starting(db, term)
        if trigrams is None:
            continue
        if not trigrams:
            return ""
        if len(trigrams) <= MAX_EXPANSION and (best is None or len(trigrams) < len(best)):
            best = trigrams
    if best is None:
        return None
    return "(" + " OR ".join(_fts_phrase(trigram) for trigram in best) + ")"


def pg_pieces(terms: list[str]) -> set[str]:
    """PostgreSQL: every index piece the terms could ask for."""
    return {gram for term in terms for gram in _pg_grams(term)}


def pg_search(owner: str, terms: list[str], grams: list[str]) -> tuple[Query, dict[str, object]]:
    """PostgreSQL: the statement and parameters of a search that asks the index for
    ``grams`` (none: no index condition)."""
    params: dict[str, object] = {"owner": owner, "grams": codes(grams)}
    for i, term in enumerate(terms):
        params[f"t{i}"] = term
        params[f"like_t{i}"] = f"%{_like_literal(term)}%"
    return _pg_statement(len(terms), bool(grams)), params


@dataclass(frozen=True)
class SearchPlan:
    """How one search runs on this engine: its statement for a group (None: all of them),
    its parameters, and whether it may scan the library."""

    statement: Callable[[int | None, bool, bool], Query]
    params: dict[str, object]
    slow: bool
    counted: bool = False  # SQLite: whether a page first counts the index's matches


async def plan_of(db: Database, owner: str, terms: list[str]) -> SearchPlan | None:
    """How the server runs a search of ``terms`` (also what ``bench.search_lab explain``
    shows); None when nothing can match."""
    if db.engine == "postgresql":
        stats = await gram_stats.for_database(db)
        pieces = pg_pieces(terms)
        grams = stats.selective(pieces)
        _, pg_params = pg_search(owner, terms, grams)
        count, use_pg_index = len(terms), bool(grams)
        # A page of a term in many prompts fills from the newest few (RECENT_SHARE).
        recent = not use_pg_index or stats.at_most(pieces) >= RECENT_SHARE
        return SearchPlan(
            lambda tier, after, _: _pg_statement(count, use_pg_index, tier, after, recent),
            pg_params,
            True,
        )

    names = [f"t{i}" for i in range(len(terms))]
    params: dict[str, object] = {"owner": owner}
    params.update(zip(names, terms, strict=True))
    checked = tuple(_checked_by_row(term) for term in terms)
    long_terms = [term for term in terms if len(term) >= MIN_INDEXED]
    if long_terms:
        params["fts"] = " AND ".join(_fts_phrase(term) for term in long_terms)
    else:
        narrowing = await _short_term_filter(db, terms)
        if narrowing == "":
            return None
        if narrowing is not None:
            params["fts"] = narrowing
    use_index = "fts" in params
    # Short terms are checked row by row; with no index at all, that is a scan of the library.
    return SearchPlan(
        lambda tier, after, few: _sqlite_statement(checked, use_index, tier, after, few),
        params,
        not use_index,
        counted=use_index,
    )


async def search(db: Database, owner: str, terms: list[str]) -> list[Row]:
    plan = await plan_of(db, owner, terms)
    if plan is None:
        return []
    return await db.fetch_all(plan.statement(None, False, True), plan.params, slow=plan.slow)


GROUPS = 3  # title matches, then tag matches, then content-only matches
# PostgreSQL: when every piece of the terms is in at least this share of prompts, a page is
# read newest first rather than through the grams index. Measured on 100,000 prompts with
# the term in 20% of them: through the index, every one of the 20,000 candidates is fetched
# and checked before the newest can be picked (20 ms); newest first, a page needs a few
# hundred rows (under 1 ms). For rarer terms the index is cheaper.
RECENT_SHARE = 0.05
# SQLite: the same choice, from how many rows the full-text index matches (counted up to
# FEW, which reads at most that many row ids). On that library: a term in 20% of prompts
# 4 ms newest first; a term in 112 prompts 46 ms newest first (every prompt checked against
# the index), well under 1 ms through the index.
FEW = 2000
_COUNT_MATCHES = sql(
    "SELECT count(*) FROM (SELECT rowid FROM prompt_search WHERE prompt_search MATCH :fts "
    "LIMIT :cap)"
)


def valid_key(key: Sequence[Any] | None) -> bool:
    """Whether a key read from a cursor is a (group, created_at, seq) triple."""
    return key is None or (
        len(key) == 3 and all(type(part) is int for part in key) and 0 <= key[0] < GROUPS
    )


async def search_page(
    db: Database, owner: str, terms: list[str], after: Sequence[Any] | None, limit: int
) -> tuple[list[Row], list[Any] | None]:
    """Up to ``limit`` results in ranking order after the key ``after`` (group, created_at,
    seq), and the key of the last one when more follow.

    The groups are read in order, each newest first, and the walk stops as soon as the page
    is full: a first page of a common term reads the newest title matches and nothing else,
    instead of ranking every match in the library."""
    plan = await plan_of(db, owner, terms)
    if plan is None:
        return [], None
    few = True
    if plan.counted:
        [count] = await db.fetch_all(_COUNT_MATCHES, {"fts": plan.params["fts"], "cap": FEW})
        few = count[0] < FEW
    found: list[Row] = []
    first = 0 if after is None else after[0]
    for tier in range(first, GROUPS):
        resume = after is not None and tier == first
        params = {**plan.params, "limit": limit + 1 - len(found)}
        if resume:
            assert after is not None
            params["k_created"], params["k_seq"] = after[1], after[2]
        statement = plan.statement(tier, resume, few)
        rows = await db.fetch_all(statement, params, slow=plan.slow)
        found += [(tier, *row) for row in rows]
        if len(found) > limit:
            break
    last = list(found[limit - 1][:3]) if len(found) > limit else None
    return [row[3:] for row in found[:limit]], last

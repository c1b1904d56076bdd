"""What ``/stats`` costs the database at 100,000 logs, and what two ways of cutting it would
cost: ``python -m bench.stats_lab``.

One prompt holds ``--logs`` logs over 20 versions x 5 models, scores 0.0-10.0 in steps of 0.1
(101 distinct), written with SQL before timing. Three reads of the (version, model) groups,
each the median of ``--rounds``, checked to give the same groups as the first:

- as served: ``store/analytics.py``'s statement for the default grouping (SQLite's is
  ``store/sqlite_groups.py``);
- split in two: the groups (SQLite) or the versions (PostgreSQL) in two halves, each read on
  its own connection at the same time, so the two cores share the scan. A group's figures
  merge exactly (``analytics.Group.absorb``), but the halves are two snapshots;
- from a tally table: one row per (version, model, score) holding its count and its first and
  last ``created_at``, kept by a trigger on ``logs``; the read folds 10,100 rows here instead
  of 100,000 logs.

The tally table costs every log its trigger, so the lab also times ``--writes`` log inserts
(the server's own statement, ``store/logs.py``; 16 per transaction as the writer groups them,
on PostgreSQL sent as one pipeline) without and with it, in turn three times, the best of
each in microseconds per log. Commits
are not flushed to disk there (``synchronous=OFF``, ``synchronous_commit=off``): the flush
is the same with or without the trigger and would hide its CPU time in the disk's noise.
Deleting a log (not timed) would take one from its tally and, when it held the tally's first
or last time, read that tally's logs again.

Figures are of one run on one machine: compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg

from bench.databases import PG_ADMIN_URL, pg_query
from bench.pieces_lab import _url
from promptcrafter.config import Settings
from promptcrafter.store import analytics, logs, migrate, sqlite_groups
from promptcrafter.store.database import sql
from promptcrafter.store.sqlite import connect

VERSIONS, MODELS = 20, 5
_INSERT_TURNS = 3  # inserts alternate without and with the trigger; the best of each counts
_PARAMS = {"id": "lab-prompt", "owner": "lab-user"}
_USER = (
    "INSERT INTO users (id, name, email, email_key, password_hash, created_at, "
    "token_generation) VALUES ('lab-user', 'Lab', 'lab@example.com', 'lab@example.com', "
    "'not-a-hash', 0, 0)"
)
_PROMPT = (
    "INSERT INTO prompts (id, owner_id, title, content, model, created_at, updated_at, "
    f"version) VALUES ('lab-prompt', 'lab-user', 'Lab', 'Lab', 'gpt-4o', 0, 0, {VERSIONS})"
)
_LOG_VALUES = (
    "'lab-log-' || g, 'lab-prompt', 'lab-user', 'an output', 'model-' || (g % 5), "
    "(g % 101) / 10.0, 1700000000000 + g, 1 + (g / 5) % 20"
)
_LOG_COLUMNS = "id, prompt_id, owner_id, output, model_used, score, created_at, prompt_version"
# The tally table: NULL version and score become -1, so that they can be part of its key.
_TALLY_TABLE = (
    "CREATE TABLE log_tallies (prompt_id TEXT NOT NULL, version_key INTEGER NOT NULL, "
    "model_used TEXT NOT NULL, score_key DOUBLE PRECISION NOT NULL, n BIGINT NOT NULL, "
    "first_at BIGINT NOT NULL, last_at BIGINT NOT NULL, "
    "PRIMARY KEY (prompt_id, version_key, model_used, score_key))"
)
_TALLY_VALUES = (
    "VALUES (new.prompt_id, COALESCE(new.prompt_version, -1), new.model_used, "
    "COALESCE(new.score, -1), 1, new.created_at, new.created_at) "
    "ON CONFLICT (prompt_id, version_key, model_used, score_key) DO UPDATE SET "
    "n = log_tallies.n + 1, first_at = {least}(log_tallies.first_at, excluded.first_at), "
    "last_at = {greatest}(log_tallies.last_at, excluded.last_at)"
)
_TALLY_FILL = (
    "INSERT INTO log_tallies SELECT prompt_id, COALESCE(prompt_version, -1), model_used, "
    "COALESCE(score, -1), COUNT(*), MIN(created_at), MAX(created_at) FROM logs "
    "GROUP BY prompt_id, COALESCE(prompt_version, -1), model_used, COALESCE(score, -1)"
)
_OWNED = "EXISTS (SELECT 1 FROM prompts p WHERE p.id = :id AND p.owner_id = :owner)"
_SQLITE_TALLIES = sql(
    "SELECT NULLIF(version_key, -1), model_used, printf('[%d,%d,%d%s]', SUM(n), MIN(first_at), "
    "MAX(last_at), ',' || group_concat(CASE WHEN score_key >= 0 THEN "
    "printf('%!.17g,%d', score_key, n) END)) FROM log_tallies "
    f"WHERE prompt_id = :id AND {_OWNED} GROUP BY version_key, model_used"
)
_PG_TALLIES = sql(
    "SELECT NULLIF(version_key, -1), model_used, CAST(SUM(n) AS BIGINT), MIN(first_at), "
    "MAX(last_at), array_agg(score_key) FILTER (WHERE score_key >= 0), "
    "array_agg(n) FILTER (WHERE score_key >= 0) FROM log_tallies "
    f"WHERE prompt_id = :id AND {_OWNED} GROUP BY version_key, model_used"
)
# SQLite's split: the groups first (the served statement's skip-scan), then each half's groups
# folded as the served statement folds them.
_SQLITE_LIST = sql(f"{sqlite_groups._GROUPS} SELECT v, m FROM g WHERE m IS NOT NULL")
_SQLITE_HALF = sql(
    "WITH g(v, m) AS (SELECT value ->> 0, value ->> 1 FROM json_each(:groups)) "
    f"SELECT v, m, {sqlite_groups._FOLDED} FROM g"
)
_PG_SERVED = analytics._STATS[("version", "model")]
_PG_HALVES = [
    sql(
        _PG_SERVED.postgresql.replace("$1", ":id")
        .replace("$2", ":owner")
        .replace(
            "GROUP BY prompt_version, model_used, score",
            f"AND {half} GROUP BY prompt_version, model_used, score",
        )
    )
    for half in ("(prompt_version IS NULL OR prompt_version <= :mid)", "prompt_version > :mid")
]
Groups = dict[tuple[Any, ...], tuple[int, dict[float, int], int | None, int | None]]


def _plain(found: dict[analytics.GroupKey, analytics.Group]) -> Groups:
    return {key: (g.count, g.scores, g.first_at, g.last_at) for key, g in found.items()}


def _pg_groups(rows: Sequence[Any]) -> Groups:
    found: dict[analytics.GroupKey, analytics.Group] = {}
    for row in rows:
        part = analytics.Group(row[2], dict(zip(row[5] or (), row[6] or (), strict=True)))
        part.first_at, part.last_at = row[3], row[4]
        key = (row[0], row[1])
        if key in found:
            found[key].absorb(part)
        else:
            found[key] = part
    return _plain(found)


def _median_ms(run: Callable[[], Groups], rounds: int, expected: Groups | None) -> float:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        got = run()
        times.append(time.perf_counter() - started)
        if expected is not None and got != expected:
            raise RuntimeError("a read gave other groups than the served statement")
    return statistics.median(times) * 1e3


def _sqlite(count: int, writes: int, rounds: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="stats-lab-") as tmp:
        path = Path(tmp) / "lab.db"
        migrate.upgrade(Settings(database_url=f"sqlite:///{path}", secret_key="lab" * 16))
        conn = connect(path)
        conn.execute(_USER)
        conn.execute(_PROMPT)
        conn.execute(
            f"WITH RECURSIVE n(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM n WHERE g < {count}) "
            f"INSERT INTO logs ({_LOG_COLUMNS}) SELECT {_LOG_VALUES} FROM n"
        )
        conn.execute("ANALYZE")
        readers = [connect(path, read_only=True) for _ in range(3)]
        pool = ThreadPoolExecutor(max_workers=2)

        def served() -> Groups:
            rows = readers[0].execute(sqlite_groups.STATEMENT, _PARAMS).fetchall()
            return _plain(analytics._decode(rows))

        def split() -> Groups:
            listed = [list(row) for row in readers[0].execute(_SQLITE_LIST.sqlite, _PARAMS)]
            cut = len(listed) // 2
            halves = [
                pool.submit(
                    lambda c, part: c.execute(
                        _SQLITE_HALF.sqlite, {**_PARAMS, "groups": json.dumps(part)}
                    ).fetchall(),
                    readers[1 + i],
                    part,
                )
                for i, part in enumerate((listed[:cut], listed[cut:]))
            ]
            return _plain(analytics._decode([row for h in halves for row in h.result()]))

        expected = served()
        figures = {"as served": _median_ms(served, rounds, None)}
        figures["split in two"] = _median_ms(split, rounds, expected)
        conn.execute(_TALLY_TABLE)
        conn.execute(_TALLY_FILL)

        def tallied() -> Groups:
            rows = readers[0].execute(_SQLITE_TALLIES.sqlite, _PARAMS).fetchall()
            return _plain(analytics._decode(rows))

        figures["from a tally table"] = _median_ms(tallied, rounds, expected)
        trigger = (
            "CREATE TRIGGER logs_tally AFTER INSERT ON logs BEGIN INSERT INTO log_tallies "
            + _TALLY_VALUES.format(least="min", greatest="max")
            + "; END"
        )
        conn.execute("PRAGMA synchronous = OFF")  # the trigger's CPU, not the disk's flushes
        bare: list[float] = []
        triggered: list[float] = []
        for turn in range(_INSERT_TURNS):
            bare.append(_sqlite_inserts(conn, writes, f"plain{turn}"))
            conn.execute(trigger)
            triggered.append(_sqlite_inserts(conn, writes, f"tallied{turn}"))
            conn.execute("DROP TRIGGER logs_tally")
        figures["insert, as served"] = min(bare)
        figures["insert, with the tally trigger"] = min(triggered)
        pool.shutdown()
        for reader in readers:
            reader.close()
        conn.close()
        return figures


def _log_params(n: int, tag: str) -> dict[str, object]:
    return {
        "id": f"lab-{tag}-{n}",
        "prompt_id": "lab-prompt",
        "owner": "lab-user",
        "output": "an output",
        "model_used": f"model-{n % MODELS}",
        "notes": None,
        "score": (n % 101) / 10,
        "now": 1_800_000_000_000 + n,
        "label": None,
    }


def _sqlite_inserts(conn: sqlite3.Connection, writes: int, tag: str) -> float:
    batch = [_log_params(n, tag) for n in range(writes)]
    started = time.perf_counter()
    for first in range(0, writes, 16):
        conn.execute("BEGIN IMMEDIATE")
        for params in batch[first : first + 16]:
            conn.execute(logs._INSERT.sqlite, params).fetchall()
        conn.execute("COMMIT")
    return (time.perf_counter() - started) / writes * 1e6


def _pg(count: int, writes: int, rounds: int) -> dict[str, float]:
    name = f"stats_lab_{secrets.token_hex(4)}"
    pg_query(PG_ADMIN_URL, f"CREATE DATABASE {name}")
    try:
        url = _url(name)
        migrate.upgrade(Settings(database_url=url, secret_key="lab" * 16))
        return asyncio.run(_pg_library(url, count, writes, rounds))
    finally:
        pg_query(PG_ADMIN_URL, f"DROP DATABASE IF EXISTS {name}")


async def _pg_library(url: str, count: int, writes: int, rounds: int) -> dict[str, float]:
    conn = await asyncpg.connect(url)
    other = await asyncpg.connect(url)
    try:
        await conn.execute(_USER)
        await conn.execute(_PROMPT)
        await conn.execute(
            f"INSERT INTO logs ({_LOG_COLUMNS}) SELECT {_LOG_VALUES} "
            f"FROM generate_series(1, {count}) g"
        )
        await conn.execute("VACUUM ANALYZE logs")
        return await _pg_measure(conn, other, writes, rounds)
    finally:
        await conn.close()
        await other.close()


async def _pg_measure(
    conn: asyncpg.Connection, other: asyncpg.Connection, writes: int, rounds: int
) -> dict[str, float]:
    async def median(run: Callable[[], Awaitable[Groups]], expected: Groups | None) -> float:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            got = await run()
            times.append(time.perf_counter() - started)
            if expected is not None and got != expected:
                raise RuntimeError("a read gave other groups than the served statement")
        return statistics.median(times) * 1e3

    async def served() -> Groups:
        return _pg_groups(await conn.fetch(_PG_SERVED.postgresql, *_PG_SERVED.pg_args(_PARAMS)))

    async def split() -> Groups:
        params = {**_PARAMS, "mid": VERSIONS // 2}
        low, high = await asyncio.gather(
            conn.fetch(_PG_HALVES[0].postgresql, *_PG_HALVES[0].pg_args(params)),
            other.fetch(_PG_HALVES[1].postgresql, *_PG_HALVES[1].pg_args(params)),
        )
        return _pg_groups([*low, *high])

    async def tallied() -> Groups:
        return _pg_groups(await conn.fetch(_PG_TALLIES.postgresql, *_PG_TALLIES.pg_args(_PARAMS)))

    expected = await served()
    figures = {"as served": await median(served, None)}
    figures["split in two"] = await median(split, expected)
    await conn.execute(_TALLY_TABLE)
    await conn.execute(_TALLY_FILL)
    await conn.execute("ANALYZE log_tallies")
    figures["from a tally table"] = await median(tallied, expected)
    await conn.execute(
        "CREATE FUNCTION logs_tally() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "INSERT INTO log_tallies "
        + _TALLY_VALUES.format(least="LEAST", greatest="GREATEST")
        + "; RETURN NULL; END $$"
    )
    await conn.execute("SET synchronous_commit = off")  # the trigger's CPU, not WAL flushes
    bare: list[float] = []
    triggered: list[float] = []
    for turn in range(_INSERT_TURNS):
        bare.append(await _pg_inserts(conn, writes, f"plain{turn}"))
        await conn.execute(
            "CREATE TRIGGER logs_tally AFTER INSERT ON logs "
            "FOR EACH ROW EXECUTE FUNCTION logs_tally()"
        )
        triggered.append(await _pg_inserts(conn, writes, f"tallied{turn}"))
        await conn.execute("DROP TRIGGER logs_tally ON logs")
    figures["insert, as served"] = min(bare)
    figures["insert, with the tally trigger"] = min(triggered)
    return figures


async def _pg_inserts(conn: asyncpg.Connection, writes: int, tag: str) -> float:
    statement = logs._INSERT
    batch = [statement.pg_args(_log_params(n, tag)) for n in range(writes)]
    started = time.perf_counter()
    for first in range(0, writes, 16):
        async with conn.transaction():  # sent as one pipeline: round trips would drown it
            await conn.executemany(statement.postgresql, batch[first : first + 16])
    return (time.perf_counter() - started) / writes * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--logs", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=4000)
    parser.add_argument("--rounds", type=int, default=15, help="reads; the median counts")
    parser.add_argument("--engines", default="sqlite,postgresql")
    args = parser.parse_args()
    print(
        f"{args.logs:,} logs of one prompt, {VERSIONS} versions x {MODELS} models; reads: "
        f"median of {args.rounds}, ms; inserts: {args.writes:,}, 16 per transaction, us a log"
    )
    for engine in args.engines.split(","):
        if engine == "sqlite":
            figures = _sqlite(args.logs, args.writes, args.rounds)
        else:
            figures = _pg(args.logs, args.writes, args.rounds)
        print(f"{engine} (SQLite {sqlite3.sqlite_version})" if engine == "sqlite" else engine)
        for what, value in figures.items():
            unit = "us" if what.startswith("insert") else "ms"
            print(f"  {value:8.1f} {unit}  {what}")


if __name__ == "__main__":
    main()

"""The SQLite writer commits waiting writes together: each write that fails must fail alone,
whether it fails in its first statement (which undoes itself) or a later one (the group is
then run again with a savepoint per write). A group in which nothing fails takes no
savepoint: FTS5 writes an index segment at each one."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from promptcrafter.store.database import Statement, StoreError, UniqueViolation, sql
from promptcrafter.store.sqlite import SQLiteDatabase

_INSERT = sql("INSERT INTO t (k, v) VALUES (:k, :v) RETURNING k")
_ALL = sql("SELECT k, v FROM t ORDER BY k")


def test_a_failing_write_in_a_group_fails_alone(tmp_path: Path) -> None:
    path = tmp_path / "group.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")

    async def scenario() -> tuple[list[object], list[tuple[int, str]]]:
        db = SQLiteDatabase(path)
        try:
            jobs: list[list[Statement]] = [
                [(_INSERT, {"k": 1, "v": "one"})],
                [(_INSERT, {"k": 1, "v": "again"})],  # one statement, refused
                [(_INSERT, {"k": 2, "v": "two"}), (_INSERT, {"k": 1, "v": "x"})],  # half refused
                [(_INSERT, {"k": 2**70, "v": "too big"})],  # cannot be bound
                [(_INSERT, {"k": 3, "v": None})],  # NOT NULL, refused
                [(_INSERT, {"k": 4, "v": "four"}), (_INSERT, {"k": 5, "v": "five"})],
                [(_INSERT, {"k": 6, "v": "six"})],
                [(_INSERT, {"k": 1, "v": "dup"}), (_INSERT, {"k": 7, "v": "seven"})],  # first
                [(_INSERT, {"k": 8, "v": "eight"}), (_INSERT, {"k": 2**70, "v": "unbindable"})],
            ]
            # Submitted in one go, so the writer finds them waiting and commits them as one.
            results = await asyncio.gather(*(db.write(j) for j in jobs), return_exceptions=True)
            rows = await db.fetch_all(_ALL, {})
        finally:
            await db.close()
        return list(results), [tuple(row) for row in rows]

    results, rows = asyncio.run(scenario())
    assert results[0] == [[(1,)]]
    assert isinstance(results[1], UniqueViolation)
    assert isinstance(results[2], UniqueViolation)
    assert isinstance(results[3], StoreError)
    assert isinstance(results[4], StoreError)
    assert results[5] == [[(4,)], [(5,)]]
    assert results[6] == [[(6,)]]
    assert isinstance(results[7], UniqueViolation)
    assert isinstance(results[8], StoreError)
    # The half-refused jobs left nothing (k=2, 7, 8 are absent); every other write stands.
    assert rows == [(1, "one"), (4, "four"), (5, "five"), (6, "six")]


def test_groups_after_a_refusal_keep_committing(tmp_path: Path) -> None:
    rounds = 3
    path = tmp_path / "again.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")

    async def scenario() -> int:
        db = SQLiteDatabase(path)
        try:
            for n in range(rounds):
                jobs = [[(_INSERT, {"k": n * 10 + i, "v": "x"})] for i in range(5)]
                jobs.append([(_INSERT, {"k": n * 10, "v": "duplicate"})])
                await asyncio.gather(*(db.write(j) for j in jobs), return_exceptions=True)
            return len(await db.fetch_all(_ALL, {}))
        finally:
            await db.close()

    assert asyncio.run(scenario()) == rounds * 5


def test_a_group_without_failures_takes_no_savepoint(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)")
    seen: list[str] = []

    async def scenario() -> int:
        db = SQLiteDatabase(path)
        db._writer.set_trace_callback(seen.append)
        try:
            jobs = [
                [(_INSERT, {"k": 2 * i, "v": "a"}), (_INSERT, {"k": 2 * i + 1, "v": "b"})]
                for i in range(8)
            ]
            results = await asyncio.gather(*(db.write(j) for j in jobs))
            assert all(len(result) == 2 for result in results)
            jobs = [[(_INSERT, {"k": 100, "v": "c"}), (_INSERT, {"k": 0, "v": "dup"})]]
            refused = await asyncio.gather(*(db.write(j) for j in jobs), return_exceptions=True)
            assert isinstance(refused[0], UniqueViolation)
            return len(await db.fetch_all(_ALL, {}))
        finally:
            await db.close()

    assert asyncio.run(scenario()) == 16
    first_refusal = next(i for i, text in enumerate(seen) if "100" in text)
    assert not any(text.startswith("SAVEPOINT") for text in seen[:first_refusal])
    # The refused write ran a second time, in a savepoint of its own.
    assert any(text.startswith("SAVEPOINT") for text in seen[first_refusal:])

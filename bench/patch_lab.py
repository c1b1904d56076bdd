"""What a changing PATCH costs SQLite's writer, part by part: ``python -m bench.patch_lab``.

Builds a database with the server's migrations and 1,000 prompts (through the store
functions, no HTTP), then replays the writer's own statements for a changing PATCH (the
prompt's UPDATE and its version snapshot, ``store/prompts.py``) in groups, as the writer thread
commits them: one ``BEGIN IMMEDIATE`` ... ``COMMIT`` per group, ``synchronous=FULL``. Each
variant starts from a copy of the same database and takes one part away (or, for the savepoint
row, adds what the writer did before it ran groups without savepoints; for the FTS5 rows,
makes the search index again with other options), so the difference from the first row is
that part's price. Every variant runs ``--rounds`` times in turn and
its best pass counts. The figures are microseconds of one thread per
PATCH: run it on an otherwise idle machine and compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from promptcrafter.config import Settings
from promptcrafter.store import migrate, prompts, users
from promptcrafter.store.folding import fold_content
from promptcrafter.store.sqlite import SQLiteDatabase, connect

TEXT = (
    "Write a launch email for a seasonal single-origin coffee. Open with one sensory sentence, "
    "then three short paragraphs: origin, taste, and how to brew it at home. Keep it under 180 "
    "words in a warm, plain voice. Revision "
)  # the text bench/lua/patch_prompt.lua sends


def _search_index(options: str) -> tuple[str, ...]:
    """The full-text index made again with other FTS5 options (migration 0003's columns and
    tokenizer; its triggers, which name the table, keep writing to the new one)."""
    return (
        "DROP TABLE prompt_search_vocab",
        "DROP TABLE prompt_search",
        "CREATE VIRTUAL TABLE prompt_search USING fts5(search_title, search_tags, "
        "search_content, content='prompts', content_rowid='seq', "
        f"tokenize='trigram case_sensitive 1'{options})",
        "INSERT INTO prompt_search(prompt_search) VALUES ('rebuild')",
    )


# Merge segments 16 at a time instead of 4 (a setting the index keeps).
_AUTOMERGE_16 = "INSERT INTO prompt_search(prompt_search, rank) VALUES ('automerge', 16)"
# name -> (statements run before timing, a savepoint per write, take the snapshot)
VARIANTS: dict[str, tuple[tuple[str, ...], bool, bool]] = {
    "as served": ((), False, True),
    "a savepoint per write (before 9ca3fd2)": ((), True, True),
    "without the search index trigger": (("DROP TRIGGER prompts_search_update",), False, True),
    "without ix_prompts_owner_updated": (("DROP INDEX ix_prompts_owner_updated",), False, True),
    "without the version snapshot": ((), False, False),
    # FTS5's options that cost a write less. detail=none keeps no positions, so a term would
    # have to be asked for as its trigrams AND-ed and each candidate row checked; tried on
    # 2026-12-02 and not adopted: together they saved 30 of the index's 146 us.
    "FTS5 detail=none": (_search_index(", detail=none"), False, True),
    "FTS5 automerge=16": ((*_search_index(""), _AUTOMERGE_16), False, True),
    "FTS5 detail=none, columnsize=0, automerge=16": (
        (*_search_index(", detail=none, columnsize=0"), _AUTOMERGE_16),
        False,
        True,
    ),
    "none of the three": (
        ("DROP TRIGGER prompts_search_update", "DROP INDEX ix_prompts_owner_updated"),
        False,
        False,
    ),
}


async def _library(path: Path, count: int) -> tuple[str, list[str]]:
    migrate.upgrade(Settings(database_url=f"sqlite:///{path}", secret_key="lab" * 16))
    db = SQLiteDatabase(path)
    try:
        owner = (await users.create(db, "Lab", "lab@example.com", "not-a-hash")).id
        ids = []
        for n in range(count):
            row = await prompts.create(
                db, owner, f"Prompt {n} about coffee", TEXT + str(n), "gpt-4o", ["email"]
            )
            ids.append(str(row[prompts.ID]))
    finally:
        await db.close()
    return owner, ids


def _run(path: Path, owner: str, ids: list[str], variant: str, patches: int, group: int) -> float:
    setup, savepoints, snapshot = VARIANTS[variant]
    conn = connect(path)
    for statement in setup:
        conn.execute(statement)
    update, take_snapshot = prompts._UPDATE.sqlite, prompts.SNAPSHOT.sqlite
    pick = random.Random(7)
    started = time.perf_counter()
    for first in range(0, patches, group):
        conn.execute("BEGIN IMMEDIATE")
        for n in range(first, first + group):
            content = f"{TEXT}{n}."
            prompt_id = pick.choice(ids)
            params = {
                "id": prompt_id,
                "owner": owner,
                "title": None,
                "content": content,
                "model": None,
                "tags": None,
                "search_title": None,
                "search_tags": None,
                "search_content": fold_content(content),
                "variables": prompts.encode_variables(content),
                "expected": -1,
                "now": 1_800_000_000_000 + n,
            }
            if savepoints:
                conn.execute("SAVEPOINT job")
            conn.execute(update, params).fetchall()
            if snapshot:
                mark = {"id": prompt_id, "owner": owner, "commit_message": None, "actor": owner}
                conn.execute(take_snapshot, mark).fetchall()
            if savepoints:
                conn.execute("RELEASE job")
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed / patches * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--patches", type=int, default=4096)
    parser.add_argument("--group", type=int, default=16, help="writes per commit")
    parser.add_argument("--rounds", type=int, default=3, help="passes; the best of each counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="patch-lab-") as tmp:
        source = Path(tmp) / "library.db"
        owner, ids = asyncio.run(_library(source, args.prompts))
        print(
            f"{args.patches:,} changing PATCHes of {args.prompts:,} prompts, "
            f"{args.group} per commit; SQLite {sqlite3.sqlite_version}"
        )
        best: dict[str, float] = {}
        for _ in range(max(1, args.rounds)):
            for variant in VARIANTS:
                copy = Path(tmp) / "run.db"
                for suffix in ("", "-wal"):  # the WAL is gone after a clean close, normally
                    if Path(f"{source}{suffix}").exists():
                        shutil.copyfile(f"{source}{suffix}", f"{copy}{suffix}")
                micros = _run(copy, owner, ids, variant, args.patches, args.group)
                best[variant] = min(micros, best.get(variant, micros))
                for leftover in Path(tmp).glob("run.db*"):
                    leftover.unlink()
        for variant, micros in best.items():
            print(f"  {micros:7.1f} us per PATCH  {variant}")


if __name__ == "__main__":
    main()

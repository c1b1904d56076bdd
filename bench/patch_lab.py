"""What a changing PATCH costs SQLite's writer, part by part: ``python -m bench.patch_lab``.

Builds a database with the server's migrations and 1,000 prompts (through the store
functions, no HTTP), then replays the writer's own statements for a changing PATCH (the
prompt's UPDATE and its version snapshot, ``store/prompts.py``) in groups, as the writer thread
commits them: one ``BEGIN IMMEDIATE`` ... ``COMMIT`` per group, ``synchronous=FULL``. Each
variant starts from a copy of the same database and takes one part away (or, for the savepoint
row, adds what the writer did before it ran groups without savepoints; for the FTS5 rows,
makes the search index again with other options), so the difference from the first row is
that part's price. Two rows replace FTS5 with a table of the numbered pieces that PostgreSQL's
index holds (``promptcrafter/grams.py``), kept up to date by difference: one by a trigger that
compares the old and new lists with ``json_each``, one by the writer, which is handed what to
delete and insert (what a diff-based SQLite index would cost; the schema has none today).
Every variant runs ``--rounds`` times in turn and
its best pass counts. The figures are microseconds of one thread per
PATCH: run it on an otherwise idle machine and compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from promptcrafter import grams
from promptcrafter.config import Settings
from promptcrafter.store import migrate, prompts, users
from promptcrafter.store.folding import PAD, fold_content
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
# A table of each prompt's search pieces in place of FTS5: (prompt, piece) for keeping it up
# to date, (piece, prompt) for a search to look a piece up. ``pieces`` holds the prompt's list.
_PIECES_TABLE = (
    "DROP TRIGGER prompts_search_update",
    "ALTER TABLE prompts ADD COLUMN pieces TEXT NOT NULL DEFAULT '[]'",
    "CREATE TABLE prompt_pieces (seq INTEGER NOT NULL, piece INTEGER NOT NULL, "
    "PRIMARY KEY (seq, piece)) WITHOUT ROWID",
    "CREATE INDEX ix_prompt_pieces_piece ON prompt_pieces (piece, seq)",
)
# The trigger variant: the difference of the old and new lists, in SQL.
_DIFF_TRIGGER = (
    "CREATE TRIGGER prompts_pieces_update AFTER UPDATE OF pieces ON prompts "
    "WHEN old.pieces IS NOT new.pieces BEGIN "
    "DELETE FROM prompt_pieces WHERE seq = old.seq AND piece IN ("
    "SELECT value FROM json_each(old.pieces) EXCEPT SELECT value FROM json_each(new.pieces)); "
    "INSERT INTO prompt_pieces (seq, piece) SELECT new.seq, value FROM ("
    "SELECT value FROM json_each(new.pieces) EXCEPT SELECT value FROM json_each(old.pieces)); "
    "END"
)
_SET_PIECES = "UPDATE prompts SET pieces = :pieces WHERE id = :id"
_DROP_PIECES = (
    "DELETE FROM prompt_pieces WHERE seq = (SELECT seq FROM prompts WHERE id = :id) "
    "AND piece IN (SELECT value FROM json_each(:removed))"
)
_ADD_PIECES = (
    "INSERT INTO prompt_pieces (seq, piece) SELECT (SELECT seq FROM prompts WHERE id = :id), "
    "value FROM json_each(:added)"
)
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
    # The pieces table (filled by _fill_pieces); each write also sets the prompt's list.
    "pieces table, json_each diff trigger (no FTS5)": (_PIECES_TABLE, False, True),
    "pieces table, diff handed to the writer (no FTS5)": (_PIECES_TABLE, False, True),
}
_PIECES_VARIANTS = [name for name in VARIANTS if name.startswith("pieces table")]


def _pieces_of(fixed: frozenset[int], content: str) -> list[int]:
    """A prompt's pieces: its title's and tags' (``fixed``, a PATCH of content keeps them) and
    its content's, as a request would number them."""
    return sorted(fixed.union(grams.entry(fold_content(content).rstrip(PAD))))


def _fill_pieces(conn: sqlite3.Connection) -> dict[str, tuple[frozenset[int], list[int]]]:
    """Every prompt's pieces, in its list and in the table (before timing): id -> its title's
    and tags' pieces, and all of them."""
    held: dict[str, tuple[frozenset[int], list[int]]] = {}
    rows = conn.execute("SELECT id, seq, search_title, search_tags, content FROM prompts")
    conn.execute("BEGIN IMMEDIATE")
    for prompt_id, seq, title, tags, content in rows.fetchall():
        fixed = frozenset(grams.entry(title.rstrip(PAD)) + grams.entry(tags.rstrip(PAD)))
        pieces = _pieces_of(fixed, content)
        held[prompt_id] = (fixed, pieces)
        conn.execute(_SET_PIECES, {"pieces": json.dumps(pieces), "id": prompt_id})
        conn.executemany(
            "INSERT INTO prompt_pieces (seq, piece) VALUES (?, ?)", [(seq, n) for n in pieces]
        )
    conn.execute("COMMIT")
    return held


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
    held = _fill_pieces(conn) if variant in _PIECES_VARIANTS else {}
    by_writer = variant == _PIECES_VARIANTS[-1]
    if held and not by_writer:
        conn.execute(_DIFF_TRIGGER)  # after the table is filled, which it would do again
    update, take_snapshot = prompts._UPDATE.sqlite, prompts.SNAPSHOT.sqlite
    pick = random.Random(7)
    # Each write's parameters are made before timing, as a request makes them before the
    # writer runs them: the figure is the writer's.
    writes = []
    for n in range(patches):
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
        pieces = _pieces_of(held[prompt_id][0], content) if held else []
        writes.append((prompt_id, params, pieces, json.dumps(pieces)))
    started = time.perf_counter()
    for first in range(0, patches, group):
        conn.execute("BEGIN IMMEDIATE")
        for prompt_id, params, pieces, listed in writes[first : first + group]:
            if savepoints:
                conn.execute("SAVEPOINT job")
            conn.execute(update, params).fetchall()
            if held:
                conn.execute(_SET_PIECES, {"pieces": listed, "id": prompt_id})
                fixed, before = held[prompt_id]
                if by_writer:  # the difference from the list the prompt held
                    old, new = set(before), set(pieces)
                    diff = {"id": prompt_id, "removed": json.dumps(sorted(old - new))}
                    conn.execute(_DROP_PIECES, diff)
                    diff["added"] = json.dumps(sorted(new - old))
                    conn.execute(_ADD_PIECES, diff)
                held[prompt_id] = (fixed, pieces)
            if snapshot:
                mark = {"id": prompt_id, "owner": owner, "commit_message": None, "actor": owner}
                conn.execute(take_snapshot, mark).fetchall()
            if savepoints:
                conn.execute("RELEASE job")
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - started
    if held:
        _check_pieces(conn, held)
    conn.close()
    return elapsed / patches * 1e6


def _check_pieces(
    conn: sqlite3.Connection, held: dict[str, tuple[frozenset[int], list[int]]]
) -> None:
    """The table holds each prompt's current pieces, no more and no fewer: the variant timed
    kept the index right."""
    rows = conn.execute(
        "SELECT p.id, x.piece FROM prompt_pieces x JOIN prompts p ON p.seq = x.seq"
    ).fetchall()
    found: dict[str, set[int]] = {}
    for prompt_id, piece in rows:
        found.setdefault(prompt_id, set()).add(piece)
    wrong = [i for i, (_, pieces) in held.items() if found.get(i, set()) != set(pieces)]
    if wrong:
        raise RuntimeError(f"the pieces table is wrong for {len(wrong)} prompts")


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

"""What SQLite's search index costs a changed prompt, by the length of its text:
``python -m bench.fts_lab``.

A changing PATCH makes FTS5 forget every trigram of the old text and learn every trigram of
the new one (migration 0003's update trigger). Whether an index kept up to date by difference
would be cheaper depends on where FTS5's time goes: if it is per trigram, re-indexing only the
part of a text that changed saves most of it; if much of it is per operation, it does not.
This lab times four ways of keeping the index up to date when a prompt's content changes, for
texts of several lengths that change at their end as the benchmark's PATCH does
(``bench/lua/patch_prompt.lua``):

- whole text: the server's FTS5 table and trigger, on a copy of its three search columns (the
  title and tags are re-indexed with the content, as the server does);
- word-aligned chunks: the content cut into chunks after words whose CRC-32 is 0 mod 8 (about
  eight words each; a cut depends on its word alone, so it does not move when text before or
  after it changes), each chunk a row of its own FTS5 table; a write deletes the chunks that
  are gone and inserts the new ones, the difference worked out before timing (the best case
  for chunks). A search term never holds white space (``store/search.py`` splits on it), so
  every match lies inside one chunk;
- chunks, difference in SQL: the same table, the writer handed only the new list; two
  statements with ``json_each`` delete and insert what differs, where the prompt now holds
  the new text (what a writer that does not know the stored chunks would run);
- no index: the same UPDATE with no trigger.

Each runs ``--writes`` updates, ``--group`` per transaction, on an in-memory database (no
fsync, so the figure is CPU time of the index alone), best of ``--rounds`` passes. Compare
columns of one run only.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
import zlib
from collections.abc import Callable

from bench.patch_lab import TEXT
from promptcrafter.store.folding import PAD, fold_content

_COLUMNS = "search_title, search_tags, search_content"
_WHOLE = (
    f"CREATE VIRTUAL TABLE prompt_search USING fts5({_COLUMNS}, content='prompts', "
    "content_rowid='seq', tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER prompts_search_update AFTER UPDATE OF search_title, search_tags, "
    "search_content ON prompts BEGIN "
    "INSERT INTO prompt_search(prompt_search, rowid, search_title, search_tags, search_content) "
    "VALUES ('delete', old.seq, old.search_title, old.search_tags, old.search_content); "
    "INSERT INTO prompt_search(rowid, search_title, search_tags, search_content) VALUES "
    "(new.seq, new.search_title, new.search_tags, new.search_content); END",
    "INSERT INTO prompt_search(prompt_search) VALUES ('rebuild')",
)
_CHUNKS = (
    "CREATE TABLE chunks (id INTEGER PRIMARY KEY, seq INTEGER NOT NULL, "
    "field INTEGER NOT NULL DEFAULT 2, text TEXT NOT NULL)",
    "CREATE INDEX ix_chunks_seq ON chunks (seq, field)",
    "CREATE VIRTUAL TABLE chunk_search USING fts5(text, content='chunks', content_rowid='id', "
    "tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER chunks_insert AFTER INSERT ON chunks BEGIN "
    "INSERT INTO chunk_search(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER chunks_delete AFTER DELETE ON chunks BEGIN "
    "INSERT INTO chunk_search(chunk_search, rowid, text) VALUES ('delete', old.id, old.text); "
    "END",
)
# The difference worked out by the database from the new list alone (what a writer that does
# not know the stored chunks would run), and only where the prompt now holds the new text.
_DROP_GONE = (
    "DELETE FROM chunks WHERE seq = (SELECT seq FROM prompts WHERE seq = :seq AND "
    "search_content = :folded) AND field = 2 AND text NOT IN (SELECT value FROM json_each(:new))"
)
_ADD_NEW = (
    "INSERT INTO chunks (seq, field, text) SELECT p.seq, 2, j.value "
    "FROM prompts p, json_each(:new) j WHERE p.seq = :seq AND p.search_content = :folded "
    "AND j.value NOT IN (SELECT text FROM chunks WHERE seq = p.seq AND field = 2)"
)
_UPDATE = "UPDATE prompts SET content = ?, search_content = ?, version = version + 1 WHERE seq = ?"
_CUT_MASK = 7  # a chunk ends after a word whose CRC-32 is 0 mod 8: about eight words


def chunks(folded: str) -> list[str]:
    """A folded field's word-aligned chunks, each ending with the pad that lets a short term at
    its end start a trigram (``store/folding.py``)."""
    out: list[str] = []
    words: list[str] = []
    for word in folded.rstrip(PAD).split():
        words.append(word)
        if zlib.crc32(word.encode()) & _CUT_MASK == 0:
            out.append(" ".join(words) + PAD * 2)
            words = []
    if words:
        out.append(" ".join(words) + PAD * 2)
    return out


def _body(length: int) -> str:
    """About ``length`` characters of the benchmark's words in a fixed shuffled order (a text
    repeating itself would be kinder to FTS5, which keeps a repeated trigram once per row)."""
    words, pick, out, size = TEXT.split(), random.Random(length), [], 0
    while size < length:
        out.append(pick.choice(words))
        size += len(out[-1]) + 1
    return " ".join(out)[:length]


def _text(length: int, n: int) -> str:
    """A prompt's content of about ``length`` characters whose end is its revision ``n``."""
    return f"{_body(length)} {n}."


def _database(prompts: int, length: int) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.execute(
        f"CREATE TABLE prompts (seq INTEGER PRIMARY KEY, content TEXT, {_COLUMNS}, version INT)"
    )
    conn.executemany(
        "INSERT INTO prompts (content, search_title, search_tags, search_content, version) "
        "VALUES (?, ?, ?, ?, 1)",
        [
            (c, f"prompt {n} about coffee" + PAD * 2, "email" + PAD * 2, fold_content(c))
            for n in range(prompts)
            for c in (_text(length, -n),)
        ],
    )
    return conn


Write = Callable[[sqlite3.Connection, int, str], None]


def _time(conn: sqlite3.Connection, writes: list[tuple[int, str]], group: int, w: Write) -> float:
    started = time.perf_counter()
    for first in range(0, len(writes), group):
        conn.execute("BEGIN")
        for seq, content in writes[first : first + group]:
            w(conn, seq, content)
        conn.execute("COMMIT")
    return (time.perf_counter() - started) / len(writes) * 1e6


def _plain(conn: sqlite3.Connection, seq: int, content: str) -> None:
    conn.execute(_UPDATE, (content, fold_content(content), seq))


def _run(mode: str, length: int, prompts: int, count: int, group: int) -> float:
    conn = _database(prompts, length)
    pick = random.Random(length)
    writes = [(pick.randrange(1, prompts + 1), _text(length, n)) for n in range(count)]
    if mode == "whole":
        for statement in _WHOLE:
            conn.execute(statement)
        micros = _time(conn, writes, group, _plain)
        _check(conn, "SELECT rowid FROM prompt_search WHERE prompt_search MATCH ?", writes)
        return micros
    if mode == "none":
        return _time(conn, writes, group, _plain)
    for statement in _CHUNKS:
        conn.execute(statement)
    # Every chunk's id, per prompt and text, and each write's difference, made before timing.
    held: dict[int, dict[str, int]] = {}
    next_id = 1
    for seq, content in conn.execute("SELECT seq, search_content FROM prompts").fetchall():
        held[seq] = {}
        for text in chunks(content):
            held[seq][text] = next_id
            conn.execute(
                "INSERT INTO chunks (id, seq, text) VALUES (?, ?, ?)", (next_id, seq, text)
            )
            next_id += 1
    plans: dict[tuple[int, str], tuple[list[tuple[int]], list[tuple[int, int, str]]]] = {}
    lists: dict[tuple[int, str], dict[str, object]] = {}
    for seq, content in writes:
        now = list(dict.fromkeys(chunks(fold_content(content))))
        lists[(seq, content)] = {
            "seq": seq,
            "folded": fold_content(content),
            "new": json.dumps(now),
        }
        before = held[seq]
        gone = [(before.pop(text),) for text in list(before) if text not in now]
        added = []
        for text in now:
            if text not in before:
                before[text] = next_id
                added.append((next_id, seq, text))
                next_id += 1
        plans[(seq, content)] = (gone, added)

    def by_difference(conn: sqlite3.Connection, seq: int, content: str) -> None:
        _plain(conn, seq, content)
        gone, added = plans[(seq, content)]
        conn.executemany("DELETE FROM chunks WHERE id = ?", gone)
        conn.executemany("INSERT INTO chunks (id, seq, text) VALUES (?, ?, ?)", added)

    def by_sql(conn: sqlite3.Connection, seq: int, content: str) -> None:
        _plain(conn, seq, content)
        params = lists[(seq, content)]
        conn.execute(_DROP_GONE, params)
        conn.execute(_ADD_NEW, params)

    micros = _time(conn, writes, group, by_difference if mode == "chunks" else by_sql)
    _check(
        conn,
        "SELECT DISTINCT c.seq FROM chunk_search s JOIN chunks c ON c.id = s.rowid "
        "WHERE chunk_search MATCH ?",
        writes,
    )
    return micros


def _check(conn: sqlite3.Connection, query: str, writes: list[tuple[int, str]]) -> None:
    """The index finds the last write's revision in its prompt, the one prompt holding it."""
    seq, content = writes[-1]
    term = fold_content(content).rstrip(PAD).split()[-1]
    found = [row[0] for row in conn.execute(query, (f'"{term}"',))]
    if found != [seq]:
        raise RuntimeError(f"the index found {found} for {term!r}, not [{seq}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lengths", default="10,100,230,1000,5000", help="characters")
    parser.add_argument("--prompts", type=int, default=1000)
    parser.add_argument("--writes", type=int, default=4000)
    parser.add_argument("--group", type=int, default=16, help="writes per transaction")
    parser.add_argument("--rounds", type=int, default=3, help="passes; the best counts")
    args = parser.parse_args()
    modes = ("whole", "chunks", "chunks_sql", "none")
    print(
        f"us per changing write, {args.writes:,} writes of {args.prompts:,} prompts, "
        f"{args.group} per transaction, in memory; SQLite {sqlite3.sqlite_version}"
    )
    print(
        f"{'length':>7}  {'chunks':>6}  {'whole text':>10}  {'word chunks':>11}  "
        f"{'chunks, SQL diff':>16}  {'no index':>8}"
    )
    for length in (int(part) for part in args.lengths.split(",")):
        best = {mode: float("inf") for mode in modes}
        for _ in range(max(1, args.rounds)):
            for mode in modes:
                micros = _run(mode, length, args.prompts, args.writes, args.group)
                best[mode] = min(best[mode], micros)
        pieces = len(chunks(fold_content(_text(length, 0))))
        print(
            f"{length:>7}  {pieces:>6}  {best['whole']:>10.1f}  {best['chunks']:>11.1f}  "
            f"{best['chunks_sql']:>16.1f}  "
            f"{best['none']:>8.1f}"
        )


if __name__ == "__main__":
    main()

"""What the size of the search index's pending list costs writes and searches on PostgreSQL:
``python -m bench.pieces_lab``.

Builds a database with the server's migrations and 1,000 prompts (through the store
functions, no HTTP), then, for each ``gin_pending_list_limit`` of ``ix_prompts_search_pieces``
(migration 0012), on a fresh copy of that database:

* **writes**: pgbench replays the server's own changing-``PATCH`` statement
  (``store/prompts.py``, the update and its version snapshot in one statement) with 16
  clients; new content every time, and one new piece in the index entry, as a changed word
  gives;
* **searches**: the same replay fills the pending list to at least four fifths of the limit
  (``pgstatginindex``), then one client runs a search that asks the index for two pieces, with
  the list full and again after ``gin_clean_pending_list`` empties it.

Needs ``pgbench`` and the ``pgstattuple`` extension (both in PostgreSQL's Debian packages).
The figures are of one run on one machine: compare rows of one run only.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.databases import PG_ADMIN_URL, pg_query
from bench.patch_lab import TEXT
from promptcrafter import grams
from promptcrafter.config import Settings
from promptcrafter.store import migrate, prompts, users
from promptcrafter.store.folding import PAD, fold_content
from promptcrafter.store.postgres import PostgresDatabase

INDEX = "ix_prompts_search_pieces"
LIMITS_KB = (64, 256, 512, 1024, 2048, 4096)
PROMPTS = 1000
_TPS = re.compile(r"tps = ([0-9.]+)")
_LATENCY = re.compile(r"latency average = ([0-9.]+) ms")


def _url(name: str) -> str:
    parts = urlsplit(PG_ADMIN_URL)
    return urlunsplit(("postgresql", parts.netloc, f"/{name}", "", ""))


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


async def _library(url: str) -> tuple[str, list[str]]:
    db = await PostgresDatabase.open(url, 4)
    try:
        owner = (await users.create(db, "Lab", "lab@example.com", "not-a-hash")).id
        ids = []
        for n in range(PROMPTS):
            row = await prompts.create(
                db, owner, f"Prompt {n} about coffee", TEXT + str(n), "gpt-4o", ["email"]
            )
            ids.append(str(row[prompts.ID]))
    finally:
        await db.close()
    return owner, ids


def _patch_script(owner: str) -> str:
    """pgbench's script: the server's statement, its parameters written in. A prompt is
    picked by number from ``lab_ids``; ``:r`` makes the content (and one piece) new."""
    query = prompts._UPDATE_WITH_SNAPSHOT
    before, after = fold_content(TEXT + "\x01").split("\x01")
    entry = grams.entry(fold_content(TEXT + "12345.").rstrip(PAD))
    values = {
        "id": "(SELECT id FROM lab_ids WHERE n = :n)",
        "owner": _literal(owner),
        "content": f"({_literal(TEXT)} || :r || '.')",
        "search_content": f"({_literal(before)} || :r || {_literal('.' + after)})",
        "variables": "'[]'",
        "expected": "-1",
        "now": "(extract(epoch from clock_timestamp()) * 1000)::bigint",
        "grams_content": "'{" + ",".join(map(str, entry)) + "}'::int[] || (:r)::int",
        "commit_message": "NULL::text",
        "actor": _literal(owner),
    }
    text = query.postgresql
    # From the highest number down, so that $1 does not match the start of $12.
    for number in range(len(query.pg_names), 0, -1):
        name = query.pg_names[number - 1]
        text = text.replace(f"${number}", values.get(name, "NULL::" + _null_type(name)))
    return f"\\set n random(1, {PROMPTS})\n\\set r random(1, 1000000000)\n{text};\n"


def _null_type(name: str) -> str:
    return "int[]" if name.startswith("grams_") else "text"


def _search_script(owner: str) -> str:
    pieces = grams.codes(["qzx", "vis"])  # one piece no prompt has, one every prompt has
    return (
        "SELECT count(*) FROM prompts p WHERE p.owner_id = "
        f"{_literal(owner)} AND (p.grams_title || p.grams_tags || p.grams_content) "
        f"@> ARRAY[{','.join(map(str, pieces))}]::int[];\n"
    )


def _pgbench(url: str, script: Path, *args: str) -> str:
    parts = urlsplit(url)
    argv = ["pgbench", "-n", "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    argv += ["-U", parts.username or "postgres", "-f", str(script), *args, parts.path[1:]]
    return subprocess.run(argv, check=True, capture_output=True, text=True).stdout


def _pending_pages(url: str) -> int:
    [[(pages,)]] = pg_query(url, f"SELECT pending_pages FROM pgstatginindex('{INDEX}')")
    return int(str(pages))


def _measure(url: str, limit_kb: int, patch: Path, search: Path, seconds: int) -> str:
    pg_query(url, f"ALTER INDEX {INDEX} SET (gin_pending_list_limit = {limit_kb})")
    [tps] = _TPS.findall(_pgbench(url, patch, "-c", "16", "-j", "2", "-T", str(seconds)))
    pg_query(url, f"SELECT gin_clean_pending_list('{INDEX}')")
    while _pending_pages(url) < limit_kb * 1024 * 4 // 5 // 8192:
        _pgbench(url, patch, "-c", "4", "-j", "2", "-t", "50")
    full = _pending_pages(url)
    [with_list] = _LATENCY.findall(_pgbench(url, search, "-c", "1", "-T", "3"))
    pg_query(url, f"SELECT gin_clean_pending_list('{INDEX}')")
    [without] = _LATENCY.findall(_pgbench(url, search, "-c", "1", "-T", "3"))
    return (
        f"  {limit_kb:5} kB  {float(tps):8,.0f} PATCH/s   search {float(with_list):.3f} ms "
        f"with {full} pending pages, {float(without):.3f} ms with none"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=8, help="pgbench run per limit")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    if shutil.which("pgbench") is None:
        raise SystemExit("pieces_lab needs pgbench (Debian: postgresql-client or postgresql)")
    source = f"pieces_lab_{secrets.token_hex(4)}"
    pg_query(PG_ADMIN_URL, f'CREATE DATABASE "{source}"')
    copies: list[str] = []
    try:
        url = _url(source)
        migrate.upgrade(Settings(database_url=url, secret_key="lab" * 16))
        owner, ids = asyncio.run(_library(url))
        rows = ",".join(f"({n}, {_literal(i)})" for n, i in enumerate(ids, start=1))
        pg_query(
            url,
            "CREATE EXTENSION IF NOT EXISTS pgstattuple",
            "CREATE TABLE lab_ids (n int PRIMARY KEY, id text NOT NULL)",
            f"INSERT INTO lab_ids VALUES {rows}",
            "VACUUM ANALYZE",
        )
        with tempfile.TemporaryDirectory(prefix="pieces-lab-") as tmp:
            patch, search = Path(tmp) / "patch.sql", Path(tmp) / "search.sql"
            patch.write_text(_patch_script(owner))
            search.write_text(_search_script(owner))
            print(f"changing PATCHes of {PROMPTS:,} prompts, 16 clients, {args.seconds} s each")
            for _ in range(max(1, args.rounds)):
                for limit_kb in LIMITS_KB:
                    copy = f"{source}_{limit_kb}"
                    copies.append(copy)
                    pg_query(PG_ADMIN_URL, f'CREATE DATABASE "{copy}" TEMPLATE "{source}"')
                    print(_measure(_url(copy), limit_kb, patch, search, args.seconds), flush=True)
                    pg_query(PG_ADMIN_URL, f'DROP DATABASE "{copy}" WITH (FORCE)')
                    copies.remove(copy)
    finally:
        for name in [*copies, source]:
            pg_query(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()

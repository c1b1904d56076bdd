"""A search library that outlives one run, for measuring a change to search in minutes.

``make bench`` builds every library from nothing (about 10 minutes). While working on search,
seed one library once and measure it as often as needed, with the code as it is now:

    .venv/bin/python -m bench.search_lab seed --engine postgresql --size 100000
    .venv/bin/python -m bench.search_lab run --engine postgresql
    .venv/bin/python -m bench.search_lab run --engine postgresql \\
        --env PROMPTCRAFTER_DATABASE_POOL_SIZE=5
    .venv/bin/python -m bench.search_lab explain --engine postgresql "vintage pasogik"
    .venv/bin/python -m bench.search_lab drop

``run`` starts the server on the kept database (migrating it first, as at every start), pins
it to CPU 0 and wrk to CPU 1 like ``make bench``, and prints req/s, p50/p95/p99 and where the
CPU went, at 32 connections and at 1. The query mix is ``make bench``'s. ``explain`` (on
PostgreSQL) shows EXPLAIN ANALYZE of one search asking the index for every piece of its terms,
then as the server plans it (``store/search.py``'s own plan: the pieces that the statistics in
store/gram_stats.py keep, as numbers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from bench import corpus, seed, wrk
from bench.config import OUT_DIR
from bench.databases import PG_ADMIN_URL, pg_postmaster_pid, pg_query, pg_query_async
from bench.load import pinned
from bench.procfs import CpuMeter
from bench.server import Server, new_secret, running

LAB = OUT_DIR / "search-lab"
PG_NAME = "promptcrafter_search_lab"


def database_url(engine: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{LAB / 'library.db'}"
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    return f"{base}/{PG_NAME}"


def state_file(engine: str) -> Path:
    return LAB / f"{engine}.json"


def server(engine: str, cpus: set[int] | None, env: dict[str, str]) -> Server:
    state = json.loads(state_file(engine).read_text())
    return Server.promptcrafter(
        database_url(engine),
        workers=1,
        cpus=cpus,
        log_path=LAB / f"server-{engine}.log",
        secret_key=state["secret"],
        extra_env=env,
    )


def drop(engines: Sequence[str]) -> None:
    for engine in engines:
        if engine == "postgresql":
            pg_query(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)')
        else:
            for path in LAB.glob("library.db*"):
                path.unlink()
        state_file(engine).unlink(missing_ok=True)


async def _seed(engine: str, size: int) -> None:
    lab = server(engine, None, {})
    with running(lab, timeout_s=120):
        api = seed.Api(lab.base_url, concurrency=16)
        try:
            user = await api.signup("searcher")
            docs = (corpus.search_payload(corpus.search_doc(i)) for i in range(size))
            await seed.timed_create(api, "search library", "/prompts", user, docs, size, print)
        finally:
            await api.close()
    if engine == "postgresql":
        await pg_query_async(database_url(engine), "ANALYZE prompts")
    queries = corpus.search_queries(size // corpus.GROUP_SIZE, 4000)
    (LAB / f"queries-{engine}.txt").write_text(
        "\n".join(corpus.search_path(q) for q in queries) + "\n"
    )
    state = json.loads(state_file(engine).read_text())
    state_file(engine).write_text(json.dumps({**state, "email": user.email, "size": size}))


def seed_library(engine: str, size: int) -> None:
    drop([engine])
    LAB.mkdir(parents=True, exist_ok=True)
    if engine == "postgresql":
        pg_query(PG_ADMIN_URL, f'CREATE DATABASE "{PG_NAME}"')
    state_file(engine).write_text(json.dumps({"secret": new_secret()}))
    asyncio.run(_seed(engine, size))


def run(engine: str, env: dict[str, str], duration_s: float) -> None:
    state = json.loads(state_file(engine).read_text())
    lab = server(engine, {0}, env)
    with pinned({1}), running(lab, timeout_s=300):
        login = httpx.post(
            lab.base_url + "/auth/login",
            json={"email": state["email"], "password": seed.PASSWORD},
            timeout=30,
        )
        login.raise_for_status()
        load_env = {
            "BENCH_TOKEN": login.json()["token"],
            "BENCH_QUERIES_FILE": str(LAB / f"queries-{engine}.txt"),
        }
        wrk.run(lab.base_url, "search", duration_s=2, connections=32, cpus={1}, env=load_env)
        for connections in (32, 1):
            db_root = pg_postmaster_pid(PG_ADMIN_URL) if engine == "postgresql" else None
            with CpuMeter(lab.pid, db_root) as cpu:
                result = wrk.run(
                    lab.base_url,
                    "search",
                    duration_s=duration_s,
                    connections=connections,
                    cpus={1},
                    env=load_env,
                )
            print(
                f"{engine} {state['size']:,} prompts, c{connections}: {result.rps:,.0f} req/s, "
                f"p50 {result.p(50) or 0:.2f} ms, p95 {result.p(95) or 0:.2f} ms, "
                f"p99 {result.p(99) or 0:.2f} ms, errors {result.errors}; cores {cpu.to_json()}"
            )


async def _explain(query: str) -> None:
    import asyncpg  # the bench's PostgreSQL client, as in bench.databases

    from promptcrafter.config import Settings
    from promptcrafter.store import search
    from promptcrafter.store.engine import open_database
    from promptcrafter.store.postgres import SCAN_SETTINGS, asyncpg_dsn

    # Planned as the server plans searches (its search pool's settings).
    url = database_url("postgresql")
    conn = await asyncpg.connect(asyncpg_dsn(url), server_settings=SCAN_SETTINGS)
    db = await open_database(Settings(database_url=url, secret_key=new_secret()))
    try:
        owner = await conn.fetchval("SELECT owner_id FROM prompts LIMIT 1")
        terms = search.terms_of(query)
        every = sorted(search.pg_pieces(terms))
        # The server's own plan, not a copy of its choices: a copy once asked the index for
        # other pieces than the server did, and hid a search that read the whole table.
        plan = await search.plan_of(db, owner, terms)
        if plan is None:
            print("the server answers [] without a query")
            return
        served = (plan.statement(None, False, True), plan.params)
        for label, (statement, params) in (
            (f"every piece {every or 'no index'}", search.pg_search(owner, terms, every)),
            (f"as served (index asked for {plan.params['grams'] or 'nothing'})", served),
        ):
            explained = await conn.fetch(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement.postgresql, *statement.pg_args(params)
            )
            lines = [str(r[0]).strip() for r in explained]
            pages = next((line for line in lines if line.startswith("Buffers")), "")
            took = next(line for line in lines if line.startswith("Execution Time"))
            print(f"{label}; first {pages}; {took}")
    finally:
        await db.close()
        await conn.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.search_lab", description=__doc__)
    parser.add_argument("command", choices=("seed", "run", "explain", "drop"))
    parser.add_argument("query", nargs="?", default="", help="for explain: a search string")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--size", type=int, default=100_000, help="prompts to seed")
    parser.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    parser.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for the server (repeatable)"
    )
    args = parser.parse_intermixed_args(sys.argv[1:] if argv is None else argv)
    if args.command == "seed":
        seed_library(args.engine, args.size)
    elif args.command == "run":
        if not state_file(args.engine).exists():
            parser.error(f"no {args.engine} library yet: run `seed --engine {args.engine}` first")
        malformed = [item for item in args.env if "=" not in item]
        if malformed:
            parser.error(f"--env takes KEY=VALUE, got {malformed[0]!r}")
        env = dict(item.split("=", 1) for item in args.env)
        run(args.engine, env, args.duration)
    elif args.command == "explain":
        if args.engine != "postgresql" or not args.query:
            parser.error("explain needs --engine postgresql and a query")
        asyncio.run(_explain(args.query))
    else:
        drop([args.engine])
    return 0


if __name__ == "__main__":
    sys.exit(main())

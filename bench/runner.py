"""The benchmark matrix: floor, then every engine x worker count, then search and memory."""

from __future__ import annotations

import asyncio
import time
import traceback
from datetime import UTC, datetime

from bench import seed, wrk
from bench.config import Config, log
from bench.databases import Database, pg_postmaster_pid
from bench.load import LoadPlan, measure, pinned
from bench.meta import collect_meta
from bench.results import Results
from bench.scenarios import core, memory, search
from bench.server import Server, ServerError, new_secret, running
from bench.session import Session


def run_floor(cfg: Config, results: Results, label: str = "start") -> None:
    """Measure the floor for every worker count; the best of all passes is the floor."""
    for workers in cfg.workers:
        plan = LoadPlan.for_workers(workers)
        server = Server.floor(
            workers=workers, cpus=plan.server_cpus, log_path=cfg.out_dir / "floor.log"
        )
        log(f"floor, {workers} worker(s): {plan.describe()}")
        try:
            with pinned(plan.load_cpus), running(server):
                result = measure(
                    cfg, plan, server.base_url, "static", {"BENCH_PATH": "/"}, server_pid=server.pid
                )
        except (ServerError, wrk.WrkError, OSError) as exc:
            results.error(f"floor {workers}w", exc)
            continue
        log(f"  floor {workers}w ({label}): {result.rps:,.0f} req/s, p50 {result.p(50):.2f} ms")
        row = {**result.to_json(), "plan": plan.describe(), "shared": plan.shared, "pass": label}
        results.floor_runs.append({"workers": workers, **row})
        best = results.floor.get(str(workers))
        if best is None or row["rps"] > best["rps"]:
            results.floor[str(workers)] = row
        results.save()


async def _session(session: Session, full: bool) -> None:
    try:
        await core.run(session)
        if full:
            user = await search.run(session)
            await memory.run(session, user)
    finally:
        await session.api.close()


def run_engine(cfg: Config, results: Results, engine: str, workers: int, full: bool) -> None:
    plan = LoadPlan.for_workers(workers)
    log(f"{engine}, {workers} worker(s): {plan.describe()}")
    files = cfg.out_dir / "work"
    files.mkdir(parents=True, exist_ok=True)
    try:
        with Database(engine) as db:
            server = Server.promptcrafter(
                db.url,
                workers=workers,
                cpus=plan.server_cpus,
                log_path=cfg.out_dir / f"server-{engine}-{workers}w.log",
                secret_key=new_secret(),
            )
            with pinned(plan.load_cpus), running(server, timeout_s=90):
                api = seed.Api(server.base_url, concurrency=cfg.seed_concurrency)
                session = Session(cfg, engine, plan, server, db, results, api, files)
                if engine == "postgresql":
                    session.db_root = pg_postmaster_pid(db.admin_url)
                asyncio.run(_session(session, full))
    except Exception as exc:
        results.error(f"{engine} {workers}w", exc)
        if not isinstance(exc, ServerError | seed.SeedError | wrk.WrkError):
            traceback.print_exc()
    results.save()


def run_all(cfg: Config) -> Results:
    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    results = Results()
    results.meta = collect_meta(cfg)
    results.meta["started"] = datetime.now(UTC).isoformat(timespec="seconds")
    results.save()
    t0 = time.monotonic()
    run_floor(cfg, results)
    full_workers = 1 if 1 in cfg.workers else cfg.workers[0]
    for engine in cfg.engines:
        for workers in cfg.workers:
            run_engine(cfg, results, engine, workers, full=workers == full_workers)
    if not cfg.quick:
        run_floor(cfg, results, label="end")
    results.meta["elapsed_s"] = round(time.monotonic() - t0, 1)
    results.save()
    return results

"""The benchmark matrix: floor, then every engine x worker count (core, search, memory and the
registry's endpoints), then the comparisons that start servers of their own."""

from __future__ import annotations

import asyncio
import time
import traceback
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

from bench import seed, wrk
from bench.config import Config, log
from bench.databases import Database, pg_postmaster_pid
from bench.load import LoadPlan, measure, pinned
from bench.meta import collect_meta
from bench.results import Results
from bench.scenarios import (
    apikeys,
    baseline,
    core,
    memory,
    observability,
    registry,
    search,
    search_limit,
    ui,
    writes,
)
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


# What runs on the session of each engine at the first worker count, in this order; other
# worker counts run only "core". Steps that start servers of their own are in SEPARATE.
STEPS: dict[str, Callable[[Session], Coroutine[Any, Any, None]]] = {
    "core": core.run,
    "search": search.run,
    "search-limit": search_limit.run,
    "memory": memory.run,
    "patch": registry.patch,
    "stats": registry.stats,
    "render": registry.render,
}
SEPARATE: dict[str, Callable[[Config, Results, str], Coroutine[Any, Any, None]]] = {
    "baseline": baseline.run,
    "observability": observability.run,
    "apikey": apikeys.run,
    "ui": ui.run,
}


async def _session(session: Session, steps: list[str]) -> None:
    try:
        for step in steps:
            try:
                await STEPS[step](session)
            except Exception as exc:  # one scenario's failure must not cost the others
                session.results.error(f"{session.tag} {step}", exc)
                if not isinstance(exc, ServerError | seed.SeedError | wrk.WrkError):
                    traceback.print_exc()
                if not session.server.alive():
                    raise
    finally:
        await session.api.close()


def run_engine(cfg: Config, results: Results, engine: str, workers: int, steps: list[str]) -> None:
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
                asyncio.run(_session(session, steps))
    except Exception as exc:
        results.error(f"{engine} {workers}w", exc)
        if not isinstance(exc, ServerError | seed.SeedError | wrk.WrkError):
            traceback.print_exc()
    results.save()


def _separate(cfg: Config, results: Results, name: str, engine: str) -> None:
    log(f"{name} on {engine}")
    try:
        # Not pinned here: the plans are made from this thread's CPUs, and every measurement
        # pins itself (variants.measure_on).
        asyncio.run(SEPARATE[name](cfg, results, engine))
    except Exception as exc:
        results.error(f"{name} {engine}", exc)
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
    # Shares of the floor need the floor of the same run.
    floor = any(cfg.wants(n) for n in ("floor", "core", "patch")) or cfg.baseline is not None
    if floor:
        run_floor(cfg, results)
    steps = [name for name in STEPS if cfg.wants(name)]
    full_workers = 1 if 1 in cfg.workers else cfg.workers[0]
    for engine in cfg.engines:
        for workers in cfg.workers:
            todo = steps if workers == full_workers else [n for n in steps if n == "core"]
            if todo:
                run_engine(cfg, results, engine, workers, todo)
    if cfg.only is not None and "baseline" in cfg.only and cfg.baseline is None:
        results.skip("baseline", "-", "not run: give --baseline COMMIT")
    if cfg.baseline is not None:
        for engine in cfg.engines:
            _separate(cfg, results, "baseline", engine)
    if cfg.wants("workers") and "sqlite" in cfg.engines:
        log("workers: SQLite, 2 workers against 1, POST /logs")
        try:
            asyncio.run(writes.run(cfg, results))
        except Exception as exc:
            results.error("workers sqlite", exc)
            traceback.print_exc()
    for name in ("observability", "apikey", "ui"):
        if cfg.wants(name):
            for engine in cfg.engines:
                _separate(cfg, results, name, engine)
    if floor and not cfg.quick:
        run_floor(cfg, results, label="end")
    results.meta["elapsed_s"] = round(time.monotonic() - t0, 1)
    results.save()
    return results

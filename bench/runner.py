"""The benchmark matrix: floor, then every engine x worker count, then search and memory.

Results are kept as plain JSON (``bench/out/results.json``) so that ``report.py`` can
rebuild ``bench/RESULTS.md`` at any time (for instance after ``python -m bench profile``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import os
import secrets
import sqlite3
import sys
import time
import traceback
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench import rawhttp, seed, wrk
from bench.server import (
    CpuMeter,
    Database,
    RssSampler,
    Server,
    ServerError,
    cpu_plan,
    pg_postmaster_pid,
    pg_query_async,
    process_tree,
    rss_bytes,
    running,
)

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
RESULTS_JSON = OUT_DIR / "results.json"

Json = dict[str, Any]


@dataclass
class Config:
    engines: list[str]
    workers: list[int]
    duration_s: float = 10.0
    warmup_s: float = 2.0
    connections: int = 32
    search_connections: tuple[int, ...] = (32, 1)
    reader_prompts: int = 1000
    reader_logs: int = 500
    search_sizes: tuple[int, int] = (10_000, 100_000)
    memory_logs: int = 100_000
    search_query_count: int = 4000
    validate_queries: int = 30
    kind_samples: int = 40
    seed_concurrency: int = 32
    quick: bool = False
    profile: bool = True
    profile_duration_s: float = 15.0
    out_dir: Path = OUT_DIR

    @classmethod
    def quick_mode(cls, engines: list[str], workers: list[int]) -> Config:
        return cls(
            engines=engines,
            workers=workers,
            duration_s=2.0,
            warmup_s=1.0,
            search_sizes=(1_000, 5_000),
            memory_logs=5_000,
            validate_queries=12,
            quick=True,
            profile_duration_s=3.0,
        )


def log(message: str) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)


@contextlib.contextmanager
def pinned(cpus: set[int] | None) -> Iterator[None]:
    """Run the harness itself (seeding client, wrk's parent) on the load-generator CPUs."""
    before = os.sched_getaffinity(0)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def all_cpus() -> set[int]:
    return set(range(os.cpu_count() or 1))


def new_secret() -> str:
    return secrets.token_urlsafe(48)


# --------------------------------------------------------------------------- wrk helpers


@dataclass
class LoadPlan:
    workers: int
    server_cpus: set[int] | None
    load_cpus: set[int] | None
    shared: bool

    @classmethod
    def for_workers(cls, workers: int) -> LoadPlan:
        server_cpus, load_cpus, shared = cpu_plan(workers)
        return cls(workers, server_cpus, load_cpus, shared)

    @property
    def wrk_threads(self) -> int:
        return 1 if not self.shared else max(1, self.workers)

    def describe(self) -> str:
        if self.shared:
            return f"server {self.workers} worker(s) and wrk unpinned, sharing all cores"
        return (
            f"server on CPU {_cpus(self.server_cpus)}, wrk and harness on CPU "
            f"{_cpus(self.load_cpus)}"
        )


def _cpus(cpus: set[int] | None) -> str:
    return ",".join(str(c) for c in sorted(cpus)) if cpus else "any"


def measure(
    cfg: Config,
    plan: LoadPlan,
    url: str,
    script: str,
    env: dict[str, str],
    *,
    connections: int | None = None,
    duration_s: float | None = None,
    server_pid: int | None = None,
    db_root: int | None = None,
) -> wrk.WrkResult:
    """Warm up, then one measured wrk run; also record where the CPU went meanwhile."""
    conns = connections or cfg.connections
    threads = min(plan.wrk_threads, conns)
    if cfg.warmup_s > 0:
        wrk.run(
            url,
            script,
            duration_s=cfg.warmup_s,
            connections=conns,
            threads=threads,
            cpus=plan.load_cpus,
            env=env,
        )
    with CpuMeter(server_pid, db_root) as meter:
        result = wrk.run(
            url,
            script,
            duration_s=duration_s or cfg.duration_s,
            connections=conns,
            threads=threads,
            cpus=plan.load_cpus,
            env=env,
        )
    result.cpu = meter.to_json()
    if meter.foreign_cores > 0.1:
        log(f"  warning: {meter.foreign_cores:.2f} cores busy with other processes during the run")
    return result


# --------------------------------------------------------------------------- results


@dataclass
class Results:
    meta: Json = field(default_factory=dict)
    floor: dict[str, Json] = field(default_factory=dict)
    floor_runs: list[Json] = field(default_factory=list)
    runs: list[Json] = field(default_factory=list)
    search: list[Json] = field(default_factory=list)
    search_kinds: list[Json] = field(default_factory=list)
    memory: list[Json] = field(default_factory=list)
    seeding: list[Json] = field(default_factory=list)
    evidence: dict[str, Json] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    path: str = str(RESULTS_JSON)  # where save() writes

    def save(self) -> None:
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        del data["path"]
        target.write_text(json.dumps(data, indent=2, sort_keys=False))

    @classmethod
    def load(cls, path: Path = RESULTS_JSON) -> Results:
        data = json.loads(path.read_text())
        return cls(**data, path=str(path))

    def error(self, where: str, exc: BaseException) -> None:
        text = f"{where}: {type(exc).__name__}: {exc}"
        log("ERROR " + text)
        self.errors.append(text)


# --------------------------------------------------------------------------- floor


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


# --------------------------------------------------------------------------- one server


@dataclass
class Session:
    """State of one running server while it is seeded and measured."""

    cfg: Config
    engine: str
    plan: LoadPlan
    server: Server
    db: Database
    results: Results
    api: seed.Api
    files: Path
    search_docs: list[seed.SearchDoc] = field(default_factory=list)
    search_ids: list[str] = field(default_factory=list)
    search_created: list[str] = field(default_factory=list)
    # PostgreSQL's main process: its whole tree is the database's CPU (the benchmark is its
    # only user while it runs).
    db_root: int | None = None

    @property
    def tag(self) -> str:
        return f"{self.engine} {self.plan.workers}w"

    def record_seed(self, stats: seed.SeedStats) -> None:
        self.results.seeding.append(
            {
                "engine": self.engine,
                "workers": self.plan.workers,
                "label": stats.label,
                "count": stats.count,
                "seconds": round(stats.seconds, 2),
                "rate": round(stats.rate, 1),
            }
        )

    async def load(self, script: str, env: dict[str, str], **kw: Any) -> wrk.WrkResult:
        return await asyncio.to_thread(
            measure,
            self.cfg,
            self.plan,
            self.server.base_url,
            script,
            env,
            server_pid=self.server.pid,
            db_root=self.db_root,
            **kw,
        )

    def add_run(self, endpoint: str, result: wrk.WrkResult | None, **extra: Any) -> None:
        row: Json = {
            "engine": self.engine,
            "workers": self.plan.workers,
            "endpoint": endpoint,
            "plan": self.plan.describe(),
            "shared": self.plan.shared,
            "wrk": result.to_json() if result else None,
            **extra,
        }
        self.results.runs.append(row)
        self.results.save()
        if result:
            p50, p99 = result.p(50) or 0.0, result.p(99) or 0.0
            log(
                f"  {self.tag} {endpoint}: {result.rps:,.0f} req/s, p50 {p50:.2f} ms, "
                f"p99 {p99:.2f} ms, errors {result.errors}"
            )

    # ----------------------------------------------------------------- core endpoints

    async def core(self) -> None:
        cfg = self.cfg
        reader = await self.api.signup("reader")
        created, stats = await seed.timed_create(
            self.api,
            "reader prompts",
            "/prompts",
            reader,
            (seed.reader_prompt(i) for i in range(cfg.reader_prompts)),
            cfg.reader_prompts,
            log,
        )
        self.record_seed(stats)
        ids = created.ids
        log_targets = [ids[i % len(ids)] for i in range(cfg.reader_logs)]
        _, stats = await seed.timed_create(
            self.api,
            "reader logs",
            "/logs",
            reader,
            (seed.log_payload(pid, n) for n, pid in enumerate(log_targets)),
            cfg.reader_logs,
            log,
        )
        self.record_seed(stats)

        ids_file = self.files / f"ids-{self.engine}-{self.plan.workers}.txt"
        ids_file.write_text("\n".join(ids) + "\n")
        one_size = await self.api.body_size(f"/prompts/{ids[0]}", reader)
        list_size = await self.api.body_size("/prompts", reader)
        listed = await self.api.get_json("/prompts", reader)
        env = {"BENCH_TOKEN": reader.token, "BENCH_IDS_FILE": str(ids_file)}

        result = await self.load("get_prompt", env)
        self.add_run("GET /prompts/{id}", result, body_bytes=one_size)

        result = await self.load("static", {"BENCH_TOKEN": reader.token, "BENCH_PATH": "/prompts"})
        self.add_run(
            "GET /prompts",
            result,
            body_bytes=list_size,
            items=len(listed),
            json_bps=result.rps * list_size,
        )

        result = await self.load("post_log", env)
        self.add_run("POST /logs", result)
        if not self.server.alive():
            raise ServerError("server died during the core runs:\n" + self.server.log_tail())

    # ----------------------------------------------------------------- search

    async def grow_search_library(self, user: seed.User, size: int) -> None:
        start = len(self.search_docs)
        if size <= start:
            return
        docs = [seed.search_doc(i) for i in range(start, size)]
        with self.server.unpinned(), pinned(all_cpus()):
            created, stats = await seed.timed_create(
                self.api,
                f"search prompts {start}->{size}",
                "/prompts",
                user,
                (seed.search_payload(d) for d in docs),
                len(docs),
                log,
            )
        self.record_seed(stats)
        self.search_docs.extend(docs)
        self.search_ids.extend(created.ids)
        self.search_created.extend(created.created_at)
        if self.engine == "postgresql":
            # Autovacuum would analyze the freshly loaded table within its naptime (a minute);
            # without statistics the planner guesses 0.5% per owner and skips the search
            # indexes. Measure the library as it is once that has happened.
            await pg_query_async(self.db.url, "ANALYZE prompts")

    async def validate_search(self, user: seed.User, other_ids: set[str], size: int) -> list[str]:
        """Check a sample of queries against SPEC's rules; return the problems found."""
        problems: list[str] = []
        groups = size // seed.GROUP_SIZE
        queries = seed.search_queries(groups, self.cfg.validate_queries, seed=size)
        queries += list(seed.LITERAL_QUERIES) + list(seed.SHORT_QUERIES)
        id_of = {d.index: self.search_ids[d.index] for d in self.search_docs}
        created_of = {self.search_ids[i]: self.search_created[i] for i in range(size)}
        for query in queries:
            response = await self.api.client.get(
                "/search", params={"q": query}, headers=self.api.auth(user.token)
            )
            if response.status_code != 200:
                problems.append(f"q={query!r}: HTTP {response.status_code} {response.text[:120]}")
                continue
            got = [item.get("_id") for item in response.json()]
            expected = seed.expected_hits(self.search_docs, query)
            want = {id_of[doc.index] for _, doc in expected}
            leaked = [i for i in got if i in other_ids]
            if leaked:
                problems.append(f"q={query!r}: {len(leaked)} of another user's prompts returned")
            if set(got) != want or len(got) != len(want):
                problems.append(
                    f"q={query!r}: {len(got)} results, expected {len(want)} "
                    f"({len(set(got) - want)} unexpected, {len(want - set(got))} missing)"
                )
                continue
            if len(query.split()) == 1 and got:
                rank = {id_of[doc.index]: r for r, doc in expected}
                order = [(rank[i], created_of[i]) for i in got]
                for a, b in itertools.pairwise(order):
                    if a[0] > b[0]:
                        problems.append(f"q={query!r}: ranking is not title > tag > content")
                        break
                    if a[0] == b[0] and a[1] < b[1]:
                        problems.append(
                            f"q={query!r}: not newest first within a rank "
                            f"(createdAt {a[1]} listed before {b[1]})"
                        )
                        break
        return problems

    async def evidence_snapshot(self) -> Json:
        if self.engine == "postgresql":
            tables, indexes = await pg_query_async(
                self.db.url,
                "SELECT relname, seq_scan, coalesce(idx_scan, 0) FROM pg_stat_user_tables",
                "SELECT indexrelname, coalesce(idx_scan, 0) FROM pg_stat_user_indexes",
            )
            return {
                "seq_scan": {str(r[0]): int(str(r[1])) for r in tables},
                "idx_scan_table": {str(r[0]): int(str(r[2])) for r in tables},
                "idx_scan": {str(r[0]): int(str(r[1])) for r in indexes},
            }
        return {}

    async def schema_evidence(self) -> Json:
        if self.engine == "postgresql":
            (rows,) = await pg_query_async(
                self.db.url,
                "SELECT tablename, indexname, indexdef FROM pg_indexes "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2",
            )
            return {"indexes": [{"table": r[0], "name": r[1], "def": r[2]} for r in rows]}
        if self.db.path is None:
            return {}
        conn = sqlite3.connect(f"file:{self.db.path}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute(
                "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_master "
                "WHERE type IN ('table', 'index') ORDER BY tbl_name, name"
            ).fetchall()
            journal = conn.execute("PRAGMA journal_mode").fetchone()
        finally:
            conn.close()
        return {
            "journal_mode": str(journal[0]) if journal else "",
            "objects": [
                {"type": r[0], "name": r[1], "table": r[2], "sql": " ".join(str(r[3]).split())}
                for r in rows
                if not str(r[1]).startswith("sqlite_")
            ],
        }

    async def search(self) -> seed.User:
        cfg = self.cfg
        user = await self.api.signup("searcher")
        other = await self.api.signup("other")
        n_other = min(50, cfg.search_sizes[0] // seed.GROUP_SIZE)
        other_created = await self.api.create_many(
            "/prompts", other, (seed.other_payload(g) for g in range(n_other)), n_other
        )
        other_ids = set(other_created.ids)
        for size in cfg.search_sizes:
            await self.grow_search_library(user, size)
            problems = await self.validate_search(user, other_ids, size)
            for p in problems[:5]:
                log(f"    search check: {p}")
            queries = seed.search_queries(size // seed.GROUP_SIZE, cfg.search_query_count)
            qfile = self.files / f"queries-{self.engine}-{size}.txt"
            qfile.write_text("\n".join(seed.search_path(q) for q in queries) + "\n")
            env = {"BENCH_TOKEN": user.token, "BENCH_QUERIES_FILE": str(qfile)}
            await asyncio.sleep(1.0)
            before = await self.evidence_snapshot()
            for conns in cfg.search_connections:
                # The 1-connection run only shows unqueued latency; half the time is plenty.
                seconds = cfg.duration_s if conns == max(cfg.search_connections) else None
                result = await self.load(
                    "search",
                    env,
                    connections=conns,
                    duration_s=seconds or max(2.0, cfg.duration_s / 2),
                )
                row: Json = {
                    "engine": self.engine,
                    "workers": self.plan.workers,
                    "size": size,
                    "connections": conns,
                    "wrk": result.to_json(),
                    "problems": problems,
                    "checked_queries": cfg.validate_queries
                    + len(seed.LITERAL_QUERIES)
                    + len(seed.SHORT_QUERIES),
                }
                self.results.search.append(row)
                self.results.save()
                log(
                    f"  {self.tag} /search @{size:,} c{conns}: {result.rps:,.0f} req/s, "
                    f"p50 {result.p(50) or 0:.2f} ms, p95 {result.p(95) or 0:.2f} ms, "
                    f"errors {result.errors}"
                )
            await asyncio.sleep(1.5)  # PostgreSQL flushes table statistics about once a second
            after = await self.evidence_snapshot()
            if before and after:
                ev = self.results.evidence.setdefault(self.engine, {})
                ev[f"scans_during_search_{size}"] = {
                    kind: {
                        name: after[kind].get(name, 0) - value
                        for name, value in before[kind].items()
                        if after[kind].get(name, 0) - value
                    }
                    for kind in before
                }
            await self.search_by_kind(user, queries, size)
        self.results.evidence.setdefault(self.engine, {}).update(await self.schema_evidence())
        self.results.save()
        return user

    async def search_by_kind(self, user: seed.User, queries: list[str], size: int) -> None:
        """Unloaded latency per kind of query, one request at a time: where a tail comes from."""
        url = urlsplit(self.server.base_url)
        conn = rawhttp.Connection(url.hostname or "127.0.0.1", url.port or 80)
        headers = {"Authorization": f"Bearer {user.token}"}
        by_kind: dict[str, list[str]] = {}
        for q in [*queries, *seed.SHORT_QUERIES]:
            by_kind.setdefault(seed.query_kind(q), []).append(q)
        in_mix = {kind: sum(1 for q in queries if seed.query_kind(q) == kind) for kind in by_kind}
        try:
            for kind, items in sorted(by_kind.items()):
                times: list[float] = []
                hits = 0
                for q in items[: self.cfg.kind_samples]:
                    start = time.perf_counter()
                    response = await conn.request("GET", seed.search_path(q), headers)
                    times.append((time.perf_counter() - start) * 1e3)
                    if response.status == 200:
                        hits += len(json.loads(response.body))
                times.sort()
                row: Json = {
                    "engine": self.engine,
                    "size": size,
                    "kind": kind,
                    "share": round(in_mix[kind] / len(queries), 3),
                    "n": len(times),
                    "p50": times[len(times) // 2],
                    "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
                    "max": times[-1],
                    "avg_hits": hits / len(times),
                }
                self.results.search_kinds.append(row)
                log(
                    f"    {kind:<16} p50 {row['p50']:7.2f} ms  p95 {row['p95']:7.2f} ms  "
                    f"max {row['max']:7.2f} ms  ~{row['avg_hits']:.0f} hits"
                )
        finally:
            await conn.close()
        self.results.save()

    # ----------------------------------------------------------------- memory

    async def memory_probe(self, path: str, user: seed.User, items: int, repeats: int = 3) -> None:
        row: Json = {
            "engine": self.engine,
            "workers": self.plan.workers,
            "path": path,
            "expected_items": items,
        }
        timeout = httpx.Timeout(600.0)
        try:
            async with httpx.AsyncClient(base_url=self.server.base_url, timeout=timeout) as c:
                await asyncio.sleep(0.5)
                with RssSampler(self.server.pid) as sampler:
                    times: list[float] = []
                    size = 0
                    count = -1
                    for n in range(repeats):
                        start = time.perf_counter()
                        chunks: list[bytes] = []
                        size = 0
                        async with c.stream("GET", path, headers=self.api.auth(user.token)) as r:
                            if r.status_code != 200:
                                await r.aread()
                                raise seed.SeedError(f"GET {path}: {r.status_code} {r.text[:200]}")
                            async for chunk in r.aiter_raw():
                                size += len(chunk)
                                if n == 0:
                                    chunks.append(chunk)
                        times.append(time.perf_counter() - start)
                        if n == 0:
                            body = b"".join(chunks)
                            chunks.clear()
                            count = len(json.loads(body))
                            del body
                    await asyncio.sleep(0.3)
                after = sampler.peak
                settled = rss_bytes(process_tree(self.server.pid))
            row.update(
                items=count,
                bytes=size,
                seconds=[round(t, 3) for t in times],
                rss_baseline=sampler.baseline,
                rss_peak=after,
                rss_growth=sampler.growth,
                rss_after=settled,
                samples=sampler.samples,
            )
            log(
                f"  {self.tag} memory {path}: {count:,} items, {size / 1e6:.1f} MB in "
                f"{min(times):.2f}s, RSS {sampler.baseline / 2**20:.0f} -> "
                f"{after / 2**20:.0f} MiB (+{sampler.growth / 2**20:.0f})"
            )
        except Exception as exc:
            row["error"] = f"{type(exc).__name__}: {exc}"
            log(f"  {self.tag} memory {path}: {row['error']}")
        self.results.memory.append(row)
        self.results.save()

    async def memory(self, user: seed.User) -> None:
        cfg = self.cfg
        size = len(self.search_docs)
        await self.memory_probe("/prompts", user, size)
        targets = self.search_ids
        with self.server.unpinned(), pinned(all_cpus()):
            _, stats = await seed.timed_create(
                self.api,
                "memory logs",
                "/logs",
                user,
                (seed.log_payload(targets[n % len(targets)], n) for n in range(cfg.memory_logs)),
                cfg.memory_logs,
                log,
            )
        self.record_seed(stats)
        await self.memory_probe("/logs", user, cfg.memory_logs)


async def _session(session: Session, full: bool) -> None:
    try:
        await session.core()
        if full:
            user = await session.search()
            await session.memory(user)
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
    from bench import report

    cfg.out_dir.mkdir(parents=True, exist_ok=True)
    results = Results()
    results.meta = report.collect_meta(cfg)
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

"""One running server while it is seeded and measured, and where its numbers go."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import corpus, seed, wrk
from bench.config import Config, Json, log
from bench.databases import Database
from bench.load import LoadPlan, measure
from bench.results import Results
from bench.server import Server


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
    search_docs: list[corpus.SearchDoc] = field(default_factory=list)
    search_ids: list[str] = field(default_factory=list)
    search_created: list[str] = field(default_factory=list)
    # PostgreSQL's main process: its whole tree is the database's CPU (the benchmark is its
    # only user while it runs).
    db_root: int | None = None
    search_user: seed.User | None = None
    # Users a scenario made on this server, by label.
    user_cache: dict[str, seed.User] = field(default_factory=dict)

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

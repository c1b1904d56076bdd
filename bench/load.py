"""Where the server and wrk run, and one warmed-up, CPU-accounted wrk measurement."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass

from bench import wrk
from bench.config import Config, log
from bench.procfs import CpuMeter
from bench.server import cpu_plan


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

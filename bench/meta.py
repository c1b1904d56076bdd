"""Facts about the machine and the software a run measured, kept in ``results.meta``."""

from __future__ import annotations

import os
import platform
import sqlite3
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from bench import wrk
from bench.config import BENCH_DIR, Config, Json
from bench.databases import PG_ADMIN_URL, pg_info

PACKAGES = (
    "promptcrafter",
    "fastapi",
    "starlette",
    "pydantic",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "aiosqlite",
    "asyncpg",
    "orjson",
    "httpx",
    "py-spy",
)


# --------------------------------------------------------------------------- facts


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total() -> int:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    try:
        out = subprocess.run(
            ["git", "-C", str(BENCH_DIR.parent), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except OSError:
        return "unknown"
    return out.stdout.strip() or "uncommitted"


def collect_meta(cfg: Config) -> Json:
    return {
        "machine": {
            "nproc": os.cpu_count(),
            "affinity": sorted(os.sched_getaffinity(0)),
            "cpu": _cpu_model(),
            "memory_bytes": _mem_total(),
            "kernel": platform.release(),
        },
        "versions": {
            "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version,
            "wrk": wrk.wrk_version(),
            **{name: _version(name) for name in PACKAGES},
        },
        "postgresql": pg_info(PG_ADMIN_URL) if "postgresql" in cfg.engines else {},
        "git": _git_commit(),
        "config": {
            "quick": cfg.quick,
            "engines": cfg.engines,
            "workers": cfg.workers,
            "duration_s": cfg.duration_s,
            "warmup_s": cfg.warmup_s,
            "connections": cfg.connections,
            "search_connections": list(cfg.search_connections),
            "reader_prompts": cfg.reader_prompts,
            "search_sizes": list(cfg.search_sizes),
            "memory_logs": cfg.memory_logs,
            "only": sorted(cfg.only) if cfg.only is not None else None,
            "baseline": cfg.baseline,
            "rounds": cfg.rounds,
            "pass_s": cfg.pass_s,
            "write_rounds": cfg.write_rounds,
            "write_seconds": cfg.write_seconds,
            "write_connections": cfg.write_connections,
            "stats_logs": list(cfg.stats_logs),
        },
        "argv": sys.argv[1:],
    }

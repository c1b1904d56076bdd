"""Where the benchmark writes, what one run measures, and the progress log.

Shared by every part of the harness; it imports nothing else from ``bench``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
OUT_DIR = BENCH_DIR / "out"
RESULTS_JSON = OUT_DIR / "results.json"

Json = dict[str, Any]

# What `--only` can select. The first four are the matrix of issue 4; the rest measure the
# targets of issues 9-12 and are skipped, with a line in RESULTS.md, on a server that lacks
# the feature. `baseline` runs when `--baseline COMMIT` is given.
SCENARIOS = (
    "floor",
    "core",
    "search",
    "memory",
    "baseline",
    "workers",
    "observability",
    "apikey",
    "patch",
    "stats",
    "search-limit",
    "render",
    "ui",
)
# A scenario that needs another one's data runs it too.
NEEDS = {"memory": {"search"}, "search-limit": {"search"}}


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
    only: set[str] | None = None  # None: every scenario
    baseline: str | None = None  # a commit to measure beside the working tree
    # A comparison measures its sides in turn, ``rounds`` passes of ``pass_s`` seconds each,
    # and the median pass of each side counts (bench/variants.py).
    rounds: int = 9
    pass_s: float = 4.0
    write_rounds: int = 3  # runs of the SQLite multi-worker write load, per worker count
    write_seconds: float = 20.0  # the SQLite multi-worker write load
    write_connections: int = 48
    stats_logs: tuple[int, int] = (10_000, 100_000)
    stats_versions: int = 20
    ui_prompts: int = 1_000
    ui_logs: int = 1_000
    ui_search_prompts: int = 10_000

    def wants(self, scenario: str) -> bool:
        return self.only is None or scenario in self.only

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
            rounds=1,
            pass_s=2.0,
            write_rounds=1,
            write_seconds=3.0,
            stats_logs=(1_000, 5_000),
            ui_prompts=200,
            ui_logs=200,
            ui_search_prompts=1_000,
        )


def log(message: str) -> None:
    stamp = datetime.now().strftime("%H:%M:%S")
    print(f"[{stamp}] {message}", file=sys.stderr, flush=True)

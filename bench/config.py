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

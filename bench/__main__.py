"""Command line: ``python -m bench [run|profile|report|floor] [options]``."""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Sequence

from bench import report
from bench.checks import checks
from bench.config import NEEDS, RESULTS_JSON, SCENARIOS, Config, log
from bench.databases import ENGINES
from bench.meta import collect_meta
from bench.results import Results
from bench.runner import run_all, run_floor


def _engines(text: str) -> list[str]:
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    aliases = {"pg": "postgresql", "postgres": "postgresql", "sqlite3": "sqlite"}
    names = [aliases.get(n, n) for n in names]
    bad = [n for n in names if n not in ENGINES]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"engines are {', '.join(ENGINES)}; got {text!r}")
    return names


def _workers(text: str) -> list[int]:
    try:
        values = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of worker counts: {text!r}") from None
    if not values or any(v < 1 for v in values):
        raise argparse.ArgumentTypeError(f"not a list of worker counts: {text!r}")
    return values


def _sizes(text: str) -> tuple[int, int]:
    try:
        values = [int(n) for n in text.split(",") if n.strip()]
    except ValueError:
        values = []
    if len(values) != 2 or not 0 < values[0] < values[1]:
        raise argparse.ArgumentTypeError(f"need two increasing sizes like 10000,100000: {text!r}")
    return values[0], values[1]


def _only(text: str) -> set[str]:
    names = {n.strip().lower() for n in text.split(",") if n.strip()}
    bad = sorted(names - set(SCENARIOS))
    if bad or not names:
        raise argparse.ArgumentTypeError(f"scenarios are {', '.join(SCENARIOS)}; got {text!r}")
    for name in list(names):
        names |= NEEDS.get(name, set())
    return names


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="PromptCrafter load benchmark; writes bench/RESULTS.md.",
    )
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=("run", "profile", "report", "floor"),
        help="run: the whole matrix (default); profile: py-spy of the read and write paths; "
        "report: rebuild RESULTS.md from bench/out; floor: measure only the floor",
    )
    parser.add_argument("--quick", action="store_true", help="smoke run, about 1-2 minutes")
    parser.add_argument(
        "--engines",
        type=_engines,
        default=list(ENGINES),
        help="comma list: sqlite,postgresql (default both)",
    )
    parser.add_argument(
        "--workers",
        type=_workers,
        default=[1, 2],
        help="comma list of uvicorn worker counts (default 1,2)",
    )
    parser.add_argument(
        "--duration", type=float, default=None, help="seconds per measurement (default 10, quick 2)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds of discarded warm-up before each measurement",
    )
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (32)")
    parser.add_argument(
        "--search-sizes",
        type=_sizes,
        default=None,
        help="two library sizes for /search, e.g. 10000,100000 (quick: 1000,5000)",
    )
    parser.add_argument(
        "--memory-logs",
        type=int,
        default=None,
        help="logs to seed for the GET /logs memory check (default 100000, quick 5000)",
    )
    parser.add_argument(
        "--only",
        type=_only,
        default=None,
        help="comma list of scenarios to run (default all): " + ", ".join(SCENARIOS),
    )
    parser.add_argument(
        "--baseline",
        metavar="COMMIT",
        default=None,
        help="also install COMMIT under bench/out/baseline-<sha> and measure the hot read and "
        "write of both, interleaved; RESULTS.md gets the ratio new/baseline",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="interleaved passes per side of a comparison, the median counts (default 9, quick 1)",
    )
    parser.add_argument(
        "--no-profile", action="store_true", help="skip the py-spy step at the end of a run"
    )
    parser.add_argument(
        "--profile-engine",
        type=_engines,
        default=None,
        help="engines to profile (default: those of --engines)",
    )
    return parser.parse_args(argv)


def build_config(args: argparse.Namespace) -> Config:
    engines: list[str] = args.engines
    workers: list[int] = args.workers
    cfg = Config.quick_mode(engines, workers) if args.quick else Config(engines, workers)
    if args.duration is not None:
        cfg.duration_s = args.duration
    if args.warmup is not None:
        cfg.warmup_s = args.warmup
    if args.search_sizes is not None:
        cfg.search_sizes = args.search_sizes
    if args.memory_logs is not None:
        cfg.memory_logs = args.memory_logs
    cfg.connections = args.connections
    cfg.search_connections = (args.connections, 1)
    cfg.profile = not args.no_profile and args.only is None
    cfg.only = args.only
    cfg.baseline = args.baseline
    if cfg.baseline is not None and cfg.only is not None:
        cfg.only.add("baseline")
    if args.rounds is not None:
        cfg.rounds = max(1, args.rounds)
    return cfg


def _profile(cfg: Config, args: argparse.Namespace) -> bool:
    from bench import profiling

    engines: list[str] = args.profile_engine or (cfg.engines[:1] if cfg.quick else cfg.engines)
    duration = args.duration if args.duration is not None else cfg.profile_duration_s
    combined = profiling.profile_all(engines, duration, connections=cfg.connections)
    profiling.print_summary(combined)
    return not any("error" in r for r in combined["engines"].values())


def _load_or_empty(cfg: Config) -> Results:
    if RESULTS_JSON.exists():
        return Results.load(RESULTS_JSON)
    results = Results()
    results.meta = collect_meta(cfg)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cfg = build_config(args)
    start = time.monotonic()
    if args.command == "report":
        path = report.write_results(Results.load(RESULTS_JSON))
        print(path)
        return 0
    if shutil.which("wrk") is None:
        # Without it every measurement would fail one by one, after minutes of seeding.
        print("python -m bench needs wrk: apt-get install -y wrk (make bench installs it)")
        return 2
    if args.command == "floor":
        results = Results(path=str(RESULTS_JSON.with_name("floor.json")))
        results.meta = collect_meta(cfg)
        run_floor(cfg, results)
        for workers, floor in results.floor.items():
            lat = floor["latency_ms"]
            print(
                f"floor {workers} worker(s): {floor['rps']:,.0f} req/s, "
                f"p50 {lat['p50']:.2f} ms, p99 {lat['p99']:.2f} ms"
            )
        return 0 if results.floor else 1
    if args.command == "profile":
        ok = _profile(cfg, args)
        report.write_results(_load_or_empty(cfg))
        return 0 if ok else 1
    results = run_all(cfg)
    if cfg.profile:
        _profile(cfg, args)
        results.meta["elapsed_s"] = round(time.monotonic() - start, 1)
        results.save()
    path = report.write_results(results)
    failed = [c.target for c in checks(results) if c.status == "FAIL"]
    failed += [t["target"] for t in results.targets if t["status"] == "FAIL"]
    for check in checks(results):
        print(f"{check.status:5} {check.target}: {check.measured}")
    for t in results.targets:
        print(f"{t['status']:5} {t['target']}: {t['measured']}")
    for skipped in results.skipped:
        print(f"skip  {skipped['scenario']} ({skipped['engine']}): {skipped['why']}")
    print(f"\nwrote {path}")
    log(f"done in {(time.monotonic() - start) / 60:.1f} min; {len(failed)} target(s) failed")
    return 0 if not results.errors else 1


if __name__ == "__main__":
    sys.exit(main())

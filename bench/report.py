"""``bench/RESULTS.md``: the document around the tables, and the profile section.

``write_results`` only reads ``bench/out/results.json`` (and ``bench/out/profile.json`` when
a profile was taken), so the report can be rebuilt without running anything; what the file
keeps of itself (notes written by hand, earlier runs) is ``bench.history``'s.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from bench import history, scenario_tables, tables
from bench.checks import checks
from bench.config import BENCH_DIR, OUT_DIR, Json
from bench.findings import CHANGES, missed
from bench.results import Results

RESULTS_MD = BENCH_DIR / "RESULTS.md"
PROFILE_JSON = OUT_DIR / "profile.json"


def _profile(profile: Json | None) -> list[str]:
    if not profile:
        return ["No profile yet: run `python -m bench profile`."]
    if "engines" not in profile:  # a profile.json from before several engines were profiled
        profile = {"engines": {profile.get("engine", "?"): profile}}
    first = next(iter(profile["engines"].values()))
    lines = [
        f"py-spy {first.get('py_spy', '?')} sampled each server (1 worker on CPU 0, wrk -c"
        f"{first.get('connections', 32)} on CPU 1) at {first.get('rate', '?')} Hz for "
        f"{first.get('duration_s', 0):.0f} s per path. Only samples where a thread was running "
        "count (an event loop waiting in epoll is idle); shares are of all such samples, every "
        'thread together. "event loop" is time in uvloop/httptools C code under the loop. '
        "Some samples taken while asyncpg resumes a query lack the frames above asyncpg, so "
        "on PostgreSQL the inclusive shares of promptcrafter functions are lower bounds. "
        "Raw collapsed stacks: `bench/out/profile-<engine>-<path>.txt` (speedscope and "
        "flamegraph.pl read them).",
    ]
    for engine, result in profile["engines"].items():
        if "error" in result:
            lines += ["", f"### {engine}: profile failed: `{result['error']}`"]
            continue
        for name, path in result["paths"].items():
            lines += [
                "",
                f"### {engine}, {name} path: {path['request']}",
                "",
                f"{path['samples']:,} samples; {path.get('rps', 0):,.0f} req/s under the "
                "profiler. By thread: "
                + ", ".join(f"{t} {s:.0%}" for t, s in path.get("by_thread", [])[:5])
                + ". By component (innermost frame): "
                + ", ".join(f"{c} {s:.0%}" for c, s in path["by_component"][:7] if s >= 0.01)
                + ".",
                "",
            ]
            lines += tables.markdown_table(
                ["top functions by self time", "file", "self"],
                [[f"`{f}`", f"`{loc}`", f"{s:.1%}"] for f, loc, s in path["self_top"][:12]],
            )
            if path.get("app_inclusive"):
                lines += [""]
                lines += tables.markdown_table(
                    ["promptcrafter functions by inclusive time", "file", "inclusive"],
                    [
                        [f"`{f}`", f"`{loc}`", f"{s:.1%}"]
                        for f, loc, s in path["app_inclusive"][:10]
                    ],
                )
    return lines


def write_results(results: Results, path: Path = RESULTS_MD) -> Path:
    meta = results.meta
    cfg = meta.get("config", {})
    profile = json.loads(PROFILE_JSON.read_text()) if PROFILE_JSON.exists() else None
    date = meta.get("started") or datetime.now(UTC).isoformat(timespec="seconds")
    kept = history.kept_from(path, date)
    lines = [
        history.run_marker(date, history.is_whole(meta.get("argv", []))),
        "# PromptCrafter benchmark",
        "",
        f"Run on {date} (UTC) with `{' '.join(['python -m bench', *meta.get('argv', [])])}`"
        + f"; took {meta.get('elapsed_s', 0) / 60:.1f} min.",
    ]
    if cfg.get("quick"):
        lines += [
            "",
            "**Quick mode**: short runs and small libraries; a smoke test, not the numbers the "
            "targets are about.",
        ]
    busy = tables.noisy(results)
    if busy:
        lines += [
            "",
            f"**Shared machine**: other processes used more than 0.2 cores during {len(busy)} "
            "measurement(s) (see the CPU column), so those numbers are low and the floor may "
            "be too: " + ", ".join(busy[:8]) + ("..." if len(busy) > 8 else "") + ".",
        ]
    lines += ["", history.NOTES_START, *([kept.notes] if kept.notes else []), history.NOTES_END]
    lines += ["", "## Machine", "", *tables.machine(meta), ""]
    lines += [
        "## Method",
        "",
        "- Each server starts on a fresh database (temporary SQLite file, or a new "
        "`bench_<random>` PostgreSQL database dropped afterwards) with "
        "`PROMPTCRAFTER_RATE_LIMIT_ENABLED=false`, and is seeded only through the API.",
        f"- wrk: -c{cfg.get('connections', 32)}, {cfg.get('duration_s', 0):g} s per "
        f"measurement after a {cfg.get('warmup_s', 0):g} s warm-up that is thrown away. "
        "1 worker: the server is pinned to CPU 0, wrk (1 thread) and the harness to CPU 1. "
        "2 workers on a 2-core machine: nothing is pinned and wrk (2 threads) shares the cores "
        "with the server, so the 2-worker numbers understate what two dedicated cores give.",
        "- Floor: `bench/floor.py`, a bare ASGI app answering a fixed prompt JSON, on the same "
        "uvicorn with the same options (uvloop, httptools, no access log) and the same worker "
        "count. \"% of floor\" is an endpoint's req/s over the floor's.",
        f"- `GET /prompts/{{id}}`: random ids among the reader's {cfg.get('reader_prompts', 0):,} "
        "prompts, as their owner. `GET /prompts`: the reader's whole list (the same "
        f"{cfg.get('reader_prompts', 0):,} prompts); MB/s = req/s x body bytes, MB = 10^6 bytes. "
        "`POST /logs`: a ~450-byte output with notes and a score against a random prompt.",
        "- `/search`: a library of made-up words, one word per group of ten prompts, placed in "
        "the title, a tag or only the content. The timed mix: a mixed-case 7-letter piece from "
        "the middle of a word (70%), a common tag plus such a piece (20%), and 3+ character "
        "strings with `%`, `_`, quotes, `*`, `(`, `[` or a backslash that occur nowhere and "
        "must return `[]` (10%); so a query matches about ten prompts at any library size. "
        "Queries of 1-2 characters (which no trigram index can serve) are checked and timed "
        "on their own, not in the mix. Before timing, sampled queries are checked against "
        "SPEC: exact hit set, only the caller's prompts (another user holds prompts with the "
        "same words), title > tag > content then newest (by `createdAt`) for one-word queries, "
        "literal characters. p95 comes from wrk's `done()` hook. The target is judged at the "
        "issue's 32 connections; the 1-connection row is the latency with no queueing.",
        "- CPU column: cores used by the server process tree (and, for PostgreSQL, by all of "
        "PostgreSQL's processes: backends, autovacuum, WAL writer, counting those that exit "
        "during the run) / cores used by every other process on the machine, from /proc "
        "during the measured run (wrk and the harness excluded).",
        "- Memory: RSS of the server's whole process tree, sampled every 20 ms from /proc, "
        "while the largest user's `GET /prompts` and `GET /logs` are streamed three times; "
        "growth = peak - the value just before. MB = 10^6 bytes.",
        "",
        *scenario_tables.METHOD,
        "",
        "## Targets",
        "",
    ]
    lines += tables.markdown_table(
        ["target", "measured", "result"],
        [[c.target, c.measured, f"**{c.status}**"] for c in checks(results)],
    )
    lines += ["", "## Targets of issues 9-12", "", *scenario_tables.targets(results), ""]
    lines += ["## Throughput and latency", "", *tables.throughput(results), ""]
    lines += ["## Search", "", *tables.search(results), ""]
    lines += ["## Memory", "", *tables.memory(results), ""]
    lines += ["## Registry, API keys, UI and operations", ""]
    lines += [*scenario_tables.measurements(results), ""]
    lines += ["## Seeding through the API", "", *tables.seeding(results), ""]
    if results.errors:
        lines += ["## Errors during the run", ""]
        lines += [f"- `{e[:300]}`" for e in results.errors]
        lines.append("")
    lines += ["## Where the time goes", "", *_profile(profile), ""]
    lines += ["## What the profiles changed", "", *CHANGES, ""]
    failed = [(c.target, c.measured) for c in checks(results) if c.status == "FAIL"]
    failed += [(t["target"], t["measured"]) for t in results.targets if t["status"] == "FAIL"]
    lines += ["## Targets missed, and what reaching them would take", "", *missed(failed), ""]
    lines += [
        "## How to rerun",
        "",
        "```sh",
        "make bench                                   # everything, ~30-40 min, writes this file",
        'make bench BENCH_ARGS="--baseline main"     # also main vs the working tree, same run',
        ".venv/bin/python -m bench --quick            # smoke run, a few minutes",
        ".venv/bin/python -m bench --only stats,render --engines sqlite   # some scenarios",
        ".venv/bin/python -m bench --engines sqlite --workers 1 --duration 20",
        ".venv/bin/python -m bench profile            # py-spy of the read and write paths",
        ".venv/bin/python -m bench report             # rebuild this file from bench/out/*.json",
        "```",
        "",
        "Needs wrk (`apt-get install -y wrk`), py-spy (the `[bench]` extra; it needs ptrace "
        "rights, so run as root or with CAP_SYS_PTRACE), `taskset`, and a PostgreSQL server "
        "reachable as `BENCH_PG_ADMIN_URL` (default `postgresql://postgres@127.0.0.1:5432/"
        "postgres`) that may create and drop databases. Raw numbers, server logs and wrk "
        "commands are in `bench/out/` (not committed).",
        "",
        *history.earlier_section(kept.earlier),
    ]
    path.write_text("\n".join(lines))
    return path

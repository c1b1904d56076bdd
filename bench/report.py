"""Machine facts, target checks and ``bench/RESULTS.md``.

``write_results`` only reads ``bench/out/results.json`` (and ``bench/out/profile.json`` when
a profile was taken), so the report can be rebuilt without running anything.
"""

from __future__ import annotations

import json
import os
import platform
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import wrk
from bench.server import PG_ADMIN_URL, pg_info

if TYPE_CHECKING:
    from bench.runner import Config, Results

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_MD = BENCH_DIR / "RESULTS.md"
PROFILE_JSON = BENCH_DIR / "out" / "profile.json"
MB = 1_000_000
Json = dict[str, Any]

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
        },
        "argv": sys.argv[1:],
    }


# --------------------------------------------------------------------------- targets


@dataclass
class Check:
    target: str
    measured: str
    status: str  # PASS, FAIL or n/a


def _run(results: Results, engine: str, workers: int, endpoint: str) -> Json | None:
    for row in results.runs:
        key = (row["engine"], row["workers"], row["endpoint"])
        if key == (engine, workers, endpoint) and row.get("wrk"):
            return row
    return None


def _ok(row: Json) -> bool:
    w = row["wrk"]
    return bool(w["requests"]) and w["errors"] / w["requests"] <= 0.01


def _floor_rps(results: Results, workers: int) -> float | None:
    floor = results.floor.get(str(workers))
    return float(floor["rps"]) if floor else None


def _share(results: Results, row: Json) -> float | None:
    floor = _floor_rps(results, row["workers"])
    return row["wrk"]["rps"] / floor if floor else None


def _status(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def _search_row(results: Results, engine: str, size: int, conns: int) -> Json | None:
    for row in results.search:
        if (row["engine"], row["size"], row["connections"]) == (engine, size, conns):
            return row
    return None


def checks(results: Results) -> list[Check]:
    out: list[Check] = []
    label = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    goals = (
        ("GET /prompts/{id}", {"sqlite": 0.12, "postgresql": 0.07}),
        ("POST /logs", {"sqlite": 0.06, "postgresql": 0.03}),
    )
    for endpoint, by_engine in goals:
        for engine, goal in by_engine.items():
            target = f"{endpoint}, {label[engine]}, 1 worker: >= {goal:.0%} of floor"
            row = _run(results, engine, 1, endpoint)
            share = _share(results, row) if row else None
            if row is None or share is None:
                out.append(Check(target, "not measured", "n/a"))
                continue
            measured = f"{share:.1%} ({row['wrk']['rps']:,.0f} req/s)"
            if not _ok(row):
                out.append(Check(target, measured + f", {row['wrk']['errors']} errors", "FAIL"))
                continue
            out.append(Check(target, measured, _status(share >= goal)))

    for engine in ("sqlite", "postgresql"):
        row = _run(results, engine, 1, "GET /prompts")
        target = f"GET /prompts, {label[engine]}, 1 worker, 1,000 prompts: >= 50 MB/s of JSON"
        if row is None:
            out.append(Check(target, "not measured", "n/a"))
            continue
        mbps = row["json_bps"] / MB
        items = row.get("items", 0)
        measured = f"{mbps:.1f} MB/s ({row['wrk']['rps']:,.0f} req/s x {row['body_bytes']:,} B)"
        ok = _ok(row) and mbps >= 50 and items >= 1000
        out.append(Check(target, measured, _status(ok)))

    cfg = results.meta.get("config", {})
    small, big = cfg.get("search_sizes", [10_000, 100_000])
    conns = max(cfg.get("search_connections", [32]))
    for engine in ("sqlite", "postgresql"):
        if engine not in cfg.get("engines", [engine]):
            continue
        big_row = _search_row(results, engine, big, conns)
        small_row = _search_row(results, engine, small, conns)
        if big_row is None or small_row is None:
            missing = f"{big:,}" if small_row else f"{small:,} and {big:,}"
            out.append(
                Check(f"/search, {label[engine]}", f"not measured at {missing} prompts", "n/a")
            )
            continue
        p95_big = big_row["wrk"]["latency_ms"]["p95"]
        p95_small = small_row["wrk"]["latency_ms"]["p95"]
        errors = big_row["wrk"]["errors"] + small_row["wrk"]["errors"]
        out.append(
            Check(
                f"/search, {label[engine]}, {big:,} prompts, c{conns}: p95 <= 20 ms",
                f"p95 {p95_big:.1f} ms ({big_row['wrk']['rps']:,.0f} req/s)"
                + (f", {errors} errors" if errors else ""),
                _status(p95_big <= 20 and not errors),
            )
        )
        ratio = p95_big / p95_small if p95_small else float("inf")
        out.append(
            Check(
                f"/search, {label[engine]}: p95 at {big:,} <= 3x p95 at {small:,} (c{conns})",
                f"{ratio:.2f}x ({p95_small:.1f} -> {p95_big:.1f} ms)",
                _status(ratio <= 3),
            )
        )
        problems = [p for r in results.search if r["engine"] == engine for p in r["problems"]]
        checked = sum(
            r.get("checked_queries", 0)
            for r in results.search
            if r["engine"] == engine and r["connections"] == conns
        )
        out.append(
            Check(
                f"/search, {label[engine]}: answers follow SPEC (sampled queries)",
                f"{checked} queries checked, {len(set(problems))} problems",
                _status(not problems),
            )
        )

    one = _run(results, "postgresql", 1, "GET /prompts/{id}")
    two = _run(results, "postgresql", 2, "GET /prompts/{id}")
    target = "GET /prompts/{id}, PostgreSQL: 2 workers >= 1.6x 1 worker"
    if one and two:
        ratio = two["wrk"]["rps"] / one["wrk"]["rps"]
        f1, f2 = _floor_rps(results, 1), _floor_rps(results, 2)
        floor_note = f"; the floor itself scales {f2 / f1:.2f}x" if f1 and f2 else ""
        out.append(
            Check(
                target,
                f"{ratio:.2f}x ({one['wrk']['rps']:,.0f} -> {two['wrk']['rps']:,.0f} req/s"
                f"{floor_note})",
                _status(ratio >= 1.6 and _ok(one) and _ok(two)),
            )
        )
    else:
        out.append(Check(target, "not measured", "n/a"))

    for row in results.memory:
        target = (
            f"GET {row['path']}, {label[row['engine']]}, {row['expected_items']:,} items: "
            "RSS growth < 200 MB"
        )
        if "error" in row:
            out.append(Check(target, row["error"], "FAIL"))
            continue
        growth = row["rss_growth"] / MB
        complete = row["items"] == row["expected_items"]
        measured = f"+{growth:.0f} MB (peak {row['rss_peak'] / MB:.0f} MB)"
        if not complete:
            measured += f", returned {row['items']:,} items"
        out.append(Check(target, measured, _status(growth < 200 and complete)))
    return out


# --------------------------------------------------------------------------- markdown


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _machine(meta: Json) -> list[str]:
    m = meta.get("machine", {})
    v = meta.get("versions", {})
    pg = meta.get("postgresql", {})
    lines = [
        f"- CPU: {m.get('cpu', '?')}, nproc {m.get('nproc', '?')}; "
        f"memory {m.get('memory_bytes', 0) / 2**30:.1f} GiB; kernel {m.get('kernel', '?')}",
        f"- Python {v.get('python')}; uvicorn {v.get('uvicorn')} (uvloop {v.get('uvloop')}, "
        f"httptools {v.get('httptools')}); FastAPI {v.get('fastapi')}, Starlette "
        f"{v.get('starlette')}, pydantic {v.get('pydantic')}; SQLAlchemy {v.get('sqlalchemy')}, "
        f"asyncpg {v.get('asyncpg')}, orjson {v.get('orjson')}"
        + (
            f", aiosqlite {v['aiosqlite']}"
            if v.get("aiosqlite", "not installed") != "not installed"
            else ""
        ),
        f"- SQLite {v.get('sqlite')} (the library linked into this Python)",
    ]
    if pg:
        if "error" in pg:
            lines.append(f"- PostgreSQL: {pg['error']}")
        else:
            lines.append(
                f"- PostgreSQL {pg.get('version')} "
                f"(synchronous_commit={pg.get('synchronous_commit')}, fsync={pg.get('fsync')}, "
                f"wal_sync_method={pg.get('wal_sync_method')}, "
                f"shared_buffers={pg.get('shared_buffers')})"
            )
    lines.append(
        f"- wrk {v.get('wrk')}, py-spy {v.get('py-spy')}; promptcrafter {v.get('promptcrafter')} "
        f"at commit {meta.get('git', '?')}"
    )
    return lines


def _cpu(w: Json) -> str:
    cpu = w.get("cpu") or {}
    if not cpu:
        return "-"
    server = cpu.get("server_cores", 0.0)
    db = cpu.get("db_cores", 0.0)
    text = f"{server:.2f}" + (f" + db {db:.2f}" if db else "")
    return text + f" / {cpu.get('foreign_cores', 0.0):.2f}"


def noisy(results: Results, threshold: float = 0.2) -> list[str]:
    """Measurements during which other processes used more than ``threshold`` cores."""
    out: list[str] = []
    for floor in results.floor_runs:
        if floor.get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"floor {floor['workers']}w ({floor.get('pass', '')})")
    for row in results.runs:
        if row["wrk"] and row["wrk"].get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"{row['engine']} {row['workers']}w {row['endpoint']}")
    for row in results.search:
        if row["wrk"].get("cpu", {}).get("foreign_cores", 0.0) > threshold:
            out.append(f"{row['engine']} /search {row['size']:,} c{row['connections']}")
    return out


def _throughput(results: Results) -> list[str]:
    rows: list[list[str]] = []
    for workers, floor in sorted(results.floor.items()):
        passes = [f for f in results.floor_runs if str(f["workers"]) == workers]
        note = "best of " + ", ".join(f"{f['rps']:,.0f}" for f in passes) if len(passes) > 1 else ""
        rows.append(
            [
                "floor (bare ASGI)",
                workers,
                "GET (fixed prompt)",
                f"{floor['rps']:,.0f}",
                _ms(floor["latency_ms"].get("p50")),
                _ms(floor["latency_ms"].get("p99")),
                "100%",
                _cpu(floor),
                note,
                str(floor["errors"]),
            ]
        )
    for row in results.runs:
        w = row["wrk"]
        share = _share(results, row)
        extra = ""
        if row["endpoint"] == "GET /prompts":
            extra = f"{row['json_bps'] / MB:.1f} MB/s JSON, {row.get('items', '?')} items"
        elif row.get("body_bytes"):
            extra = f"{row['body_bytes']} B body"
        if row.get("shared"):
            extra = (extra + "; " if extra else "") + "shares cores with wrk"
        rows.append(
            [
                row["engine"],
                str(row["workers"]),
                row["endpoint"],
                f"{w['rps']:,.0f}",
                _ms(w["latency_ms"].get("p50")),
                _ms(w["latency_ms"].get("p99")),
                "-" if share is None else f"{share:.1%}",
                _cpu(w),
                extra,
                str(w["errors"]),
            ]
        )
    header = [
        "engine",
        "workers",
        "endpoint",
        "req/s",
        "p50 ms",
        "p99 ms",
        "% of floor",
        "CPU cores: server / other",
        "notes",
        "errors",
    ]
    return _table(header, rows)


def _search(results: Results) -> list[str]:
    rows = [
        [
            r["engine"],
            f"{r['size']:,}",
            str(r["connections"]),
            f"{r['wrk']['rps']:,.0f}",
            _ms(r["wrk"]["latency_ms"].get("p50")),
            _ms(r["wrk"]["latency_ms"].get("p95")),
            _ms(r["wrk"]["latency_ms"].get("p99")),
            str(r["wrk"]["errors"]),
        ]
        for r in results.search
    ]
    lines = _table(
        ["engine", "prompts", "connections", "req/s", "p50 ms", "p95 ms", "p99 ms", "errors"],
        rows,
    )
    if results.search_kinds:
        lines += [
            "",
            "Unloaded latency by kind of query (one request at a time, up to 40 queries of each "
            "kind; share = part of the timed mix):",
            "",
        ]
        lines += _table(
            ["engine", "prompts", "kind", "share", "p50 ms", "p95 ms", "max ms", "hits/query"],
            [
                [
                    k["engine"],
                    f"{k['size']:,}",
                    k["kind"],
                    f"{k['share']:.0%}",
                    _ms(k["p50"]),
                    _ms(k["p95"]),
                    _ms(k["max"]),
                    f"{k['avg_hits']:.1f}",
                ]
                for k in results.search_kinds
            ],
        )
    problems = sorted({p for r in results.search for p in r["problems"]})
    if problems:
        lines += ["", "Problems found by the answer check (first 10):", ""]
        lines += [f"- `{p}`" for p in problems[:10]]
    for engine, ev in sorted(results.evidence.items()):
        lines += ["", f"Index evidence, {engine}:", ""]
        search_like = ("search", "fts", "trgm", "trigram", "tsvector", "gin", "gist")
        if "indexes" in ev:
            found = [i for i in ev["indexes"] if any(w in i["def"].lower() for w in search_like)]
            lines += [f"- search index: `{i['def']}`" for i in found]
            if not found:
                lines.append("- no GIN/GiST/trigram/full-text index on any table")
            for key, scans in sorted(ev.items()):
                if not key.startswith("scans_during_search_"):
                    continue
                size = int(key.rsplit("_", 1)[1])
                idx = scans.get("idx_scan", {})
                seq = scans.get("seq_scan", {})
                used = ", ".join(f"{i['name']} {idx.get(i['name'], 0):,}" for i in found)
                others = ", ".join(
                    f"{k} {v:,}" for k, v in idx.items() if k not in {i["name"] for i in found}
                )
                lines.append(
                    f"- scans while the {size:,}-prompt library was searched: "
                    f"search index(es) {used or '-'}; other indexes {others or 'none'}; "
                    f"sequential {', '.join(f'{k} {v:,}' for k, v in seq.items()) or 'none'}"
                )
        if "objects" in ev:
            lines.append(f"- journal_mode={ev.get('journal_mode')}")
            lines += [
                f"- {o['type']} `{o['name']}`: `{o['sql'][:160]}`"
                for o in ev["objects"]
                if o["sql"]
                and (
                    o["table"] in {"prompts", "prompt_search"}
                    or any(w in o["sql"].lower() for w in ("fts", "trigram"))
                )
            ]
    return lines


def _memory(results: Results) -> list[str]:
    rows = []
    for r in results.memory:
        if "error" in r:
            rows.append(
                [r["engine"], r["path"], f"{r['expected_items']:,}", r["error"], "", "", "", ""]
            )
            continue
        rows.append(
            [
                r["engine"],
                r["path"],
                f"{r['items']:,}",
                f"{r['bytes'] / MB:.1f}",
                f"{min(r['seconds']):.2f}",
                f"{r['rss_baseline'] / MB:.0f}",
                f"{r['rss_peak'] / MB:.0f}",
                f"+{r['rss_growth'] / MB:.0f}",
            ]
        )
    return _table(
        [
            "engine",
            "request",
            "items",
            "body MB",
            "best s",
            "RSS before MB",
            "RSS peak MB",
            "growth MB",
        ],
        rows,
    )


def _seeding(results: Results) -> list[str]:
    rows = [
        [
            s["engine"],
            str(s["workers"]),
            s["label"],
            f"{s['count']:,}",
            f"{s['seconds']:.1f}",
            f"{s['rate']:,.0f}",
        ]
        for s in results.seeding
    ]
    return _table(["engine", "workers", "what", "count", "seconds", "per second"], rows)


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
            lines += _table(
                ["top functions by self time", "file", "self"],
                [[f"`{f}`", f"`{loc}`", f"{s:.1%}"] for f, loc, s in path["self_top"][:12]],
            )
            if path.get("app_inclusive"):
                lines += [""]
                lines += _table(
                    ["promptcrafter functions by inclusive time", "file", "inclusive"],
                    [
                        [f"`{f}`", f"`{loc}`", f"{s:.1%}"]
                        for f, loc, s in path["app_inclusive"][:10]
                    ],
                )
    return lines


# Written by hand: what earlier runs of this benchmark and its profiles led to, with the
# measurement each change was judged by (the commits say the same).
CHANGES = [
    "- **FastAPI's per-request machinery cost more than the database work** (py-spy: routing "
    "through included routers, dependency solving and the inner middleware stack were about "
    "half of a `GET /prompts/{id}`). Routes are added flat, `CurrentUser` is one dependency, "
    "and `GET /prompts/{id}`, `GET /search` and valid `POST /logs` bodies are answered by a "
    "lean ASGI path calling the same functions (`src/promptcrafter/api/fastpath.py`). "
    "`GET /prompts/{id}` on SQLite went from about 14% to about 34% of the floor per "
    "CPU-second; `POST /logs` from 3,245 to 6,555 requests per CPU-second.",
    "- **Timestamp formatting** (`strftime`, 3.7% of a read) is cached per second.",
    "- **One- and two-character search terms scanned the whole library** (74 ms each at "
    "100,000 prompts, enough to saturate the core: SQLite p95 at 32 connections was 2.4 s). "
    "They are now answered through the FTS5 vocabulary on SQLite and, on PostgreSQL, first a "
    "GIN index of characters, since replaced by the index of word pieces (below); scans that "
    "remain run off the event loop.",
    "- **PostgreSQL planned search with a cached generic plan and priced LIKE over kilobytes "
    "of text as one cheap comparison**, so it scanned instead of using the trigram index "
    "(17 ms against 1.2 ms in EXPLAIN ANALYZE at 6,000 prompts). Search runs on a pool with "
    "`plan_cache_mode=force_custom_plan` and `cpu_operator_cost=0.05`.",
    "- **Listings ordered by insertion sequence disagreed with `createdAt`** under concurrent "
    "writers (the answer check caught it); they are ordered by `(created_at, seq)`.",
    "- **PostgreSQL search missed its target by 17x** (p95 338 ms at 100,000 prompts, "
    "`make bench` at d581132): pg_trgm ignores punctuation, so `a%e`, `it's` or `[a-z]` were "
    "narrowed by a character index that common letters defeat, and `(write` by the common "
    "word alone. Migration 0005 replaces both indexes with one GIN index over the 1-, 2- and "
    "3-character pieces of every word, punctuation included; `LIKE` still decides each match. "
    "Unloaded p50 at 100,000 prompts: literal-character queries 34 -> 0.7 ms, fragments "
    "2.2 -> 0.8 ms, tag + fragment 3.9 -> 0.9 ms.",
    "- **Common pieces cost more than they narrow**: `vintage pasogik` asks the index for ten "
    "pieces, three of them in 19-53% of prompts. The server reads the statistics ANALYZE "
    "keeps for the index (`pg_stats.most_common_elems`, what the planner uses) and leaves "
    "such pieces out, or the index entirely when every piece is common. `python -m "
    "bench.search_lab explain` on the 100,000-prompt lab library: 0.81 ms with every piece, "
    "0.07 ms with the six rare ones; for `e`, 14.3 s with the index condition (the planner "
    "checks it row by row) and 0.15 s without.",
    "- **Searches queued for PostgreSQL connections**: the search pool had half the main "
    "pool's 10 connections. `python -m bench.search_lab run --engine postgresql`: p95 at 32 "
    "connections 16.0 ms with ten, 23.9 ms with `--env PROMPTCRAFTER_DATABASE_POOL_SIZE=5`.",
    "- **Every search reread the GIN pending list**: a library built through the API left up "
    "to 4 MB of new entries unmerged, and `make bench` at 94ea0ff measured 1,477 searches a "
    "second at 100,000 prompts (p95 35 ms). The index now has a 64 kB pending list; at "
    "e1171c9 the same run gave 3,285 a second (p95 15 ms). An insert costs about 0.2 ms more.",
]
MISSED = [
    "- **2 PostgreSQL workers >= 1.6x one.** Not reachable on 2 cores. One worker serving "
    "`GET /prompts/{id}` at 5,880 requests a second used 0.96 core of its own and 0.53 of "
    "PostgreSQL, and wrk with the harness 0.12 (`load_cores` in results.json): about 163 us "
    "of server, 90 us of database and 21 us of load generator per request. Two workers must "
    "fit all three into the same two cores, so even with no cost for sharing them the "
    "ceiling is 2 / (163 + 90 + 21 us) = 7,300 requests a second, 1.24x; measured 0.83x, "
    "while the bare floor itself scales 1.25x. The ratio needs the "
    "server to cost at least four times what the database and the load generator cost per "
    "request, or cores for PostgreSQL and wrk that the server does not share. Caching reads "
    "in the worker would remove the database time, but logout and password changes must take "
    "effect at once on every worker, so a cache would trade a guarantee for a benchmark.",
]


def write_results(results: Results, path: Path = RESULTS_MD) -> Path:
    meta = results.meta
    cfg = meta.get("config", {})
    profile = json.loads(PROFILE_JSON.read_text()) if PROFILE_JSON.exists() else None
    date = meta.get("started") or datetime.now(UTC).isoformat(timespec="seconds")
    lines = [
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
    busy = noisy(results)
    if busy:
        lines += [
            "",
            f"**Shared machine**: other processes used more than 0.2 cores during {len(busy)} "
            "measurement(s) (see the CPU column), so those numbers are low and the floor may "
            "be too: " + ", ".join(busy[:8]) + ("..." if len(busy) > 8 else "") + ".",
        ]
    lines += ["", "## Machine", "", *_machine(meta), ""]
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
        "## Targets",
        "",
    ]
    lines += _table(
        ["target", "measured", "result"],
        [[c.target, c.measured, f"**{c.status}**"] for c in checks(results)],
    )
    lines += ["", "## Throughput and latency", "", *_throughput(results), ""]
    lines += ["## Search", "", *_search(results), ""]
    lines += ["## Memory", "", *_memory(results), ""]
    lines += ["## Seeding through the API", "", *_seeding(results), ""]
    if results.errors:
        lines += ["## Errors during the run", ""]
        lines += [f"- `{e[:300]}`" for e in results.errors]
        lines.append("")
    lines += ["## Where the time goes", "", *_profile(profile), ""]
    lines += ["## What the profiles changed", "", *CHANGES, ""]
    lines += ["## Targets missed, and what reaching them would take", "", *MISSED, ""]
    lines += [
        "## How to rerun",
        "",
        "```sh",
        "make bench                                   # full matrix, ~10-15 min, writes this file",
        ".venv/bin/python -m bench --quick            # smoke run, ~1-2 min",
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
    ]
    path.write_text("\n".join(lines))
    return path

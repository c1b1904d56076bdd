"""The issue's targets, each judged PASS, FAIL or n/a from a run's results."""

from __future__ import annotations

from dataclasses import dataclass

from bench.config import Json
from bench.results import MB, Results


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


def floor_share(results: Results, row: Json) -> float | None:
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
            share = floor_share(results, row) if row else None
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

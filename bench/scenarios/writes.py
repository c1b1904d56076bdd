"""SQLite with 2 workers against 1 (issue 12, part 1): ``POST /logs`` from 48 connections.

Each side gets its own server on a fresh file. A measured run posts to a prompt of its own
(the warm-up to another), counting answers by status in wrk; afterwards the prompt's logs are
read back through the API, so every acknowledged (201) log must be among them. A few more may
be stored than acknowledged: requests in flight when wrk stops can commit unanswered.
"""

from __future__ import annotations

import contextlib

from bench import wrk
from bench.config import Config
from bench.results import Results
from bench.session import Session
from bench.variants import measure_on, no_warmup, open_session, record


async def _prompt_file(s: Session, token_label: str, n: int) -> tuple[str, str]:
    user = s.user_cache[token_label]
    made = await s.api.create_many(
        "/prompts", user, [{"title": f"Write target {n}", "content": "x", "model": "m"}], 1
    )
    path = s.files / f"write-{s.server.port}-{n}.txt"
    path.write_text(made.ids[0] + "\n")
    return made.ids[0], str(path)


async def _one_pass(cfg: Config, s: Session, n: int) -> tuple[wrk.WrkResult, int]:
    """Warm up, then one measured run; returns it and the number of its logs stored."""
    token = s.user_cache["writer"].token
    _, warm = await _prompt_file(s, "writer", 2 * n)
    pid, ids = await _prompt_file(s, "writer", 2 * n + 1)
    conns = cfg.write_connections
    if cfg.warmup_s > 0:
        await measure_on(
            s,
            "post_log",
            {"BENCH_TOKEN": token, "BENCH_IDS_FILE": warm},
            cfg=no_warmup(cfg),
            connections=conns,
            duration_s=cfg.warmup_s,
        )
    result = await measure_on(
        s,
        "post_log_checked",
        {"BENCH_TOKEN": token, "BENCH_IDS_FILE": ids},
        cfg=no_warmup(cfg),
        connections=conns,
        duration_s=cfg.write_seconds,
    )
    stored = await s.api.get_json(f"/logs?promptId={pid}", s.user_cache["writer"])
    return result, len(stored)


async def run(cfg: Config, results: Results) -> None:
    async with contextlib.AsyncExitStack() as stack:
        sides: dict[int, Session] = {}
        for workers in (1, 2):
            s = await stack.enter_async_context(
                open_session(cfg, results, "sqlite", f"writes-{workers}w", workers=workers)
            )
            s.user_cache["writer"] = await s.api.signup("writer")
            sides[workers] = s
        best: dict[int, wrk.WrkResult] = {}
        fivexx = {1: 0, 2: 0}
        lost = {1: 0, 2: 0}
        for n in range(cfg.write_rounds):
            for workers, s in sides.items():
                result, stored = await _one_pass(cfg, s, n)
                acked = result.statuses.get("acked", 0)
                fivexx[workers] += result.statuses.get("5xx", 0)
                lost[workers] += max(0, acked - stored)
                record(
                    results,
                    "workers",
                    s,
                    f"{workers} worker(s)",
                    result,
                    round=n,
                    endpoint="POST /logs",
                    connections=cfg.write_connections,
                    acked=acked,
                    stored=stored,
                    statuses=result.statuses,
                )
                if workers not in best or result.rps > best[workers].rps:
                    best[workers] = result
    one, two = best[1], best[2]
    tail = f"{cfg.write_rounds} run(s) of {cfg.write_seconds:g} s, c{cfg.write_connections}"
    results.target(
        "workers",
        "SQLite, 2 workers, POST /logs: zero 5xx",
        f"{fivexx[2]} answers 5xx ({tail}); 1 worker: {fivexx[1]}",
        fivexx[2] == 0,
    )
    p99 = two.p(99) or 0.0
    results.target(
        "workers",
        "SQLite, 2 workers, POST /logs: p99 <= 100 ms",
        f"p99 {p99:.1f} ms (1 worker: {one.p(99) or 0:.1f} ms)",
        p99 <= 100,
    )
    r = two.rps / one.rps if one.rps else 0.0
    results.target(
        "workers",
        "SQLite, POST /logs: 2 workers >= 0.95x 1 worker (same run)",
        f"{r:.2f}x ({one.rps:,.0f} -> {two.rps:,.0f} req/s)",
        r >= 0.95,
    )
    results.target(
        "workers",
        "SQLite, POST /logs: every acknowledged log is stored",
        f"{lost[2]} lost with 2 workers, {lost[1]} with 1 (acknowledged vs read back)",
        lost[1] == 0 and lost[2] == 0,
    )

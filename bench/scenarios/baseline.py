"""The working tree against another commit (``--baseline COMMIT``), on each engine: the hot
read (authenticated ``GET /prompts/{id}``) and write (``POST /logs``), interleaved in one run.

Issue 9 allows 5%: new/baseline >= 0.95 on both. Each side has its own fresh database and
server, seeded alike; only one side is loaded at a time.
"""

from __future__ import annotations

import contextlib

from bench import baseline
from bench.config import Config
from bench.results import Results
from bench.variants import Side, interleave, open_session, ratio, reader_library

LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


async def run(cfg: Config, results: Results, engine: str) -> None:
    assert cfg.baseline is not None
    sha, command = baseline.install(cfg.baseline)
    results.meta["baseline"] = sha
    async with contextlib.AsyncExitStack() as stack:
        new = await stack.enter_async_context(open_session(cfg, results, engine, "new"))
        old = await stack.enter_async_context(
            open_session(cfg, results, engine, f"baseline-{sha[:12]}", command=command)
        )
        sides = []
        for label, s in (("new", new), (f"baseline {sha[:12]}", old)):
            user, ids = await reader_library(s, "reader", cfg.reader_prompts)
            sides.append(Side(label, s, {"BENCH_TOKEN": user.token, "BENCH_IDS_FILE": str(ids)}))
        for endpoint, script in (("GET /prompts/{id}", "get_prompt"), ("POST /logs", "post_log")):
            best = await interleave("baseline", sides, script, cfg.rounds, endpoint=endpoint)
            r = ratio(best["new"], best[sides[1].label])
            floor = results.floor.get("1", {}).get("rps")
            shares = (
                f"; of the floor: new {best['new'].rps / floor:.1%}, baseline "
                f"{best[sides[1].label].rps / floor:.1%}"
                if floor
                else ""
            )
            results.target(
                "baseline",
                f"{endpoint}, {LABEL[engine]}: new >= 0.95x baseline {sha[:12]} (same run)",
                f"{r:.3f}x ({best[sides[1].label].rps:,.0f} -> {best['new'].rps:,.0f} req/s"
                f"{shares})"
                if r
                else "not measured",
                None if r is None else r >= 0.95,
            )

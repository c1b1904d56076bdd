"""The working tree against another commit (``--baseline COMMIT``), on each engine: the hot
read (authenticated ``GET /prompts/{id}``) and write (``POST /logs``), interleaved in one run.

Issue 9 allows 5%: new/baseline >= 0.95 on both. Each side has its own fresh database and
server, seeded alike; only one side is loaded at a time. A changing ``PATCH`` is measured the
same way, for information: it is what versions cost (a snapshot row per edit), and it says
how much of the PATCH figure the baseline already spent.
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
        for endpoint, script in (
            ("GET /prompts/{id}", "get_prompt"),
            ("POST /logs", "post_log"),
            ("PATCH /prompts/{id}", "patch_prompt"),
        ):
            median = await interleave("baseline", sides, script, cfg.rounds, endpoint=endpoint)
            r = ratio(median["new"], median[sides[1].label])
            floor = results.floor.get("1", {}).get("rps")
            shares = (
                f"; of the floor: new {median['new'].rps / floor:.1%}, baseline "
                f"{median[sides[1].label].rps / floor:.1%}"
                if floor
                else ""
            )
            judged = endpoint != "PATCH /prompts/{id}"
            goal = "new >= 0.95x" if judged else "new/baseline (information)"
            results.target(
                "baseline",
                f"{endpoint}, {LABEL[engine]}: {goal} baseline {sha[:12]} (same run)",
                f"{r:.3f}x ({median[sides[1].label].rps:,.0f} -> {median['new'].rps:,.0f} req/s"
                f"{shares})"
                if r
                else "not measured",
                None if r is None or not judged else r >= 0.95,
            )

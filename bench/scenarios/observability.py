"""Metrics and JSON logs on against off (issue 12, part 3), for the hot read
(authenticated ``GET /prompts/{id}``): each may cost at most 5% when on.

Three servers on fresh databases of one engine: defaults, ``PROMPTCRAFTER_METRICS_ENABLED=
true`` and ``PROMPTCRAFTER_LOG_FORMAT=json``, measured in turn. A side whose server ignores
its setting (no ``/metrics``, no JSON line in its log) is skipped as not available.
"""

from __future__ import annotations

import contextlib
import json

from bench.config import Config
from bench.results import Results
from bench.session import Session
from bench.variants import Side, interleave, open_session, ratio, reader_library

LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
VARIANTS = {
    "off": {},
    "metrics on": {"PROMPTCRAFTER_METRICS_ENABLED": "true"},
    "JSON logs on": {"PROMPTCRAFTER_LOG_FORMAT": "json"},
}


async def _works(variant: str, s: Session) -> str | None:
    """Why the variant is not available at this commit, or None when it is."""
    if variant == "metrics on":
        response = await s.api.client.get("/metrics")
        if response.status_code != 200 or "# TYPE" not in response.text:
            return f"GET /metrics answers {response.status_code} with metrics enabled"
    if variant == "JSON logs on":
        for line in s.server.log_tail(200).splitlines():
            with contextlib.suppress(ValueError):
                if isinstance(json.loads(line), dict):
                    return None
        return "no JSON log line from the server with PROMPTCRAFTER_LOG_FORMAT=json"
    return None


async def run(cfg: Config, results: Results, engine: str) -> None:
    async with contextlib.AsyncExitStack() as stack:
        sides: list[Side] = []
        for variant, env in VARIANTS.items():
            label = "obs-" + variant.split()[0].lower()
            s = await stack.enter_async_context(open_session(cfg, results, engine, label, env=env))
            user, ids = await reader_library(s, "reader", cfg.reader_prompts)
            why = await _works(variant, s)
            if why:
                results.skip(
                    "observability", engine, f"{variant}: not available at this commit ({why})"
                )
                continue
            sides.append(Side(variant, s, {"BENCH_TOKEN": user.token, "BENCH_IDS_FILE": str(ids)}))
        if len(sides) < 2:
            return
        median = await interleave(
            "observability", sides, "get_prompt", cfg.rounds, endpoint="GET /prompts/{id}"
        )
        for side in sides[1:]:
            r = ratio(median[side.label], median["off"])
            results.target(
                "observability",
                f"GET /prompts/{{id}}, {LABEL[engine]}, {side.label}: >= 0.95x off (same run)",
                f"{r:.3f}x ({median['off'].rps:,.0f} -> {median[side.label].rps:,.0f} req/s)"
                if r
                else "not measured",
                None if r is None else r >= 0.95,
            )

"""Servers started for one comparison, and measurements interleaved between them.

A comparison (new code against a baseline, metrics on against off, an API key against a
JWT, 2 workers against 1) keeps every side's server running and measures them in turn,
``rounds`` times, so that whatever else the machine does falls on all sides alike; only
ratios from the same run are reported.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html.parser
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import corpus, seed, wrk
from bench.config import Config, Json, log
from bench.databases import Database, pg_postmaster_pid
from bench.load import LoadPlan, all_cpus, measure, pinned
from bench.results import Results
from bench.server import Server, new_secret, running
from bench.session import Session


@contextlib.asynccontextmanager
async def open_session(
    cfg: Config,
    results: Results,
    engine: str,
    label: str,
    *,
    workers: int = 1,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
) -> AsyncIterator[Session]:
    """A fresh database and a started server for it, as a :class:`Session`."""
    plan = LoadPlan.for_workers(workers)
    files = cfg.out_dir / "work"
    files.mkdir(parents=True, exist_ok=True)
    async with contextlib.AsyncExitStack() as stack:
        # Database and pg_postmaster_pid run their own event loop for PostgreSQL: a thread.
        db = Database(engine)
        await asyncio.to_thread(db.__enter__)
        stack.push_async_callback(asyncio.to_thread, db.__exit__, None, None, None)
        server = Server.promptcrafter(
            db.url,
            workers=workers,
            cpus=plan.server_cpus,
            log_path=cfg.out_dir / f"server-{engine}-{label}.log",
            secret_key=new_secret(),
            extra_env=env,
            command=command,
        )
        stack.enter_context(running(server, timeout_s=90))
        api = seed.Api(server.base_url, concurrency=cfg.seed_concurrency)
        stack.push_async_callback(api.close)
        session = Session(cfg, engine, plan, server, db, results, api, files)
        if engine == "postgresql":
            session.db_root = await asyncio.to_thread(pg_postmaster_pid, db.admin_url)
        yield session


def _measure_pinned(s: Session, script: str, env: dict[str, str], kw: dict[str, Any]) -> Any:
    # Affinity is per thread: this one (and the wrk it starts) runs where the plan says.
    with pinned(s.plan.load_cpus or all_cpus()):
        cfg = kw.pop("cfg", s.cfg)
        return measure(
            cfg,
            s.plan,
            s.server.base_url,
            script,
            env,
            server_pid=s.server.pid,
            db_root=s.db_root,
            **kw,
        )


async def measure_on(s: Session, script: str, env: dict[str, str], **kw: Any) -> wrk.WrkResult:
    """:meth:`Session.load`, with the harness pinned as this session's plan wants."""
    result: wrk.WrkResult = await asyncio.to_thread(_measure_pinned, s, script, env, dict(kw))
    return result


def no_warmup(cfg: Config) -> Config:
    return dataclasses.replace(cfg, warmup_s=0.0)


@dataclass
class Side:
    """One side of a comparison: a label, its server and the script's environment."""

    label: str
    session: Session
    env: dict[str, str]


def record(
    results: Results, scenario: str, s: Session, variant: str, result: wrk.WrkResult, **extra: Any
) -> Json:
    row: Json = {
        "scenario": scenario,
        "engine": s.engine,
        "variant": variant,
        "workers": s.plan.workers,
        "shared": s.plan.shared,
        "wrk": result.to_json(),
        "connections": s.cfg.connections,
        **extra,
    }
    results.scenarios.append(row)
    results.save()
    log(
        f"  {scenario} {s.engine} {variant}: {result.rps:,.0f} req/s, p50 {result.p(50) or 0:.2f}"
        f" ms, p95 {result.p(95) or 0:.2f} ms, p99 {result.p(99) or 0:.2f} ms, "
        f"errors {result.errors}"
    )
    return row


async def interleave(
    scenario: str, sides: list[Side], script: str, rounds: int, **extra: Any
) -> dict[str, wrk.WrkResult]:
    """Measure every side ``rounds`` times in turn, ``pass_s`` seconds each; the median pass
    of each side counts (the lower one of an even count).

    This machine's speed moves by a third within a minute and back (one server's three
    10-second passes of one run: 17,065, 12,615 and 17,416 req/s, on 2026-12-02), so the best
    of a few long passes ranked the sides by which of them met a fast moment. Many short passes
    in turn give every side samples of the fast and the slow moments, and their median is not
    moved by one outlier. Only the first pass of each side warms up.

    Each pass starts one side later than the one before (a, b, c; then b, c, a; ...), so that
    no side always runs first or last in a pass: unrotated, whatever the machine does after a
    side has run counted against whichever side came next."""
    passes: dict[str, list[wrk.WrkResult]] = {}
    for n in range(rounds):
        start = n % len(sides)
        for side in sides[start:] + sides[:start]:
            cfg = side.session.cfg
            result = await measure_on(
                side.session,
                script,
                side.env,
                duration_s=cfg.pass_s,
                cfg=cfg if n == 0 else no_warmup(cfg),
            )
            record(
                side.session.results, scenario, side.session, side.label, result, round=n, **extra
            )
            passes.setdefault(side.label, []).append(result)
    return {label: median_pass(results) for label, results in passes.items()}


def median_pass(results: list[wrk.WrkResult]) -> wrk.WrkResult:
    ranked = sorted(results, key=lambda result: result.rps)
    return ranked[(len(ranked) - 1) // 2]


async def reader_library(s: Session, label: str, count: int) -> tuple[seed.User, Path]:
    """A user with ``count`` prompts shaped like the floor's, and a file of their ids."""
    user = await s.api.signup(label)
    created = await s.api.create_many(
        "/prompts", user, (corpus.reader_prompt(i) for i in range(count)), count
    )
    ids_file = s.files / f"ids-{s.engine}-{label}-{s.server.port}.txt"
    ids_file.write_text("\n".join(created.ids) + "\n")
    return user, ids_file


async def openapi_paths(s: Session) -> dict[str, Any]:
    """The routes the server under test documents (``{}`` when it documents none)."""
    response = await s.api.client.get("/openapi.json")
    if response.status_code != 200:
        return {}
    paths: dict[str, Any] = response.json().get("paths", {})
    return paths


def has_route(paths: dict[str, Any], method: str, prefix: str, suffix: str) -> bool:
    """Whether a documented route starts with ``prefix`` and ends with ``suffix`` (the path
    parameter's name in between is the server's choice)."""
    return any(
        p.startswith(prefix) and p.endswith(suffix) and method.lower() in ops
        for p, ops in paths.items()
    )


def ratio(a: wrk.WrkResult | None, b: wrk.WrkResult | None) -> float | None:
    return a.rps / b.rps if a and b and b.rps else None


class PageParser(html.parser.HTMLParser):
    """Forms, inputs, links, scripts and stylesheets of one HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Json] = []
        self.inputs: list[dict[str, str]] = []
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({**a, "inputs": []})
        elif tag in ("input", "textarea", "select", "button"):
            field = {"tag": tag, **a}
            self.inputs.append(field)
            if self.forms:
                self.forms[-1]["inputs"].append(field)
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"])
        elif tag == "link" and "stylesheet" in a.get("rel", "") and a.get("href"):
            self.assets.append(a["href"])


def parse_page(text: str) -> PageParser:
    parser = PageParser()
    parser.feed(text)
    return parser

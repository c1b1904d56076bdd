"""The prompt registry (issue 9): a ``PATCH`` that makes a version, ``/stats`` over many logs,
and ``render`` of a large template. Each runs on the 1-worker session of its engine, as its
own user, and is skipped when the server under test lacks the feature."""

from __future__ import annotations

import json
import random
from typing import Any

from bench import corpus, seed
from bench.config import log
from bench.databases import pg_query_async
from bench.session import Session
from bench.variants import has_route, measure_on, openapi_paths, record

LABEL = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
STATS_MODELS = corpus.MODELS[:5]


async def _versions_work(s: Session, user: seed.User) -> bool:
    """Whether a changing PATCH moves the prompt's ``version`` on this server."""
    made = await s.api.client.post(
        "/prompts",
        json={"title": "Probe", "content": "a", "model": "m"},
        headers=s.api.auth(user.token),
    )
    before = made.json().get("version")
    changed = await s.api.client.patch(
        f"/prompts/{made.json()['_id']}", json={"content": "b"}, headers=s.api.auth(user.token)
    )
    after = changed.json().get("version") if changed.status_code == 200 else None
    return isinstance(before, int) and after == before + 1


async def patch(s: Session) -> None:
    cfg = s.cfg
    user = await s.api.signup("patcher")
    versions = await _versions_work(s, user)
    created = await s.api.create_many(
        "/prompts",
        user,
        (corpus.reader_prompt(i) for i in range(cfg.reader_prompts)),
        cfg.reader_prompts,
    )
    ids = s.files / f"patch-ids-{s.engine}.txt"
    ids.write_text("\n".join(created.ids) + "\n")
    result = await measure_on(
        s, "patch_prompt", {"BENCH_TOKEN": user.token, "BENCH_IDS_FILE": str(ids)}
    )
    record(
        s.results,
        "patch",
        s,
        "changing content",
        result,
        endpoint="PATCH /prompts/{id}",
        versions=versions,
    )
    goal = {"sqlite": 0.08, "postgresql": 0.04}[s.engine]
    floor = s.results.floor.get("1", {}).get("rps")
    target = f"PATCH /prompts/{{id}} making a version, {LABEL[s.engine]}: >= {goal:.0%} of floor"
    if not floor:
        s.results.target("patch", target, f"{result.rps:,.0f} req/s; no floor measured", None)
        return
    share = result.rps / floor
    measured = f"{share:.1%} ({result.rps:,.0f} req/s, {result.errors} errors)"
    if not versions:
        s.results.target(
            "patch", target, measured + "; PATCH makes no version at this commit", None
        )
        return
    s.results.target("patch", target, measured, share >= goal and result.error_share <= 0.01)


def _stats_log(prompt_id: str, n: int, versions: int) -> dict[str, Any]:
    rng = random.Random(f"stats-{n}")
    return {
        "promptId": prompt_id,
        "promptVersion": 1 + n % versions,
        "modelUsed": STATS_MODELS[(n // versions) % len(STATS_MODELS)],
        "output": "An output of a few words.",
        "score": round(rng.uniform(0, 10), 1),
    }


async def stats(s: Session) -> None:
    cfg = s.cfg
    if not has_route(await openapi_paths(s), "get", "/prompts/", "/stats"):
        s.results.skip(
            "stats", s.engine, "not available at this commit (no GET /prompts/{id}/stats)"
        )
        return
    user = await s.api.signup("statistician")
    made = await s.api.client.post(
        "/prompts",
        json={"title": "Stats prompt", "content": "v1", "model": "m"},
        headers=s.api.auth(user.token),
    )
    pid = made.json()["_id"]
    for v in range(2, cfg.stats_versions + 1):
        await s.api.client.patch(
            f"/prompts/{pid}", json={"content": f"v{v}"}, headers=s.api.auth(user.token)
        )
    probe = await s.api.client.post(
        "/logs", json=_stats_log(pid, 0, cfg.stats_versions), headers=s.api.auth(user.token)
    )
    if probe.status_code != 201 or probe.json().get("promptVersion") != 1:
        s.results.skip("stats", s.engine, f"logs do not take promptVersion ({probe.status_code})")
        return
    done = 1
    p50: dict[int, float] = {}
    for size in cfg.stats_logs:
        payloads = (_stats_log(pid, n, cfg.stats_versions) for n in range(done, size))
        _, st = await seed.timed_create(
            s.api, f"stats logs {done}->{size}", "/logs", user, payloads, size - done, log
        )
        s.record_seed(st)
        done = size
        if s.engine == "postgresql":
            # Autovacuum vacuums a table once inserts pass a fifth of its rows (and analyzes
            # it), within its naptime of a minute; a server keeps its tables in that state.
            # Measured right after loading, the index-only scan instead fetches table rows for
            # visibility, or the planner, without statistics, picks another plan (a bitmap or
            # parallel sequential scan, twice the time in EXPLAIN ANALYZE). Measure the
            # vacuumed state, as a deployment has it a minute later.
            await pg_query_async(s.db.url, "VACUUM (ANALYZE) logs")
        body = await s.api.get_json(f"/prompts/{pid}/stats", user)
        counted = body.get("total", {}).get("count")
        env = {"BENCH_TOKEN": user.token, "BENCH_PATH": f"/prompts/{pid}/stats"}
        result = await measure_on(s, "static", env, connections=1)
        record(
            s.results,
            "stats",
            s,
            f"{size:,} logs",
            result,
            endpoint="GET /prompts/{id}/stats",
            logs=size,
            counted=counted,
            connections=1,
        )
        p50[size] = result.p(50) or 0.0
        if size == cfg.stats_logs[-1]:
            p95 = result.p(95) or 0.0
            s.results.target(
                "stats",
                f"GET /prompts/{{id}}/stats, {LABEL[s.engine]}, {size:,} logs, "
                f"{cfg.stats_versions} versions x {len(STATS_MODELS)} models, c1: p95 <= 50 ms",
                f"p95 {p95:.1f} ms; total.count {counted}",
                p95 <= 50 and counted == size and result.errors == 0,
            )
    small, big = cfg.stats_logs
    growth = p50[big] / p50[small] if p50.get(small) else float("inf")
    s.results.target(
        "stats",
        f"GET /prompts/{{id}}/stats, {LABEL[s.engine]}: p50 grows no faster than logs "
        f"({big // small}x)",
        f"{growth:.2f}x ({p50[small]:.2f} -> {p50[big]:.2f} ms)",
        growth <= big / small,
    )


def template(variables: int = 50, size: int = 20_000) -> tuple[str, dict[str, str]]:
    """At least ``size`` characters of prose between placeholders that cycle through
    ``variables`` names (each used several times), and a value for every name."""
    names = [f"var_{i:02d}" for i in range(variables)]
    rng = random.Random("render")
    words = corpus.TAGS + corpus.MODELS
    parts: list[str] = []
    n = 0
    while sum(len(p) for p in parts) < size:
        parts.append(" ".join(rng.choice(words) for _ in range(12)))
        parts.append("{{ " + names[n % variables] + " }}")
        n += 1
    return " ".join(parts), {name: f"value of {name}" for name in names}


async def render(s: Session) -> None:
    user = await s.api.signup("renderer")
    content, values = template()
    made = await s.api.client.post(
        "/prompts",
        json={"title": "Big template", "content": content, "model": "m"},
        headers=s.api.auth(user.token),
    )
    pid = made.json()["_id"]
    body = json.dumps({"variables": values})
    probe = await s.api.client.post(
        f"/prompts/{pid}/render",
        content=body,
        headers={**s.api.auth(user.token), "Content-Type": "application/json"},
    )
    if probe.status_code != 200 or "{{" in probe.json().get("rendered", "{{"):
        s.results.skip(
            "render",
            s.engine,
            "not available at this commit "
            f"(POST /prompts/{{id}}/render answers {probe.status_code})",
        )
        return
    body_file = s.files / f"render-{s.engine}.json"
    body_file.write_text(body)
    env = {
        "BENCH_TOKEN": user.token,
        "BENCH_PATH": f"/prompts/{pid}/render",
        "BENCH_BODY_FILE": str(body_file),
    }
    result = await measure_on(s, "post_body", env, connections=1)
    record(
        s.results,
        "render",
        s,
        f"{len(content):,} chars, {len(values)} variables",
        result,
        endpoint="POST /prompts/{id}/render",
        connections=1,
    )
    p95 = result.p(95) or 0.0
    s.results.target(
        "render",
        f"POST /prompts/{{id}}/render, {LABEL[s.engine]}, 20 kB template, 50 variables, c1: "
        "p95 <= 5 ms",
        f"p95 {p95:.2f} ms ({result.rps:,.0f} req/s)",
        p95 <= 5 and result.errors == 0,
    )

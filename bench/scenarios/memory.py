"""Memory: RSS of the server tree while the largest user's whole list is streamed."""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from bench import corpus, seed
from bench.config import Json, log
from bench.load import all_cpus, pinned
from bench.procfs import RssSampler, process_tree, rss_bytes
from bench.session import Session


async def memory_probe(
    s: Session, path: str, user: seed.User, items: int, repeats: int = 3
) -> None:
    row: Json = {
        "engine": s.engine,
        "workers": s.plan.workers,
        "path": path,
        "expected_items": items,
    }
    timeout = httpx.Timeout(600.0)
    try:
        async with httpx.AsyncClient(base_url=s.server.base_url, timeout=timeout) as c:
            await asyncio.sleep(0.5)
            with RssSampler(s.server.pid) as sampler:
                times: list[float] = []
                size = 0
                count = -1
                for n in range(repeats):
                    start = time.perf_counter()
                    chunks: list[bytes] = []
                    size = 0
                    async with c.stream("GET", path, headers=s.api.auth(user.token)) as r:
                        if r.status_code != 200:
                            await r.aread()
                            raise seed.SeedError(f"GET {path}: {r.status_code} {r.text[:200]}")
                        async for chunk in r.aiter_raw():
                            size += len(chunk)
                            if n == 0:
                                chunks.append(chunk)
                    times.append(time.perf_counter() - start)
                    if n == 0:
                        body = b"".join(chunks)
                        chunks.clear()
                        count = len(json.loads(body))
                        del body
                await asyncio.sleep(0.3)
            after = sampler.peak
            settled = rss_bytes(process_tree(s.server.pid))
        row.update(
            items=count,
            bytes=size,
            seconds=[round(t, 3) for t in times],
            rss_baseline=sampler.baseline,
            rss_peak=after,
            rss_growth=sampler.growth,
            rss_after=settled,
            samples=sampler.samples,
        )
        log(
            f"  {s.tag} memory {path}: {count:,} items, {size / 1e6:.1f} MB in "
            f"{min(times):.2f}s, RSS {sampler.baseline / 2**20:.0f} -> "
            f"{after / 2**20:.0f} MiB (+{sampler.growth / 2**20:.0f})"
        )
    except Exception as exc:
        row["error"] = f"{type(exc).__name__}: {exc}"
        log(f"  {s.tag} memory {path}: {row['error']}")
    s.results.memory.append(row)
    s.results.save()


async def run(s: Session) -> None:
    user = s.search_user
    if user is None:
        raise seed.SeedError("the memory scenario needs the search library")
    cfg = s.cfg
    size = len(s.search_docs)
    await memory_probe(s, "/prompts", user, size)
    targets = s.search_ids
    with s.server.unpinned(), pinned(all_cpus()):
        _, stats = await seed.timed_create(
            s.api,
            "memory logs",
            "/logs",
            user,
            (corpus.log_payload(targets[n % len(targets)], n) for n in range(cfg.memory_logs)),
            cfg.memory_logs,
            log,
        )
    s.record_seed(stats)
    await memory_probe(s, "/logs", user, cfg.memory_logs)

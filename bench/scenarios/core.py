"""The hot endpoints: ``GET /prompts/{id}``, ``GET /prompts`` and ``POST /logs``."""

from __future__ import annotations

from bench import corpus, seed
from bench.config import log
from bench.server import ServerError
from bench.session import Session


async def run(s: Session) -> None:
    cfg = s.cfg
    reader = await s.api.signup("reader")
    created, stats = await seed.timed_create(
        s.api,
        "reader prompts",
        "/prompts",
        reader,
        (corpus.reader_prompt(i) for i in range(cfg.reader_prompts)),
        cfg.reader_prompts,
        log,
    )
    s.record_seed(stats)
    ids = created.ids
    log_targets = [ids[i % len(ids)] for i in range(cfg.reader_logs)]
    _, stats = await seed.timed_create(
        s.api,
        "reader logs",
        "/logs",
        reader,
        (corpus.log_payload(pid, n) for n, pid in enumerate(log_targets)),
        cfg.reader_logs,
        log,
    )
    s.record_seed(stats)

    ids_file = s.files / f"ids-{s.engine}-{s.plan.workers}.txt"
    ids_file.write_text("\n".join(ids) + "\n")
    one_size = await s.api.body_size(f"/prompts/{ids[0]}", reader)
    list_size = await s.api.body_size("/prompts", reader)
    listed = await s.api.get_json("/prompts", reader)
    env = {"BENCH_TOKEN": reader.token, "BENCH_IDS_FILE": str(ids_file)}

    result = await s.load("get_prompt", env)
    s.add_run("GET /prompts/{id}", result, body_bytes=one_size)

    result = await s.load("static", {"BENCH_TOKEN": reader.token, "BENCH_PATH": "/prompts"})
    s.add_run(
        "GET /prompts",
        result,
        body_bytes=list_size,
        items=len(listed),
        json_bps=result.rps * list_size,
    )

    result = await s.load("post_log", env)
    s.add_run("POST /logs", result)
    if not s.server.alive():
        raise ServerError("server died during the core runs:\n" + s.server.log_tail())


# ----------------------------------------------------------------- search

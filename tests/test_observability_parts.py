"""The pieces behind JSON request logs and metrics, in one process: what the batching and the
cached line pieces must keep exactly as one observation at a time would."""

from __future__ import annotations

import asyncio
import json
import os
import random
import subprocess
import sys

import pytest

from promptcrafter.accesslog import AccessLog
from promptcrafter.metrics import BUCKETS, MULTIPROC_ENV, Metrics


def _read_lines(fd: int) -> list[dict[str, object]]:
    data = b""
    while True:
        chunk = os.read(fd, 65536)
        data += chunk
        if len(chunk) < 65536:
            break
    return [json.loads(line) for line in data.decode().splitlines()]


def test_a_request_line_is_the_json_of_its_fields() -> None:
    read, write = os.pipe()
    cases = [
        ("GET", "/prompts/{id}", 200, 0.0012345, b"abc.1_x-Y", "01J9USER", None),
        ("GET", None, 404, 0.0, b"f" * 32, None, None),
        ("PATCH", "/prompts/{id}", 412, 2.5, b"r", "u", "k1"),
        ("BREW", None, None, 0.000_000_4, b"", None, None),  # an odd method, no status
        ("GET", "/prompts/{id}", 200, 0.25, b"again", 'u"\\', "k\n"),  # cached piece reused
        # Either side of a second, where the whole milliseconds stop coming from a table.
        ("GET", "/prompts/{id}", 200, 0.999_4, b"s1", "u", None),
        ("GET", "/prompts/{id}", 200, 0.999_999_6, b"s2", "u", None),
        ("GET", "/prompts/{id}", 200, 1.000_5, b"s3", "u", None),
    ]

    async def log_all() -> None:
        log = AccessLog(write)
        for case in cases:
            log.request(*case)
        log.flush()

    try:
        asyncio.run(log_all())
        lines = _read_lines(read)
    finally:
        os.close(read)
        os.close(write)
    assert len(lines) == len(cases)
    for line, (method, route, status, seconds, rid, user, key) in zip(lines, cases, strict=True):
        assert list(line) == [
            "time",
            "level",
            "logger",
            "method",
            "route",
            "status",
            "duration_ms",
            "request_id",
            "user_id",
            "key_id",
        ]
        assert (line["level"], line["logger"]) == ("info", "promptcrafter.access")
        assert (line["method"], line["route"], line["status"]) == (method, route, status)
        assert line["duration_ms"] == pytest.approx(seconds * 1000, abs=0.0006)
        assert isinstance(line["duration_ms"], float)
        assert (line["request_id"], line["user_id"], line["key_id"]) == (rid.decode(), user, key)


def _counts(metrics: Metrics) -> dict[tuple[str, ...], float]:
    from prometheus_client import generate_latest

    assert metrics._own_registry is not None
    found: dict[tuple[str, ...], float] = {}
    for family in metrics._own_registry.collect():
        for sample in family.samples:
            if sample.name.startswith("promptcrafter_http_request_duration_seconds"):
                labels = tuple(sorted(sample.labels.items()))
                found[(sample.name, *(f"{k}={v}" for k, v in labels))] = sample.value
    assert generate_latest(metrics._own_registry)  # the exposition renders
    return found


def test_added_up_observations_equal_one_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    rng = random.Random(7)
    values = [rng.choice(BUCKETS) for _ in range(200)] + [rng.random() * 12 for _ in range(800)]
    keys = [("GET", "/prompts/{id}", 200), ("POST", "/logs", 201), ("GET", None, 404)]
    observed = [(rng.choice(keys), value) for value in values]

    batched = Metrics()

    async def observe_all() -> None:
        for (method, route, status), seconds in observed:
            batched.observe(method, route, status, seconds)
        await asyncio.sleep(0)  # the flush runs at the end of the loop's turn

    asyncio.run(observe_all())

    # The same values through prometheus-client's own observe(), one at a time.
    plain = Metrics()
    for key, seconds in observed:
        plain._child(key).observe(seconds)

    got, want = _counts(batched), _counts(plain)
    assert set(got) == set(want)
    for name, value in want.items():
        assert got[name] == pytest.approx(value, rel=1e-9), name
    assert sum(v for k, v in got.items() if k[0].endswith("_count")) == len(observed)


def test_a_flush_without_a_loop_happens_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    metrics = Metrics()
    metrics.observe("GET", "/search", 200, 0.002)
    counts = _counts(metrics)
    count = ("promptcrafter_http_request_duration_seconds_count",)
    assert counts[(*count, "method=GET", "route=/search", "status=200")] == 1


def test_other_libraries_warnings_are_json_lines_too() -> None:
    # The JSON format promises that every line is JSON; only the uvicorn and promptcrafter
    # loggers had the handler, so a warning from asyncio or alembic came out as plain text.
    script = (
        "import logging, logging.config\n"
        "from promptcrafter.accesslog import uvicorn_log_config\n"
        "logging.config.dictConfig(uvicorn_log_config('json'))\n"
        "logging.getLogger('asyncio').warning('a slow callback: %s', 'x')\n"
        "logging.getLogger('alembic.runtime.migration').info('not shown below WARNING')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True
    )
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["level"], line["message"]) for line in lines] == [
        ("asyncio", "warning", "a slow callback: x")
    ]

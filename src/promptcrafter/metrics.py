"""Prometheus metrics (``PROMPTCRAFTER_METRICS_ENABLED``), correct under several workers.

``promptcrafter serve`` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh private directory
before any worker starts (``multiprocess_directory``). Each worker then keeps its values in
memory-mapped files there, and whichever worker answers ``GET /metrics`` adds up every
worker's files, so a scrape sees the whole server. Without that variable (the app run by some
other ASGI server) the values live in this process alone.

prometheus-client is imported only when metrics are on: it decides at import time where
values are kept, and a server without metrics should not load it at all.

Observations are added up in memory and handed to prometheus-client once per turn of the event
loop (``flush``), not one by one: in multiprocess mode each value it changes is a locked write
into a memory-mapped file, two per observation (the sum and one bucket), and a busy worker
finishes several requests per turn of its loop. A turn is microseconds to a millisecond long,
so a scrape, served by this worker or another, sees every request answered before it was sent;
the worker's own scrape, its gauge refresh and its shutdown flush first too.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from itertools import compress
from typing import Any

from promptcrafter.store.database import Database

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Requests here take from a tenth of a millisecond to a few hundred; the default buckets
# start at 5 ms and would put nearly every request in the first one.
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# Methods a client sends are labels: anything unusual is counted as one, so a client cannot
# grow the number of series.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
GAUGE_PERIOD_SECONDS = 1.0
Key = tuple[str, str | None, int | None]


@contextlib.contextmanager
def multiprocess_directory() -> Iterator[str]:
    """A fresh private directory for every worker's metric files, removed afterwards.

    Always a new one: files left by an earlier run would be added to this run's counts.
    """
    directory = tempfile.mkdtemp(prefix="promptcrafter-metrics-")  # mode 0700
    previous = os.environ.get(MULTIPROC_ENV)
    os.environ[MULTIPROC_ENV] = directory
    try:
        yield directory
    finally:
        if previous is None:
            os.environ.pop(MULTIPROC_ENV, None)
        else:
            os.environ[MULTIPROC_ENV] = previous
        shutil.rmtree(directory, ignore_errors=True)


class Metrics:
    """The request histogram and counter, the database gauges, and the exposition."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Gauge, Histogram

        self.multiprocess = bool(os.environ.get(MULTIPROC_ENV))
        # In multiprocess mode the metrics are registered nowhere: the scrape reads the files.
        own = None if self.multiprocess else CollectorRegistry(auto_describe=True)
        self._own_registry = own
        # The histogram's _count is the number of requests: a separate counter would say the
        # same at 0.8 us more per request (1.5% of a hot read).
        self._latency = Histogram(
            "promptcrafter_http_request_duration_seconds",
            "HTTP requests by method, route template and status: time from arrival to the "
            "end of the answer.",
            ("method", "route", "status"),
            buckets=BUCKETS,
            registry=own,
        )
        # Summed over live workers: the server's total. A finished worker's values go away.
        self._pool_size = Gauge(
            "promptcrafter_db_pool_connections",
            "PostgreSQL connections open, per pool (main, scan).",
            ("pool",),
            registry=own,
            multiprocess_mode="livesum",
        )
        self._pool_idle = Gauge(
            "promptcrafter_db_pool_idle_connections",
            "PostgreSQL connections open and idle, per pool (main, scan).",
            ("pool",),
            registry=own,
            multiprocess_mode="livesum",
        )
        self._write_queue = Gauge(
            "promptcrafter_db_write_queue",
            "Writes waiting for the SQLite writer.",
            registry=own,
            multiprocess_mode="livesum",
        )
        # (method, route, status) -> histogram child: labels() costs more than observe().
        self._children: dict[Key, Any] = {}
        # Not yet flushed: per key, [sum of seconds, count in bucket 0, ..., count in +Inf].
        self._pending: dict[Key, list[float]] = {}
        self._gauge_task: asyncio.Task[None] | None = None
        self._check_histogram_internals()

    def observe(self, method: str, route: str | None, status: int | None, seconds: float) -> None:
        key = (method, route, status)
        pending = self._pending.get(key)
        first = False
        if pending is None:
            first = not self._pending
            pending = self._pending[key] = [0.0] * (len(BUCKETS) + 2)
        pending[0] += seconds
        # Buckets are "less than or equal": the first bound not below the value.
        pending[1 + bisect.bisect_left(BUCKETS, seconds)] += 1
        if first:
            self._flush_soon()

    def _flush_soon(self) -> None:
        try:
            asyncio.get_running_loop().call_soon(self.flush)
        except RuntimeError:  # no event loop (a direct call): nothing would flush later
            self.flush()

    def flush(self) -> None:
        """Hand the observations added up so far to prometheus-client."""
        pending, self._pending = self._pending, {}
        for key, values in pending.items():
            child = self._child(key)
            # What Histogram.observe does per value, once per key: the sum and each bucket
            # that was hit. (Its count is the buckets' total, kept nowhere else.) A turn hits
            # a bucket or two of the 15: compress and filter pick them out without a Python
            # step per bucket.
            child._sum.inc(values[0])
            counts = values[1:]
            for bucket, count in zip(
                compress(child._buckets, counts), filter(None, counts), strict=True
            ):
                bucket.inc(count)

    def _child(self, key: Key) -> Any:
        child = self._children.get(key)
        if child is None:
            method, route, status = key
            child = self._latency.labels(
                method if method in _METHODS else "other",
                route if route is not None else "unmatched",
                str(status) if status is not None else "none",
            )
            self._children[key] = child
        return child

    @staticmethod
    def _check_histogram_internals() -> None:
        # flush() adds to a child's sum and buckets directly; a prometheus-client that keeps
        # them differently must fail at start-up, not count wrongly. (Making a child to look
        # at would leave a series in the multiprocess files, so the code is looked at.)
        from prometheus_client import Histogram

        names = set(Histogram._metric_init.__code__.co_names)
        if not {"_sum", "_buckets"} <= names:
            raise RuntimeError("unsupported prometheus-client: histogram internals changed")

    def refresh_gauges(self, db: Database) -> None:
        self.flush()
        stats = db.stats()
        for name, value in stats.items():
            pool, _, kind = name.rpartition("_")
            if name == "write_queue":
                self._write_queue.set(value)
            elif kind == "size":
                self._pool_size.labels(pool).set(value)
            elif kind == "idle":
                self._pool_idle.labels(pool).set(value)

    def start(self, db: Database) -> None:
        """Keep this worker's gauges current (a scrape reads other workers' from their files)."""

        async def refresh_forever() -> None:
            while True:
                self.refresh_gauges(db)
                await asyncio.sleep(GAUGE_PERIOD_SECONDS)

        self._gauge_task = asyncio.create_task(refresh_forever())

    async def stop(self) -> None:
        if self._gauge_task is not None:
            self._gauge_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._gauge_task
        self.flush()
        if self.multiprocess:
            from prometheus_client import multiprocess

            # This worker's live gauges leave the sums; its counts stay in the totals.
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]

    def exposition(self, db: Database) -> bytes:
        from prometheus_client import CollectorRegistry, generate_latest, multiprocess

        self.refresh_gauges(db)
        if self._own_registry is not None:
            return bytes(generate_latest(self._own_registry))
        _forget_dead_workers()
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return bytes(generate_latest(registry))


_LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(\d+)\.db")


def _forget_dead_workers() -> None:
    """Take the live gauges of workers that are gone out of the sums. A worker that stops
    cleanly does this itself (``stop``); one killed (SIGKILL, out of memory) left its pool
    counted on as if it still held its connections, beside its replacement's."""
    from prometheus_client import multiprocess

    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        return
    for name in os.listdir(directory):
        found = _LIVE_GAUGE_FILE.fullmatch(name)
        if found is None:
            continue
        pid = int(found.group(1))
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            with contextlib.suppress(FileNotFoundError):  # another worker's scrape was first
                multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, as another user
            continue

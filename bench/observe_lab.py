"""What observing one request costs in CPU, without HTTP: ``python -m bench.observe_lab``.

Times, in this process, the work ``api/observe.py`` adds to a hot request when JSON logs or
metrics are on: taking or making the request id and recording the request (a JSON line queued
and written to ``/dev/null`` in batches, as a server's event loop has them written, or a
histogram observation). uvicorn's work for the one more response header is not in it.
Without an event loop the metrics are handed to prometheus-client after every request, where
a server does it once per turn of its loop (several requests under load): that row is an
upper bound. Timed in a tight loop, with warm caches, this is a lower bound for the code's
cost inside a server; ``bench.instr_lab`` counts the instructions a whole served request
takes with each on, and compares those.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import tempfile
import time
import timeit
from types import SimpleNamespace
from typing import cast

from promptcrafter.accesslog import AccessLog
from promptcrafter.api.deps import CALLER, Caller
from promptcrafter.api.observe import REQUEST_ID_HEADER, ROUTE, Observer
from promptcrafter.metrics import Metrics

REQUESTS = 200_000
REPEATS = 5


def _scope() -> dict[str, object]:
    caller = SimpleNamespace(user=SimpleNamespace(id="user01m8vj29cty6cttyfdw72gmwzt"), key_id=None)
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer x")]
    return {"headers": headers, "method": "GET", ROUTE: "/prompts/{id}", CALLER: caller}


def _cost(observer: Observer) -> float:
    """Microseconds per observed request, the best of ``REPEATS`` runs."""
    scope = _scope()
    # Under load a request's duration is mostly its wait for the database: thousands of
    # different microsecond values (0.5 to 8 ms added here), not one.
    waits = itertools.cycle([0.0005 + (n * 7919 % 7500) / 1e6 for n in range(7500)])
    wait = waits.__next__

    caller = cast(Caller, scope[CALLER])  # shaped like one: .user.id and .key_id are read
    take_id, record = observer.take_id, observer.record_route

    def one() -> None:
        # What the fast path does for an observed request (api/fastpath.py), the response
        # header list included.
        started = time.perf_counter()
        rid = take_id(scope)
        headers: list[tuple[bytes, bytes]] = []
        if rid is not None:
            headers.append((REQUEST_ID_HEADER, rid))
        record("GET", "/prompts/{id}", caller, 200, time.perf_counter() - started + wait(), rid)

    runs = timeit.repeat(one, number=REQUESTS, repeat=REPEATS)
    return min(runs) / REQUESTS * 1e6


async def _in_loop(observer: Observer) -> float:
    # Inside a running loop, the access log writes by its own rule (64 lines, or 20 ms
    # after the first of them), as in a server; without one it writes every line at once.
    return _cost(observer)


def main() -> None:
    sink = os.open(os.devnull, os.O_WRONLY)
    with tempfile.TemporaryDirectory(prefix="observe-lab-") as tmp:
        # prometheus-client's multiprocess mode reads this directory, as a server's would.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tmp
        print(f"{REQUESTS:,} requests, best of {REPEATS} runs")
        json_logs = asyncio.run(_in_loop(Observer(AccessLog(sink), None)))
        print(f"  {json_logs:6.2f} us per request  JSON logs on")
        print(f"  {_cost(Observer(None, Metrics())):6.2f} us per request  metrics on")


if __name__ == "__main__":
    main()

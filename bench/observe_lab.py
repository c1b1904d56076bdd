"""What observing one request costs in CPU, without HTTP: ``python -m bench.observe_lab``.

Times, in this process, the work ``api/observe.py`` adds to a hot request when JSON logs or
metrics are on: taking or making the request id and recording the request (a JSON line queued
and written to ``/dev/null``, or a histogram observation). Without an event loop the metrics
are handed to prometheus-client after every request, where a server does it once per turn of
its loop (several requests under load): that row is an upper bound. It separates the cost
of the code from the machine's noise, which in a wrk comparison moves a 10-second pass by a
fifth either way; compare it with a request's whole CPU time (1 / req/s of a pinned worker).
"""

from __future__ import annotations

import os
import tempfile
import time
import timeit
from types import SimpleNamespace

from promptcrafter.accesslog import AccessLog
from promptcrafter.api.deps import CALLER
from promptcrafter.api.observe import ROUTE, Observer
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

    def one() -> None:
        started = time.perf_counter()
        rid = observer.request_id(scope)
        observer.record(scope, 200, time.perf_counter() - started + 0.004, rid)

    runs = timeit.repeat(one, number=REQUESTS, repeat=REPEATS)
    return min(runs) / REQUESTS * 1e6


def main() -> None:
    sink = os.open(os.devnull, os.O_WRONLY)
    with tempfile.TemporaryDirectory(prefix="observe-lab-") as tmp:
        # prometheus-client's multiprocess mode reads this directory, as a server's would.
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tmp
        rows = {
            "JSON logs on": Observer(AccessLog(sink), None),
            "metrics on": Observer(None, Metrics()),
        }
        print(f"{REQUESTS:,} requests, best of {REPEATS} runs")
        for name, observer in rows.items():
            print(f"  {_cost(observer):6.2f} us per request  {name}")


if __name__ == "__main__":
    main()

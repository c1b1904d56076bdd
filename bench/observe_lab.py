"""What observing one request costs in CPU, without HTTP: ``python -m bench.observe_lab``.

Measures, in this process, the parts that JSON logs or metrics add to a hot request:

- the observer's own work (``api/observe.py``): taking or making the request id and recording
  the request, a JSON line queued and written to ``/dev/null`` in batches as a server's event
  loop has them written, or a histogram observation. Without an event loop the metrics are
  handed to prometheus-client after every request, where a server does it once per turn of its
  loop (several requests under load): that row is an upper bound;
- uvicorn's work for the one more response header that JSON logs add (the echoed
  ``X-Request-ID``): uvicorn checks every header of an answer against two regular expressions
  and copies it in Python, so the row sends the fast path's answer head through uvicorn's own
  ``RequestResponseCycle`` with and without it, into a transport that drops the bytes.

Each row is timed (the best of ``REPEATS`` tight loops: warm caches, so a lower bound for the
cost inside a server, where the same code runs with the rest of a request between). With
``--instructions`` each is also counted under valgrind's callgrind (two runs of N and 2N
requests; the difference over N is one request's instructions), which the machine's noise does
not move and which compares directly with ``bench.instr_lab``'s count for a whole served read.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable, Coroutine
from types import SimpleNamespace
from typing import Any, cast

from promptcrafter.accesslog import AccessLog
from promptcrafter.api.deps import CALLER, Caller
from promptcrafter.api.fastpath import FRONT_HEADERS
from promptcrafter.api.observe import REQUEST_ID_HEADER, ROUTE, Observer
from promptcrafter.metrics import MULTIPROC_ENV, Metrics

REQUESTS = 200_000
REPEATS = 5
COUNTED = 20_000  # requests per callgrind run (and twice as many in the second)
_REFS = re.compile(r"refs:\s+([\d,]+)")
# The head of a fast-path answer to GET /prompts/{id} (api/responses.py and api/fastpath.py),
# and the header JSON logs add to it: a made id is 32 hex digits.
_HEAD = [
    (b"content-length", b"512"),
    (b"content-type", b"application/json"),
    (b"etag", b'"7"'),
    *FRONT_HEADERS,
]
_ECHOED = (REQUEST_ID_HEADER, b"74237b82e56d6d02fa603af92f153270")


def _scope() -> dict[str, object]:
    caller = SimpleNamespace(user=SimpleNamespace(id="user01m8vj29cty6cttyfdw72gmwzt"), key_id=None)
    headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer x")]
    return {"headers": headers, "method": "GET", ROUTE: "/prompts/{id}", CALLER: caller}


def _observing(observer: Observer) -> Callable[[], None]:
    """One request's worth of what the fast path does for an observed request
    (api/fastpath.py), the response header list included."""
    scope = _scope()
    # Under load a request's duration is mostly its wait for the database: thousands of
    # different microsecond values (0.5 to 8 ms added here), not one.
    waits = itertools.cycle([0.0005 + (n * 7919 % 7500) / 1e6 for n in range(7500)])
    wait = waits.__next__
    caller = cast(Caller, scope[CALLER])  # shaped like one: .user.id and .key_id are read
    take_id, record = observer.take_id, observer.record_route

    def one() -> None:
        started = time.perf_counter()
        rid = take_id(scope)
        headers: list[tuple[bytes, bytes]] = []
        if rid is not None:
            headers.append((REQUEST_ID_HEADER, rid))
        record("GET", "/prompts/{id}", caller, 200, time.perf_counter() - started + wait(), rid)

    return one


class _Dropped:
    """A transport that takes the answer's bytes and drops them."""

    def write(self, data: bytes) -> None:
        pass

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        pass


def _answers(headers: list[tuple[bytes, bytes]]) -> Callable[[int], Coroutine[Any, Any, None]]:
    """``count`` answers through uvicorn's HTTP/1.1 response writer, each with ``headers``."""
    from uvicorn.protocols.http.flow_control import FlowControl
    from uvicorn.protocols.http.httptools_impl import RequestResponseCycle

    transport: Any = _Dropped()
    flow = FlowControl(transport)
    logger = logging.getLogger("bench.observe_lab")
    scope: Any = {"method": "GET"}
    start = {"type": "http.response.start", "status": 200, "headers": headers}
    body = {"type": "http.response.body", "body": b"x" * 512}

    async def answer(count: int) -> None:
        for _ in range(count):
            cycle = RequestResponseCycle(
                scope, transport, flow, logger, logger, False, [], asyncio.Event(), False, True,
                lambda: None,
            )  # fmt: skip
            await cycle.send(start)  # type: ignore[arg-type]
            await cycle.send(body)  # type: ignore[arg-type]

    return answer


def _in_loop(work: Callable[[], None], count: int) -> None:
    # Inside a running loop, the access log writes by its own rule (64 lines, or 20 ms after
    # the first of them), as in a server; without one it writes every line at once.
    async def run() -> None:
        _run(work, count)

    asyncio.run(run())


def _run(work: Callable[[], None], count: int) -> None:
    for _ in range(count):
        work()


def _row(name: str, sink: int) -> Callable[[int], None]:
    """``count`` requests of the row's work."""
    if name == "json":
        return lambda count: _in_loop(_observing(Observer(AccessLog(sink), None)), count)
    if name == "metrics":
        # Outside a loop: handed to prometheus-client after every request (the upper bound).
        return lambda count: _run(_observing(Observer(None, Metrics())), count)
    answer = _answers([*_HEAD, _ECHOED] if name == "head+id" else _HEAD)
    return lambda count: asyncio.run(answer(count))


ROWS = {
    "json": "JSON logs on: the observer",
    "metrics": "metrics on: the observer",
    "head": "uvicorn: the fast path's answer head",
    "head+id": "uvicorn: the same head with X-Request-ID",
}


def _timed(run: Callable[[int], None]) -> float:
    """Microseconds per request, the best of ``REPEATS`` runs."""
    return min(timeit.repeat(lambda: run(REQUESTS), number=1, repeat=REPEATS)) / REQUESTS * 1e6


def _counted(name: str) -> int:
    """Instructions per request of the row, under callgrind in a process of its own."""
    refs = []
    for count in (COUNTED, 2 * COUNTED):
        command = [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-m",
            "bench.observe_lab",
            "--run",
            name,
            "--count",
            str(count),
        ]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        found = _REFS.search(out.stderr)
        if found is None:
            raise RuntimeError(f"no instruction count from callgrind:\n{out.stderr[-2000:]}")
        refs.append(int(found.group(1).replace(",", "")))
    return (refs[1] - refs[0]) // COUNTED


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instructions", action="store_true", help="count them (valgrind)")
    parser.add_argument("--run", choices=ROWS, help=argparse.SUPPRESS)  # one counted run
    parser.add_argument("--count", type=int, default=COUNTED, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind: apt-get install valgrind")
    sink = os.open(os.devnull, os.O_WRONLY)
    with tempfile.TemporaryDirectory(prefix="observe-lab-") as tmp:
        # prometheus-client's multiprocess mode reads this directory, as a server's would.
        os.environ[MULTIPROC_ENV] = tmp
        if args.run:
            _row(args.run, sink)(args.count)
            return
        print(f"{REQUESTS:,} requests, best of {REPEATS} runs")
        for name, title in ROWS.items():
            line = f"  {_timed(_row(name, sink)):6.2f} us per request"
            if args.instructions:
                line += f"  {_counted(name):8,} instructions"
            print(f"{line}  {title}")


if __name__ == "__main__":
    main()
